"""Rendering a Reply for Telegram: escaping, the 4,096-character limit, buttons and their data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram_render import (
    MAX_CALLBACK_DATA,
    MAX_MESSAGE,
    Pick,
    Vote,
    keyboard,
    option_data,
    parse_data,
    render,
    render_plain,
    units,
)
from services import Option, Reply
from tests.bot.telegram_fakes import visible_text

UI = {"source": "出处", "related": "相关问题："}


def ui(key: str, lang: str) -> str:
    return UI[key] if lang == "zh" else key.capitalize()


def answer(text: str, **fields) -> Reply:
    return Reply(kind="answer", text=text, confidence=1.0, **fields)


def test_user_and_content_strings_are_escaped():
    reply = answer("<script>alert(1)</script> & AT&T <b>不是粗体</b>",
                   source="《文件<i>》 & 附件")
    [html] = render(reply, ui)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert visible_text(html) == ("<script>alert(1)</script> & AT&T <b>不是粗体</b>\n\n"
                                  "出处：《文件<i>》 & 附件")


def test_the_citation_is_italic_and_related_questions_get_a_heading():
    reply = answer("答案。", source="《要点》一、1", options=[Option(id="a.b", title="相关")])
    [html] = render(reply, ui)
    assert html == "答案。\n\n<i>出处：《要点》一、1</i>\n\n相关问题："


def test_english_citation_uses_an_ascii_colon():
    [html] = render(answer("Answer.", source="Plan", lang="en"), ui)
    assert html.endswith("<i>Source: Plan</i>")


def test_long_reply_is_split_on_paragraph_boundaries():
    paragraphs = [f"第{n}段。" + "教育" * 400 for n in range(12)]  # ~805 characters each
    chunks = render(answer("\n\n".join(paragraphs)), ui)
    assert len(chunks) > 1
    assert all(units(chunk) <= MAX_MESSAGE for chunk in chunks)
    assert [p for chunk in chunks for p in chunk.split("\n\n")] == paragraphs


def test_one_huge_paragraph_is_cut_on_lines_then_characters():
    lines = ["一行" * 1000, "二行" * 3000]  # the second line alone is over the limit
    chunks = render(answer("\n".join(lines)), ui)
    assert all(units(chunk) <= MAX_MESSAGE for chunk in chunks)
    assert "".join(c.replace("\n", "") for c in chunks) == "".join(lines)
    assert chunks[0] == lines[0]


def test_escaping_never_pushes_a_chunk_over_the_limit():
    chunks = render_plain("&" * 5000)  # each & becomes &amp; (5 characters)
    assert all(units(chunk) <= MAX_MESSAGE for chunk in chunks)
    assert "".join(visible_text(c) for c in chunks) == "&" * 5000
    assert all(not c.endswith("&am") for c in chunks)  # never cut inside an entity


def test_length_is_counted_in_utf16_units_like_telegram():
    assert units("😀") == 2 and units("教") == 1
    chunks = render_plain("😀" * 3000)
    assert all(units(chunk) <= MAX_MESSAGE for chunk in chunks)
    assert len(chunks) == 2


@given(st.text(alphabet=st.sampled_from("教育<>&\n 😀a"), max_size=9000))
def test_any_text_survives_rendering(text):
    chunks = render_plain(text)
    assert all(0 < units(chunk) <= MAX_MESSAGE for chunk in chunks)
    shown = "".join(visible_text(c) for c in chunks)
    assert "".join(shown.split()) == "".join(text.split())


def test_buttons_are_numbered_and_answers_carry_votes():
    reply = answer("答案", options=[Option(id="honors.a", title="甲"),
                                   Option(id="honors.b", title="乙")], exchange_id=7)
    rows = keyboard(reply).inline_keyboard
    assert [[(b.text, b.callback_data) for b in row] for row in rows] == [
        [("1. 甲", "o:honors.a")], [("2. 乙", "o:honors.b")],
        [("👍", "v:7:1"), ("👎", "v:7:-1")]]


def test_no_votes_without_a_stored_exchange_or_on_a_clarification():
    assert keyboard(answer("答案")) is None
    clarify = Reply(kind="clarify", text="哪一个？", confidence=0.5, exchange_id=3,
                    options=[Option(id="a.b", title="甲"), Option(id="none", title="都不是")])
    datas = [b.callback_data for row in keyboard(clarify).inline_keyboard for b in row]
    assert datas == ["o:a.b", "o:none"]


def test_callback_data_fits_in_64_bytes():
    long_id = "overview." + "x" * 80
    assert option_data(long_id, 3) == "n:3"
    assert len(option_data("enrollment." + "长" * 20, 1).encode()) <= MAX_CALLBACK_DATA
    assert parse_data(option_data(long_id, 3)) == Pick(number=3)
    assert parse_data("o:enrollment.eligibility") == Pick(option_id="enrollment.eligibility")


@pytest.mark.parametrize("data, parsed", [
    ("v:12:1", Vote(12, 1)), ("v:12:-1", Vote(12, -1)), ("v:12:5", None), ("v:x:1", None),
    ("n:", None), ("o:", None), ("", None), (None, None), ("zzz", None)])
def test_button_data_is_parsed_strictly(data, parsed):
    assert parse_data(data) == parsed
