"""The unanswered inbox: what people asked that the bot could not answer, grouped and acted on.

Questions are grouped by similarity of their normalised text (the engine's normaliser, then
rapidfuzz), so that 二十种 ways of asking the same thing are one row with a count. A group becomes
new phrasings of an existing entry, or a new draft entry, in one step; either way its questions
are then marked resolved, so the inbox only shows what still needs someone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.content.entries import EntryView
from services.content.lifecycle import AdminService
from services.db import repositories as repo
from services.db.models import UnansweredQuestion
from services.errors import Invalid, NotFound
from services.platform import audit
from services.platform.roles import Principal, require
from services.platform.timeutil import as_utc

SIMILAR = 72  # rapidfuzz ratio (0..100) from which two normalised questions are one group


@dataclass(frozen=True, slots=True)
class Question:
    """One stored unanswered question (redacted text)."""

    id: int
    text: str
    count: int


@dataclass
class Group:
    """Similar questions: the most asked one names the group."""

    text: str
    key: str
    count: int = 0
    last_seen: datetime | None = None
    best_intent: str | None = None
    best_score: float = 0.0
    questions: list[Question] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        """The ids of the group's questions."""
        return [q.id for q in self.questions]


def group_questions(rows: Sequence[UnansweredQuestion], normalize: Callable[[str], str],
                    similar: int = SIMILAR) -> list[Group]:
    """Group rows (most asked first) by the similarity of their normalised text."""
    groups: list[Group] = []
    keys: list[str] = []
    for row in sorted(rows, key=lambda r: (-r.count, r.id)):
        key = normalize(row.text) or row.key
        hit = process.extractOne(key, keys, scorer=fuzz.ratio, processor=None,
                                 score_cutoff=similar) if keys else None
        if hit is None:
            groups.append(Group(text=row.text, key=key, best_intent=row.best_intent,
                                best_score=row.best_score))
            keys.append(key)
            group = groups[-1]
        else:
            group = groups[hit[2]]
        group.questions.append(Question(row.id, row.text, row.count))
        group.count += row.count
        seen = as_utc(row.last_seen)
        group.last_seen = seen if group.last_seen is None else max(group.last_seen, seen)
        if row.best_score > group.best_score:
            group.best_intent, group.best_score = row.best_intent, row.best_score
    groups.sort(key=lambda g: (-g.count, g.key))
    return groups


class InboxService:
    """Read the grouped inbox; attach a group to an entry, make it a new entry, or dismiss it."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 content: AdminService) -> None:
        self._sessionmaker = sessionmaker
        self._content = content

    async def groups(self, limit: int = 500) -> list[Group]:
        """Open questions in groups, most asked first."""
        async with self._sessionmaker() as session:
            rows = await repo.list_unanswered(session, limit=limit)
        return group_questions(rows, self._content.catalog.normalizer)

    async def _questions(self, session: AsyncSession, ids: Sequence[int]) -> list[Question]:
        if not ids:
            raise Invalid("请选择至少一个问题。", [("ids", "必填")])
        rows = (await session.scalars(select(UnansweredQuestion).where(
            UnansweredQuestion.id.in_(list(ids)), UnansweredQuestion.resolved.is_(False)))).all()
        if not rows:
            raise NotFound("这些问题不存在或已处理。")
        return [Question(r.id, r.text, r.count) for r in sorted(rows, key=lambda r: -r.count)]

    async def attach(self, actor: Principal, ids: Sequence[int], entry_id: str,
                     ip: str = "") -> EntryView:
        """Add the questions to the entry's draft as new phrasings and resolve them."""
        require(actor, "editor", "把问题并入条目")
        async with self._sessionmaker() as session:
            questions = await self._questions(session, ids)
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
            questions = await self._questions(session, ids)
        data = {"id": entry_id.strip(), "topic": topic.strip(),
                "title": title.strip() or questions[0].text,
                "questions": [q.text for q in questions]}
        view = await self._content.create(actor, data, ip)
        await self._resolve(actor, questions, "unanswered_new", view.id, ip)
        return view

    async def dismiss(self, actor: Principal, ids: Sequence[int], ip: str = "") -> int:
        """Resolve questions that need no content (spam, off-topic); returns how many."""
        require(actor, "editor", "忽略问题")
        async with self._sessionmaker() as session:
            questions = await self._questions(session, ids)
        await self._resolve(actor, questions, "unanswered_dismiss", "", ip)
        return len(questions)

    async def _resolve(self, actor: Principal, questions: list[Question], action: str,
                       target: str, ip: str) -> None:
        async with self._sessionmaker.begin() as session:
            await repo.mark_unanswered_resolved(session, [q.id for q in questions])
            texts = "；".join(q.text for q in questions)
            await audit.record(session, actor.username, action, target, texts, ip)
