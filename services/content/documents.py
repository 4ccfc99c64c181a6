"""Entry documents as staff submit them: cleaning, validation, status, readable text for diffs.

A draft may be unfinished (an entry made from the unanswered inbox has questions but no answer
yet), so a draft is checked with the answer and source optional; publishing checks the whole
:class:`intents.FaqEntry` strictly. Problems come back per field, in Chinese, for the editor page.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from intents import ENTRY_FIELDS, LIST_FIELDS, FaqEntry
from services.db.models import Entry
from services.errors import Invalid

FIELDS = ENTRY_FIELDS
FIELD_LABELS = {"id": "编号", "topic": "主题", "title": "标题", "questions": "问法",
                "keywords": "关键词", "answer": "答案", "answer_en": "英文答案", "source": "出处",
                "related": "相关条目", "not_covered": "文件没有写的细节", "valid_from": "生效日期", "valid_until": "截止日期",
                "document": "文件名", "number": "文号", "section": "章节", "version": "版本"}
STATUS_LABELS = {"published": "已发布", "changed": "有未发布修改", "draft": "草稿（未发布）",
                 "scheduled": "定时发布", "deleted": "已删除"}
_PLACEHOLDER = {"answer": "-", "source": {"document": "-", "number": "-"}}
_SPLIT = re.compile(r"[\n|]+")
_SPLIT_WORDS = re.compile(r"[\n|,，、;；]+")  # keywords may contain spaces (English)
_SPLIT_IDS = re.compile(r"[\n|,，、;；\s]+")
_MESSAGES = {
    "missing": "必填", "string_too_short": "不能为空", "too_short": "至少要有一条",
    "string_pattern_mismatch":
        "格式不对：小写字母、数字和下划线，用点分隔，如 enrollment.eligibility",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "extra_forbidden": "不认识的字段", "string_type": "应为文字",
}


def _items(value: Any, splitter: re.Pattern[str]) -> list[str]:
    if value is None:
        return []
    raw = splitter.split(value) if isinstance(value, str) else [str(v) for v in value]
    return list(dict.fromkeys(v.strip() for v in raw if str(v).strip()))


def clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """A submitted document trimmed to the entry's fields, lists deduplicated, blanks as None."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise Invalid("有不认识的字段：" + "、".join(unknown),
                      [(k, "不认识的字段") for k in unknown])
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = data.get(name)
        if name in LIST_FIELDS:
            splitter = {"questions": _SPLIT, "keywords": _SPLIT_WORDS}.get(name, _SPLIT_IDS)
            out[name] = _items(value, splitter)
        elif name == "source":
            out[name] = _source(value)
        elif isinstance(value, str):
            out[name] = value.strip().replace("\r\n", "\n") or None
        else:
            out[name] = value.isoformat() if isinstance(value, date) else value
    if out["answer"] is None:
        out["answer"] = ""
    return out


def _source(value: Any) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        return value if value not in ("", None) else None
    parts = {k: str(value.get(k) or "").strip() for k in ("document", "number", "section")}
    return parts if any(parts.values()) else None


def check(doc: dict[str, Any], *, strict: bool, known_ids: Collection[str] = ()) -> FaqEntry:
    """Validate a cleaned document; ``strict=False`` lets a draft lack its answer and source."""
    probe = {k: v for k, v in doc.items() if v is not None}
    if not strict:
        for name, filler in _PLACEHOLDER.items():
            if not probe.get(name):
                probe[name] = filler
    problems: list[tuple[str, str]] = []
    entry = None
    try:
        entry = FaqEntry.model_validate(probe)
    except ValidationError as exc:
        for err in exc.errors():
            loc = [str(p) for p in err["loc"] if not isinstance(p, int)] or ["entry"]
            problems.append((".".join(loc), _MESSAGES.get(err["type"], err["msg"])))
    related = doc.get("related") or []
    if doc.get("id") in related:
        problems.append(("related", "不能关联自己"))
    if known_ids:
        missing = [r for r in related if r not in known_ids]
        if missing:
            problems.append(("related", "没有这些条目：" + "、".join(missing)))
    if entry and entry.valid_from and entry.valid_until and entry.valid_from > entry.valid_until:
        problems.append(("valid_until", "截止日期早于生效日期"))
    if problems or entry is None:
        raise Invalid(describe(problems), problems)
    return entry


def describe(problems: list[tuple[str, str]]) -> str:
    """One line naming each problem's field in Chinese."""
    return "；".join(f"{label(field)}：{message}" for field, message in problems) or "数据无效"


def label(field: str) -> str:
    """The Chinese name of a field path like ``source.number``."""
    return "·".join(FIELD_LABELS.get(part, part) for part in field.split("."))


def status(row: Entry) -> str:
    """published | changed | draft | scheduled | deleted."""
    if row.deleted:
        return "deleted"
    if row.publish_at is not None:
        return "scheduled"
    if row.published is None:
        return "draft"
    return "changed" if row.draft is not None else "published"


def current(row: Entry) -> dict[str, Any]:
    """The document an editor starts from: the draft when there is one, else the published one."""
    return dict(row.draft if row.draft is not None else row.published or {})


def lines(doc: Mapping[str, Any]) -> list[str]:
    """A document as labelled lines, so a diff reads like the editor page."""
    out: list[str] = []
    for name in FIELDS:
        value = doc.get(name)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            out.append(f"{FIELD_LABELS[name]}：")
            out.extend(f"  - {item}" for item in value)
        elif isinstance(value, Mapping):
            out.extend(f"{FIELD_LABELS[name]}·{FIELD_LABELS.get(k, k)}：{v}"
                       for k, v in value.items() if v)
        elif isinstance(value, str) and "\n" in value:
            out.append(f"{FIELD_LABELS[name]}：")
            out.extend(f"  {line}" for line in value.splitlines())
        else:
            out.append(f"{FIELD_LABELS[name]}：{value}")
    return out
