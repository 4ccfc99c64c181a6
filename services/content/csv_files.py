"""Entries as CSV for spreadsheets: one row per entry, list cells one item per line.

The file is UTF-8 with a byte-order mark, which is what makes Excel open Chinese text correctly;
reading accepts it with or without. Row numbers are the spreadsheet's (the header is row 1), so an
error names the row a person sees.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from intents import ENTRY_FIELDS, LIST_FIELDS, SOURCE_FIELDS, TEXT_FIELDS
from services.db import repositories as repo

# One column per entry field, the source spread over one column per part (source_document…).
COLUMNS = tuple(c for f in ENTRY_FIELDS
                for c in ([f"source_{s}" for s in SOURCE_FIELDS] if f == "source" else [f]))
LIST_COLUMNS = LIST_FIELDS
REQUIRED = ("id", "topic", "title", "questions", "answer", "source_document", "source_number")


class CsvFormatError(ValueError):
    """The file is not a CSV of entries (missing columns, unreadable)."""


def to_row(doc: dict[str, Any]) -> dict[str, str]:
    """One entry document as a CSV row."""
    source = doc.get("source") or {}
    row = {name: "" if doc.get(name) is None else str(doc[name]) for name in COLUMNS}
    for name in LIST_COLUMNS:
        row[name] = "\n".join(str(v) for v in doc.get(name) or [])
    row.update(source_document=source.get("document", ""), source_number=source.get("number", ""),
               source_section=source.get("section", ""))
    return row


def from_row(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as an entry document (lists split on new lines or '|'; blanks dropped)."""
    doc: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = (row.get(name) or "").strip()
        if value:
            doc[name] = value.replace("\r\n", "\n")
    for name in LIST_COLUMNS:
        raw = (row.get(name) or "").replace("|", "\n")
        doc[name] = [v.strip() for v in raw.splitlines() if v.strip()]
    doc["source"] = {"document": (row.get("source_document") or "").strip(),
                     "number": (row.get("source_number") or "").strip(),
                     "section": (row.get("source_section") or "").strip()}
    return doc


def write_csv(path: Path, docs: Iterable[dict[str, Any]]) -> int:
    """Write the documents to ``path``; returns how many rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for doc in docs:
        writer.writerow(to_row(doc))
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return count


def read_csv(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, entry document) for every non-empty row of ``path``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CsvFormatError(f"{path.name}: 无法读取（需要 UTF-8 编码的 CSV）：{exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise CsvFormatError(f"{path.name}: 缺少列：{', '.join(missing)}（第 1 行应是表头）")
    rows = []
    for number, row in enumerate(reader, start=2):  # the header is row 1
        if any((v or "").strip() for v in row.values() if isinstance(v, str)):
            rows.append((number, from_row(row)))
    return rows


async def export_csv(session: AsyncSession, path: Path) -> int:
    """Write the published entries to one CSV file; returns how many."""
    return write_csv(path, await repo.published_entries(session))
