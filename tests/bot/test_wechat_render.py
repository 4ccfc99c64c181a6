"""Rendering a Reply as WeChat text, and pages within 2048 bytes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.wechat_render import (
    MAX_BYTES,
    more_line,
    paginate,
    render_text,
    split_text,
    utf8_len,
)
from services import Option, Reply


def _reply(**kw) -> Reply:
    return Reply.model_validate({"kind": "answer", "text": "答案。", "confidence": 1.0, **kw})


def test_an_answer_shows_text_citation_and_numbered_related_questions():
    reply = _reply(source="《文件》（温教发〔2024〕1号）一、1",
                   options=[Option(id="a", title="问题甲"), Option(id="b", title="问题乙")])
    assert render_text(reply) == ("答案。\n\n出处：《文件》（温教发〔2024〕1号）一、1\n\n"
                                  "相关问题（回复 1–2 查看）：\n1. 问题甲\n2. 问题乙")


def test_a_clarification_lists_options_under_its_own_question():
    reply = _reply(kind="clarify", text="您想问的是下面哪一个？请回复数字：",
                   options=[Option(id="a", title="甲"), Option(id="none", title="都不是")])
    assert render_text(reply) == "您想问的是下面哪一个？请回复数字：\n\n1. 甲\n2. 都不是"


def test_english_replies_get_english_labels():
    reply = _reply(text="Answer.", lang="en", source="Doc", options=[Option(id="a", title="A")],
                   kind="greeting")
    assert render_text(reply) == "Answer.\n\nSource: Doc\n\nReply 1 to read:\n1. A"


def test_a_short_reply_is_one_page():
    assert paginate("短回答", 3) == ["短回答"]


def test_pages_are_cut_between_paragraphs_and_end_with_the_more_number():
    paragraphs = [f"第{i}段" + "字" * 300 for i in range(8)]  # ~900 bytes each
    pages = paginate("\n\n".join(paragraphs), 4)
    assert len(pages) == 4
    assert all(utf8_len(page) <= MAX_BYTES for page in pages)
    assert all(page.endswith("\n\n" + more_line(4)) for page in pages[:-1])
    assert more_line(4) not in pages[-1]
    bodies = [page.removesuffix("\n\n" + more_line(4)) for page in pages]
    assert bodies == ["\n\n".join(paragraphs[i:i + 2]) for i in range(0, 8, 2)]


def test_a_paragraph_too_long_for_a_page_is_cut_at_sentences_then_characters():
    sentence = "甲" * 50 + "。"  # 153 bytes: two do not fit in 200
    assert split_text(sentence * 3, 200) == [sentence] * 3
    assert split_text("字" * 100, 31) == ["字" * 10] * 10  # never inside a character


@given(text=st.text(max_size=3000), budget=st.integers(min_value=4, max_value=600))
def test_pieces_fit_the_budget_and_keep_every_character(text, budget):
    pieces = split_text(text, budget)
    assert all(utf8_len(p) <= budget for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                    max_size=4000), number=st.integers(min_value=1, max_value=20))
def test_pages_always_fit_wechat(text, number):
    pages = paginate(text, number)
    assert all(utf8_len(page) <= MAX_BYTES for page in pages)
    if len(pages) > 1:
        assert all(page.endswith(more_line(number)) for page in pages[:-1])
