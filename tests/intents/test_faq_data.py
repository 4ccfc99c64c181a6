"""The shipped content: loads, lints clean, every number traceable to the source document."""

import re
from pathlib import Path

from intents.lint import check_entries
from intents.models import FaqEntry

SOURCE = Path(__file__).resolve().parents[2] / "faq_data" / "source" / \
    "wenzhou-education-2023-summary-2024-plan.txt"
# Numbers allowed from outside the source: emergency and national hotlines (design.md).
ALLOWED = {"110", "120", "12356", "12355", "12345"}
NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")


def test_content_loads_with_enough_depth_on_core_topics(content):
    by_topic: dict[str, list[FaqEntry]] = {}
    for entry in content.entries:
        by_topic.setdefault(entry.topic, []).append(entry)
    assert len(by_topic["enrollment"]) >= 12
    assert len(by_topic["hotline"]) >= 6
    assert len(by_topic["honors"]) >= 12
    assert len(content.entries) >= 100


def test_lint_is_clean(content, engine):
    problems = check_entries(list(content.entries), engine)
    assert problems == [], "\n".join(map(str, problems))


def test_every_number_in_answers_is_in_the_source(content):
    seed = set(NUMBER.findall(SOURCE.read_text(encoding="utf-8")))
    untraceable = [
        (entry.id, number)
        for entry in content.entries
        for text in (entry.title, entry.answer, entry.answer_en or "")
        for number in NUMBER.findall(text)
        if number not in seed and number not in ALLOWED
    ]
    assert untraceable == []


def test_every_entry_cites_the_document(content):
    for entry in content.entries:
        assert entry.source.number == "温教发〔2024〕1号", entry.id
        assert entry.source.document in ("温州市教育局2023年工作总结", "温州市教育局2024年工作要点",
                                         "温州市教育局关于印发2023年工作总结和2024年工作要点的通知")


def test_core_entries_have_english_answers(content):
    for entry in content.entries:
        if entry.topic in ("enrollment", "hotline", "honors"):
            assert entry.answer_en, entry.id


def test_every_part_of_the_source_is_answerable(content):
    """All four parts of the 2023 summary and all 23 numbered items of the 2024 plan."""
    plan_items = {e.source.section.split("、")[-1] for e in content.entries
                  if e.source.document == "温州市教育局2024年工作要点"}
    assert {str(n) for n in range(1, 24)} <= plan_items
    summary_parts = {e.source.section[:1] for e in content.entries
                     if e.source.document == "温州市教育局2023年工作总结"}
    assert set("一二三四") <= summary_parts


def test_2024_targets_expire_with_the_plan_year(content):
    for entry in content.entries:
        assert entry.valid_from is not None, entry.id
        if entry.valid_until is not None:
            assert entry.valid_until.isoformat() == "2024-12-31", entry.id


def test_lint_finds_an_answer_saying_a_detail_is_missing_that_not_covered_omits(content, engine):
    entry = content.entries[0]
    lying = entry.model_copy(update={
        "answer": entry.answer + "\n文件没有写报名的电话和材料。",
        "not_covered": tuple(s for s in entry.not_covered if s not in ("phone", "documents"))})
    problems = [p for p in check_entries([lying, *content.entries[1:]], engine)
                if p.check == "not_covered"]
    assert [p.entry_id for p in problems] == [entry.id]
    assert "phone" in problems[0].detail and "documents" in problems[0].detail


def test_lint_finds_an_answer_that_opens_with_what_the_document_lacks(content, engine):
    entry = content.entries[0]
    backwards = entry.model_copy(update={"answer": "文件没有写报名的电话。" + entry.answer})
    problems = [p.entry_id for p in check_entries([backwards, *content.entries[1:]], engine)
                if p.check == "lacks_first"]
    assert problems == [entry.id]  # test_lint_is_clean: no shipped answer opens so


def test_every_entry_says_what_its_source_lacks(content):
    assert all(e.not_covered for e in content.entries)
