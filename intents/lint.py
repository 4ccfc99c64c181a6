"""Content lint: the checks every change to ``faq_data/`` must pass.

Unique ids, related ids that exist, no phrasing in two entries, every phrasing matching its own
entry first (so the engine cannot confuse two entries), answers short enough for a phone screen
and a WeChat text reply, citations present, and every detail an answer says the document lacks
listed in the entry's ``not_covered``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from intents.engine import IntentEngine
from intents.models import FaqEntry, Slot

# WeChat passive text replies are limited to 2048 bytes; the answer shares them with the citation
# and the options, so the answer itself stays well under.
MAX_ANSWER_CHARS = 400
MAX_ANSWER_EN_CHARS = 1400
CORE_TOPICS = ("enrollment", "hotline", "honors")
MIN_QUESTIONS = 8


@dataclass(frozen=True, slots=True)
class Problem:
    """One lint finding."""

    entry_id: str
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.check}: {self.detail}"


def _structure(entries: list[FaqEntry]) -> list[Problem]:
    problems = []
    ids = {e.id for e in entries}
    for e in entries:
        if not e.id.startswith(f"{e.topic}."):
            problems.append(Problem(e.id, "id", f"id should start with its topic '{e.topic}.'"))
        problems += [Problem(e.id, "related", f"unknown id {r}") for r in e.related if r not in ids]
        if e.id in e.related:
            problems.append(Problem(e.id, "related", "relates to itself"))
        if len(e.questions) < MIN_QUESTIONS:
            problems.append(Problem(e.id, "questions", f"{len(e.questions)} < {MIN_QUESTIONS}"))
        if len(e.answer) > MAX_ANSWER_CHARS:
            problems.append(Problem(e.id, "length", f"answer {len(e.answer)} chars"))
        if e.answer_en and len(e.answer_en) > MAX_ANSWER_EN_CHARS:
            problems.append(Problem(e.id, "length", f"answer_en {len(e.answer_en)} chars"))
        if e.topic in CORE_TOPICS and not e.answer_en:
            problems.append(Problem(e.id, "answer_en", "core-topic entry without answer_en"))
        if "温教发〔2024〕1号" not in e.source.number:
            problems.append(Problem(e.id, "source", "citation lacks 温教发〔2024〕1号"))
        if e.valid_from is None:
            problems.append(Problem(e.id, "valid_from", "missing"))
    return problems


# An answer's own sentence saying what the document lacks ("文件没有写平台的网址或电话")…
_LACKS = re.compile(r"[^。；\n]*(?:文件|工作要点|总结)[^。；\n]{0,6}(?:没有|未)(?:写|说明|列出|公布|给出|规定|"
                    r"解释|提到|涉及|附)[^。；\n]*")
# …and the words in it that name a detail: each must be in the entry's ``not_covered``. Amounts
# are left out: an answer that gives some figures and says one is missing ("没有说明其中多少用于…")
# still answers the questions about the figures it gives.
LACK_WORDS: dict[Slot, str] = {
    "phone": r"电话|号码",
    "address": r"地址|地点|选址",
    "website_app": r"网址|入口|账号|App|APP|小程序|登录",
    "date_deadline": r"日期|截止|期限|(?<!开放)时间(?!安排)",
    "fee": r"收费|费用|学费",
    "documents": r"材料",
    "eligibility": r"条件",
    "named_entity": r"名单|哪些学校|人选",
    "opening_hours": r"开放时间|办公时间",
    "procedure": r"流程|报名方式|申请方式|申报方式|怎样申请|如何申请|怎么申请|登录方式|程序",
}


def _honesty(entries: list[FaqEntry]) -> list[Problem]:
    problems = []
    for e in entries:
        said = " ".join(_LACKS.findall(e.answer))
        missing = [slot for slot, words in LACK_WORDS.items()
                   if re.search(words, said) and slot not in e.not_covered]
        if missing:
            problems.append(Problem(e.id, "not_covered", "the answer says the document lacks "
                                    f"{', '.join(missing)} but not_covered does not list it"))
        if _LACKS.match(e.answer.strip()):  # a reader who stops at the first clause learns a gap
            problems.append(Problem(e.id, "lacks_first", "the answer opens with what the "
                                    "document lacks; lead with what it says, the gap after"))
    return problems


def _duplicates(entries: list[FaqEntry], engine: IntentEngine) -> list[Problem]:
    owners: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        for q in e.questions:
            owners[engine.normalize(q)].add(e.id)
    return [Problem(sorted(ids)[0], "duplicate", f"phrasing '{q}' also in {sorted(ids)[1:]}")
            for q, ids in owners.items() if len(ids) > 1]


def _self_match(entries: list[FaqEntry], engine: IntentEngine) -> list[Problem]:
    problems = []
    for e in entries:
        for q in e.questions:
            ranked = engine.rank(q, limit=2)
            if not ranked or ranked[0].entry_id != e.id:
                top = ranked[0].entry_id if ranked else "nothing"
                problems.append(Problem(e.id, "confused", f"'{q}' matches {top} first"))
    return problems


def check_entries(entries: list[FaqEntry], engine: IntentEngine) -> list[Problem]:
    """Every problem of the content; an empty list means the content is clean."""
    return (_structure(entries) + _honesty(entries) + _duplicates(entries, engine)
            + _self_match(entries, engine))
