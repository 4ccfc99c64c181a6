"""Complaints, petitions and requests that something be built or fixed: acknowledged and
referred, never answered with an achievement.

The message model (read by the small-talk step) says when a message is a complaint; this step
words the reply: one sentence that hears the concern, that the bot cannot take complaints, the
channels that can (the school, the county or district 教育局, 12345), and then, only when the
complaint's subject is clear and the 2024 plan says something on it, that as background with
its citation. A 2023 result is never offered: "建成阳光厨房2493个，覆盖率达100%" to a parent upset
about the canteen reads as dismissive. The message goes to the staff inbox as a complaint.
"""

from __future__ import annotations

from intents.decision import plan_background, read_act
from services.content import Catalog
from services.dialogue.message_kind import MessageReader
from services.dialogue.replies import ReplyBuilder
from services.dialogue.turn import Outcome, Turn
from services.platform import telemetry


class Complaint:
    """A complaint gets the referral reply and is kept for staff as a complaint."""

    name = "complaint"

    def __init__(self, catalog: Catalog, replies: ReplyBuilder, reader: MessageReader) -> None:
        self._catalog = catalog
        self._replies = replies
        self._reader = reader

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The referral reply for a complaint, or None for anything else."""
        if turn.safety is not None and turn.safety.clear_distress:
            return None  # "我好难过，每天都很孤单": distress, answered with support, not referred
        reading = turn.reading or self._reader.read(turn.text)
        if read_act(reading, self._reader.thresholds) != "complaint":
            return None
        engine = self._catalog.engine
        config = self._catalog.decision
        with telemetry.MATCH_SECONDS.time():
            result = engine.match(turn.text, limit=config.rank_limit)
        background = None
        best = result.candidates[0] if result.candidates else None
        if best is not None and best.score >= config.background_floor:
            entry = engine.entry(best.entry_id)
            plan = plan_background(entry.answer_en or "" if turn.lang == "en" else entry.answer)
            if plan:
                background = (entry, plan)
        return Outcome(self._replies.complaint(background, turn.lang), unanswered=True,
                       inbox_kind="complaint",
                       best_intent=best.entry_id if best is not None else None,
                       decided_by=f"{self.name}:{'background' if background else 'referral'}")
