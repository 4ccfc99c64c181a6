"""Import entries from a spreadsheet (CSV) or one YAML topic file: all rows or none.

Every row is validated first (as :class:`intents.FaqEntry`, ids unique, ``related`` known); the
first bad row stops the import with its row number and reason before anything is written. The
writes then happen in one transaction, so a failure half-way leaves the store as it was. Imported
entries count as staff edits: a later seed from ``faq_data/`` does not overwrite them, and each
change is a revision (author ``import`` or the name given) like any other save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intents import FaqEntry
from intents.loader import parse_yaml
from services.content import documents as docs
from services.content.csv_files import read_csv
from services.db import repositories as repo
from services.db.models import Entry, EntryRevision
from services.errors import Invalid
from services.platform import audit


class ImportFailed(ValueError):
    """A row that stops the import: ``row`` is its number, the message says why."""

    def __init__(self, row: int | str, message: str) -> None:
        super().__init__(f"第 {row} 行：{message}")
        self.row = row


@dataclass
class ImportReport:
    """What an import changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(row number, document) from a .csv file or a YAML topic file (entry positions)."""
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportFailed(0, f"{path.name} 无法读取：{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ImportFailed(0, f"{path.name} 应是含 topic 和 entries 的 YAML")
    topic = data.get("topic") or path.stem
    return [(n, {"topic": topic, **raw} if isinstance(raw, dict) else {"raw": raw})
            for n, raw in enumerate(data["entries"], start=1)]


def validate_rows(rows: Sequence[tuple[int, dict[str, Any]]], known_ids: set[str],
                  progress: Callable[[int], None] | None = None) -> list[tuple[int, FaqEntry]]:
    """Each row as (row number, valid entry); :class:`ImportFailed` names the first bad row."""
    entries: list[tuple[int, FaqEntry]] = []
    seen: dict[str, int] = {}
    ids = known_ids | {str(doc.get("id")) for _, doc in rows}
    for number, doc in rows:
        name = doc.get("id") or "?"
        try:
            entry = docs.check(docs.clean(doc), strict=True, known_ids=ids)
        except Invalid as exc:
            raise ImportFailed(number, f"{name}：{exc.message}") from exc
        if entry.id in seen:
            raise ImportFailed(number, f"{entry.id}：编号与第 {seen[entry.id]} 行重复")
        seen[entry.id] = number
        entries.append((number, entry))
        if progress:
            progress(1)
    return entries


async def import_entries(session: AsyncSession, entries: Sequence[tuple[int, FaqEntry]], *,
                         author: str = "import", as_draft: bool = False,
                         progress: Callable[[int], None] | None = None) -> ImportReport:
    """Write validated entries in the caller's transaction (published, or as drafts)."""
    report = ImportReport()
    rows = {r.id: r for r in await session.scalars(
        select(Entry).where(Entry.id.in_([e.id for _, e in entries])))}
    for number, entry in entries:
        data = entry.model_dump(mode="json")
        row = rows.get(entry.id)
        if row is not None and row.deleted:
            raise ImportFailed(number, f"{entry.id} 已删除；请先在管理后台恢复")
        if row is None:
            session.add(Entry(id=entry.id, topic=entry.topic, version=1, edited=True,
                              published=None if as_draft else data,
                              draft=data if as_draft else None, updated_by=author))
            session.add(EntryRevision(entry_id=entry.id, version=1, action="import", data=data,
                                      author=author))
            report.added.append(entry.id)
        elif (row.draft if as_draft else row.published) == data:
            report.unchanged += 1
        else:
            row.version += 1
            row.edited, row.updated_by = True, author
            if as_draft:
                row.draft = data
            else:
                row.published, row.draft, row.topic, row.publish_at = data, None, entry.topic, None
            session.add(EntryRevision(entry_id=entry.id, version=row.version, action="import",
                                      data=data, author=author))
            report.updated.append(entry.id)
        if progress:
            progress(1)
    await session.flush()
    if (report.added or report.updated) and not as_draft:
        await repo.bump_content_version(session)
    await audit.record(session, author, "faq_import", "",
                       f"新增 {len(report.added)}，更新 {len(report.updated)}，"
                       f"未变 {report.unchanged}{'（草稿）' if as_draft else ''}")
    return report
