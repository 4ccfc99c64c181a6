"""The unanswered inbox: what people asked that the bot could not answer, grouped and acted on.

What is listed is decided against the running engine, not against what was stored: a question
the current engine would answer (the dialogue's own decision) is not listed, whatever the day it
was asked; the closest entries are the current engine's; non-questions ("2", "都不是", "asdfgh")
are not listed even if they were stored before the storage rule kept them out. Questions are
grouped by the engine's analysis of them (``inbox_groups``), so 二十种 ways of asking the same
thing are one row with a count. A group becomes new phrasings of an existing entry, or a new
draft entry, in one step, or is dismissed with a reason; its questions are then resolved and the
audit log says who did what and why.

Complaints (rows of kind ``complaint``: a grievance about a school's food, buildings, fees or
staff, a petition, a request that something be built or fixed) are listed apart, grouped by their
wording alone: the bot told the person it cannot take complaints and named the school, the
district education bureau and 12345, so there is no entry to write and no engine verdict to ask;
staff read them and dismiss them with a reason of their own. They never become phrasings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intents.inbox_filter import not_a_question
from services.content.entries import EntryView
from services.content.lifecycle import AdminService
from services.db import InboxKind
from services.db import repositories as repo
from services.db.models import UnansweredQuestion
from services.dialogue import redact
from services.errors import Invalid, NotFound
from services.platform import audit
from services.platform.roles import Principal, require
from services.platform.timeutil import as_utc
from services.staff.inbox_groups import cluster
from services.staff.inbox_live import EngineView, LiveInbox
from services.staff.inbox_picks import Pick, candidates_of, search_entries, suggest_id

DISMISS_REASONS = {"not_question": "不是问题", "not_in_document": "文件未涉及",
                   "duplicate": "重复", "other": "其他"}
COMPLAINT_REASONS = {"forwarded": "已转交学校或教育局", "no_action": "无需处理",
                     "duplicate": "重复", "other": "其他"}
MAX_NOTE = 200
SIMILAR = 72  # rapidfuzz ratio for :func:`group_questions` (text only)


@dataclass(frozen=True, slots=True)
class Question:
    """One stored unanswered question (redacted text)."""

    id: int
    text: str
    count: int
    kind: InboxKind = "question"


@dataclass
class Group:
    """Similar questions: the most asked one names the group and is its ``lead``."""

    text: str
    key: str
    kind: InboxKind = "question"  # the lead's: every question of a group has the same kind
    lead: int = 0
    count: int = 0
    last_seen: datetime | None = None
    best_intent: str | None = None  # the current engine's closest entry (never a stored guess)
    best_score: float = 0.0
    questions: list[Question] = field(default_factory=list)
    candidates: list[Pick] = field(default_factory=list)  # the engine's best entries for it
    topic: str = ""  # for a new entry: the closest entry's topic
    suggested_id: str = ""  # for a new entry: a free id from the topic and the question's pinyin
    suggested_entry: str | None = None  # preselected in the picker: the decision's own guess

    @property
    def ids(self) -> list[int]:
        """The ids of the group's questions."""
        return [q.id for q in self.questions]


@dataclass(frozen=True, slots=True)
class Inbox:
    """The open groups, the open complaints, and how many stored questions are not listed and
    why."""

    groups: list[Group]
    answered: int  # questions the current engine now answers
    not_questions: int  # "2", "都不是", "asdfgh" stored before the storage rule
    complaints: list[Group] = field(default_factory=list)  # grouped by wording, most sent first


def group_by_engine(rows: Sequence[UnansweredQuestion], view: EngineView) -> list[Group]:
    """Group rows (most asked first) by the engine's analysis; each group's closest entries are
    the best of its questions' candidates under the current engine."""
    rows = sorted(rows, key=lambda r: (-r.count, r.id))
    groups = []
    for members in cluster([view.features[r.text] for r in rows], view.weights):
        lead = rows[members[0]]
        group = Group(text=lead.text, key=view.features[lead.text].norm or lead.key,
                      kind=lead.kind, lead=lead.id)
        for row in (rows[m] for m in members):
            group.questions.append(Question(row.id, row.text, row.count, row.kind))
            group.count += row.count
            seen = as_utc(row.last_seen)
            group.last_seen = seen if group.last_seen is None else max(group.last_seen, seen)
        group.candidates = candidates_of(view, [q.text for q in group.questions])
        guesses = view.verdicts[lead.text].guesses
        group.suggested_entry = guesses[0] if guesses else None
        if group.candidates:
            group.best_intent = group.candidates[0].entry_id
            group.best_score = group.candidates[0].score or 0.0
        groups.append(group)
    groups.sort(key=lambda g: (-g.count, g.key))
    return groups


def group_questions(rows: Sequence[UnansweredQuestion], normalize: Callable[[str], str],
                    similar: int = SIMILAR) -> list[Group]:
    """Group rows by the rapidfuzz ratio of their normalised texts alone, as the inbox once did.

    Kept for callers without an engine at hand (the analytics page's trend of stored groups);
    the inbox itself groups with :func:`group_by_engine`, which also sees reworded questions.
    """
    groups: list[Group] = []
    keys: list[str] = []
    for row in sorted(rows, key=lambda r: (-r.count, r.id)):
        key = normalize(row.text) or row.key
        hit = process.extractOne(key, keys, scorer=fuzz.ratio, processor=None,
                                 score_cutoff=similar) if keys else None
        if hit is None:
            groups.append(Group(text=row.text, key=key, kind=row.kind, lead=row.id,
                                best_intent=row.best_intent, best_score=row.best_score))
            keys.append(key)
        group = groups[-1] if hit is None else groups[hit[2]]
        group.questions.append(Question(row.id, row.text, row.count, row.kind))
        group.count += row.count
        seen = as_utc(row.last_seen)
        group.last_seen = seen if group.last_seen is None else max(group.last_seen, seen)
    groups.sort(key=lambda g: (-g.count, g.key))
    return groups


def group_complaints(rows: Sequence[UnansweredQuestion],
                     normalize: Callable[[str], str]) -> list[Group]:
    """Complaints grouped by their wording (:func:`group_questions`), with no closest entry:
    the engine's guesses of the day they were sent mean nothing for a complaint."""
    groups = group_questions(rows, normalize)
    for group in groups:
        group.best_intent, group.best_score = None, 0.0
    return groups


class InboxService:
    """Read the grouped inbox; attach a group to an entry, make it a new entry, or dismiss it."""

    REASONS: ClassVar[dict[str, str]] = DISMISS_REASONS  # why a group was dismissed: id -> label
    COMPLAINT_REASONS: ClassVar[dict[str, str]] = COMPLAINT_REASONS  # the same, for complaints

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 content: AdminService) -> None:
        self._sessionmaker = sessionmaker
        self._content = content
        self._live = LiveInbox(content.catalog)

    async def overview(self, limit: int = 500) -> Inbox:
        """Open questions in groups, most asked first, judged by the running engine; open
        complaints apart (:func:`group_complaints`)."""
        async with self._sessionmaker() as session:
            stored = await repo.list_unanswered(session, limit=limit)
        complaints = [r for r in stored if r.kind == "complaint"]
        rows = [r for r in stored if r.kind != "complaint"]
        questions = [r for r in rows if not_a_question(r.text) is None]
        view = await self._live.view([r.text for r in questions])
        still = [r for r in questions if view.verdicts[r.text].answered_by is None]
        groups = group_by_engine(still, view)
        known = await self._content.entry_ids()
        topics = [t.id for t in self._content.catalog.content.topics]
        for group in groups:
            best = group.best_intent
            group.topic = (view.engine.entry(best).topic if best and view.engine.has(best)
                           else topics[0] if topics else "general")
            group.suggested_id = suggest_id(group.topic, group.key, known)
            known.add(group.suggested_id)
        return Inbox(groups, len(questions) - len(still), len(rows) - len(questions),
                     group_complaints(complaints, self._content.catalog.normalizer))

    async def groups(self, limit: int = 500) -> list[Group]:
        """The open groups (see :meth:`overview`)."""
        return (await self.overview(limit)).groups

    async def search(self, words: str, limit: int = 5) -> list[Pick]:
        """Entries for the attach picker: the engine's ranking of ``words``, then entries
        (drafts too) whose text contains them."""
        return await search_entries(self._content, words, limit)

    async def _questions(self, session: AsyncSession, ids: Sequence[int], *,
                         complaints: bool = True) -> list[Question]:
        """The open rows of ``ids``, most asked first; ``complaints=False``: refused when one
        of them is a complaint (a complaint never becomes a phrasing)."""
        if not ids:
            raise Invalid("请选择至少一个问题。", [("ids", "必填")])
        rows = (await session.scalars(select(UnansweredQuestion).where(
            UnansweredQuestion.id.in_(list(ids)), UnansweredQuestion.resolved.is_(False)))).all()
        if not rows:
            raise NotFound("这些问题不存在或已处理。")
        if not complaints and any(r.kind == "complaint" for r in rows):
            raise Invalid("投诉与诉求不能并入条目，只能忽略。", [("ids", "含有投诉与诉求")])
        return [Question(r.id, r.text, r.count, r.kind)
                for r in sorted(rows, key=lambda r: -r.count)]

    async def attach(self, actor: Principal, ids: Sequence[int], entry_id: str,
                     ip: str = "") -> EntryView:
        """Add the questions to the entry's draft as new phrasings and resolve them."""
        require(actor, "editor", "把问题并入条目")
        async with self._sessionmaker() as session:
            questions = await self._questions(session, ids, complaints=False)
        view = await self._content.get(entry_id)
        doc = view.current
        known = {self._content.catalog.normalizer(q) for q in doc.get("questions", [])}
        added = [q.text for q in questions
                 if self._content.catalog.normalizer(q.text) not in known]
        doc["questions"] = [*doc.get("questions", []), *dict.fromkeys(added)]
        saved = await self._content.save(actor, entry_id, doc, view.version, ip, action="attach")
        await self._resolve(actor, questions, "unanswered_attach", entry_id, ip)
        return saved

    async def new_entry(self, actor: Principal, ids: Sequence[int], entry_id: str, topic: str,
                        title: str = "", ip: str = "") -> EntryView:
        """A new draft entry whose phrasings are the questions (answer to be written)."""
        require(actor, "editor", "用问题新建条目")
        async with self._sessionmaker() as session:
            questions = await self._questions(session, ids, complaints=False)
        data = {"id": entry_id.strip(), "topic": topic.strip(),
                "title": title.strip() or questions[0].text,
                "questions": [q.text for q in questions]}
        view = await self._content.create(actor, data, ip)
        await self._resolve(actor, questions, "unanswered_new", view.id, ip)
        return view

    async def dismiss(self, actor: Principal, ids: Sequence[int], ip: str = "", *,
                      reason: str = "other", note: str = "") -> int:
        """Resolve questions that need no content, saying why (one of :data:`DISMISS_REASONS`,
        or for complaints only of :data:`COMPLAINT_REASONS`, plus an optional note, redacted like
        every stored text); returns how many."""
        require(actor, "editor", "忽略问题")
        if reason not in DISMISS_REASONS and reason not in COMPLAINT_REASONS:
            raise Invalid("请选择忽略的原因。", [("reason", "从列表中选择")])
        async with self._sessionmaker() as session:
            questions = await self._questions(session, ids)
        complaints_only = all(q.kind == "complaint" for q in questions)
        label = (COMPLAINT_REASONS if complaints_only else DISMISS_REASONS).get(reason)
        if label is None:
            raise Invalid("请选择忽略的原因。", [("reason", "从列表中选择")])
        note = redact(" ".join(note.split()))[:MAX_NOTE]
        why = f"原因：{label}" + (f"（{note}）" if note else "")
        await self._resolve(actor, questions, "unanswered_dismiss", "", ip, why)
        return len(questions)

    async def _resolve(self, actor: Principal, questions: list[Question], action: str,
                       target: str, ip: str, why: str = "") -> None:
        async with self._sessionmaker.begin() as session:
            await repo.mark_unanswered_resolved(session, [q.id for q in questions])
            texts = "；".join(q.text for q in questions)
            await audit.record(session, actor.username, action, target,
                               f"{why}｜{texts}" if why else texts, ip)
