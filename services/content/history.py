"""An entry's history: every revision, newest first, each with a diff from the one before it.

Diffs are over labelled lines (``标题：…``, ``问法：`` then one phrasing per line), so staff read
them like the editor page rather than like JSON.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.content import documents as docs
from services.db.models import Entry, EntryRevision
from services.errors import NotFound
from services.platform.timeutil import as_utc

ACTION_LABELS = {"seed": "从文件导入", "import": "导入", "create": "新建", "edit": "编辑草稿",
                 "attach": "并入用户问题", "publish": "发布", "schedule": "定时发布",
                 "unschedule": "取消定时", "discard": "放弃草稿", "delete": "删除",
                 "restore": "恢复删除", "revert": "恢复历史版本"}


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a unified diff: kind is ``add``, ``del``, ``hunk`` or ``same``."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision of an entry and what it changed."""

    id: int
    version: int
    action: str
    label: str
    author: str
    at: datetime
    data: dict[str, object]
    diff: tuple[DiffLine, ...]

    def to_json(self) -> dict[str, object]:
        """The API's form of a revision."""
        return {"id": self.id, "version": self.version, "action": self.action,
                "author": self.author, "created_at": self.at.isoformat(), "data": self.data,
                "diff": [f"{_PREFIX[d.kind]}{d.text}" for d in self.diff]}


_PREFIX = {"add": "+", "del": "-", "hunk": "", "same": " "}


def diff(old: list[str], new: list[str]) -> tuple[DiffLine, ...]:
    """A unified diff (two lines of context) of two documents' lines."""
    out = []
    for line in difflib.unified_diff(old, new, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(DiffLine("hunk", "…"))
        elif line.startswith("+"):
            out.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            out.append(DiffLine("del", line[1:]))
        else:
            out.append(DiffLine("same", line[1:]))
    return tuple(out)


async def history(sessionmaker: async_sessionmaker[AsyncSession],
                  entry_id: str) -> list[Revision]:
    """Every revision of ``entry_id``, newest first."""
    async with sessionmaker() as session:
        if await session.get(Entry, entry_id) is None:
            raise NotFound(f"没有条目 {entry_id}。")
        rows = (await session.scalars(select(EntryRevision).where(
            EntryRevision.entry_id == entry_id).order_by(EntryRevision.id))).all()
    out: list[Revision] = []
    previous: list[str] = []
    for row in rows:
        current = docs.lines(row.data)
        out.append(Revision(row.id, row.version, row.action,
                            ACTION_LABELS.get(row.action, row.action), row.author,
                            as_utc(row.created_at), dict(row.data), diff(previous, current)))
        previous = current
    out.reverse()
    return out
