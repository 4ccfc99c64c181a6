"""What a message is, read by the learned message model, and the step that answers small talk
and messages not addressed to the bot.

The model (``intents.message_model``) reads each message once; the decision
(``intents.decision.read_act``) turns the reading into an act with the thresholds the model was
chosen with. The content's small-talk phrases stay as a precise first layer (an exact greeting is
a greeting whatever the model says); everything they do not list is left to the model.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from intents.decision import read_act
from intents.dialogue_rules import small_talk
from intents.message_model import (
    SMALL_TALK,
    TALK_IDS,
    MessageModel,
    Reading,
    default_model_path,
)
from services.content import Catalog
from services.dialogue.messages import Option, Reply, ReplyKind
from services.dialogue.replies import ReplyBuilder
from services.dialogue.turn import Outcome, Turn

WITH_TOPICS = frozenset({"greeting", "capabilities"})
QUIET_IN_GROUPS = frozenset({"ack"})


class MessageReader:
    """The message model and its thresholds."""

    def __init__(self, model: MessageModel) -> None:
        self.model = model

    @classmethod
    def load(cls, path: str | Path | None = None) -> MessageReader:
        """The reader with the model file at ``path`` (default: the one in the package)."""
        return cls(_model(str(path or default_model_path())))

    def read(self, text: str) -> Reading:
        """The model's reading of ``text``."""
        return self.model.read(text)

    @property
    def thresholds(self) -> dict[str, float]:
        """The thresholds chosen with the model (see ``intents.decision``)."""
        return self.model.thresholds


@lru_cache(maxsize=4)
def _model(path: str) -> MessageModel:
    """Each model file read once per process (a few MB of JSON)."""
    return MessageModel.load(path)


class Talk:
    """Small talk and acknowledgements get a short reply; acknowledgements and noise in a group
    get none.

    Reads the message for the later steps too (``turn.reading``: the match step uses it to
    say what the document lacks).
    """

    name = "small_talk"

    def __init__(self, catalog: Catalog, replies: ReplyBuilder, reader: MessageReader) -> None:
        self._catalog = catalog
        self._replies = replies
        self._reader = reader

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The small-talk reply, the quiet reply in a group, or None for a question."""
        reading = self._reader.read(turn.text)
        turn.reading = reading
        listed = small_talk(turn.text, self._catalog.content.small_talk)
        if listed is not None and listed.id != "safe_now":
            return self._talk(turn, listed.id, "phrase")
        act = read_act(reading, self._reader.thresholds)
        if act in SMALL_TALK:
            return self._talk(turn, TALK_IDS[act], "model")
        if act == "noise" and turn.message.group:
            return self._quiet(turn, "noise")
        # Noise is what people post in groups; in a private chat it is someone asking, however
        # it reads, and the engine decides (a fallback says what the bot can answer).
        return None

    def _talk(self, turn: Turn, talk_id: str, by: str) -> Outcome:
        if talk_id in QUIET_IN_GROUPS and turn.message.group:
            return self._quiet(turn, talk_id)
        item = next(t for t in self._catalog.content.small_talk if t.id == talk_id)
        options: list[Option] = []
        if talk_id in WITH_TOPICS:
            options = self._replies.topic_options(turn.lang)
        text = item.reply_en if turn.lang == "en" else item.reply
        # An acknowledgement is not a greeting: like an empty message, it asked nothing.
        kind: ReplyKind = "fallback" if talk_id == "ack" else "greeting"
        return Outcome(Reply(kind=kind, text=text, confidence=1.0, options=options,
                             lang=turn.lang), decided_by=f"{self.name}:{talk_id}:{by}")

    def _quiet(self, turn: Turn, why: str) -> Outcome:
        return Outcome(Reply(kind="quiet", text="", confidence=0.0, lang=turn.lang),
                       decided_by=f"{self.name}:{why}:quiet")
