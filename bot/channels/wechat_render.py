"""A :class:`Reply` as WeChat text: the answer, its citation and numbered options, in pages.

WeChat shows plain text only (no buttons in a passive reply), so options become a numbered list
that the user answers with a number, which the dialogue already understands. A text message may
carry at most 2048 bytes: a longer reply is cut into pages at paragraph (then sentence) breaks,
never inside a character, and every page but the last ends with a numbered "more" line.
"""

from __future__ import annotations

import re

from services import Reply
from services.dialogue import Lang

MAX_BYTES = 2048  # WeChat's limit on a text message's Content, in UTF-8 bytes
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;.])")

_TEXTS = {
    "zh": {"source": "出处：", "pick": "回复 {range} 查看：",
           "related": "相关问题（回复 {range} 查看）：", "more": "（未完，回复 {n} 继续阅读）"},
    "en": {"source": "Source: ", "pick": "Reply {range} to read:",
           "related": "Related (reply {range} to read):", "more": "(More: reply {n} to continue)"},
}


def utf8_len(text: str) -> int:
    """Length of ``text`` as WeChat counts it."""
    return len(text.encode("utf-8"))


def render_text(reply: Reply) -> str:
    """The whole reply as one text: answer, citation, then the numbered options."""
    words = _TEXTS["en" if reply.lang == "en" else "zh"]
    parts = [reply.text.strip()]
    if reply.source:
        parts.append(f"{words['source']}{reply.source}")
    if reply.options:
        count = len(reply.options)
        numbers = "1" if count == 1 else f"1–{count}"
        lines = [f"{i}. {o.title}" for i, o in enumerate(reply.options, start=1)]
        if reply.kind == "answer":
            lines.insert(0, words["related"].format(range=numbers))
        elif reply.kind != "clarify":  # a clarification's text already asks for a number
            lines.insert(0, words["pick"].format(range=numbers))
        parts.append("\n".join(lines))
    return "\n\n".join(p for p in parts if p)


def more_line(number: int, lang: Lang = "zh") -> str:
    """The line that ends a page which has a continuation."""
    return _TEXTS["en" if lang == "en" else "zh"]["more"].format(n=number)


def paginate(text: str, number: int, lang: Lang = "zh", limit: int = MAX_BYTES) -> list[str]:
    """``text`` in pages of at most ``limit`` bytes; all but the last end with the "more" line."""
    if utf8_len(text) <= limit:
        return [text]
    tail = "\n\n" + more_line(number, lang)
    pages = split_text(text, limit - utf8_len(tail))
    return [page + tail for page in pages[:-1]] + pages[-1:]


def split_text(text: str, budget: int, level: int = 0) -> list[str]:
    """Pieces of at most ``budget`` bytes (``budget`` >= 4), cut at blank lines where possible,
    else at line breaks, then sentence ends, then between characters; whitespace at a cut goes."""
    if utf8_len(text) <= budget:
        return [text.strip()]
    separator = _SEPARATORS[level]
    pages: list[str] = []
    current = ""
    for piece in _pieces(text, level):
        candidate = f"{current}{separator}{piece}" if current else piece
        if utf8_len(candidate) <= budget:
            current = candidate
            continue
        if current.strip():
            pages.append(current)
        if utf8_len(piece) <= budget:
            current = piece
        else:
            *full, current = split_text(piece, budget, level + 1)
            pages.extend(full)
    pages.append(current)
    return [page.strip() for page in pages if page.strip()] or [""]


_SEPARATORS = ("\n\n", "\n", "", "")


def _pieces(text: str, level: int) -> list[str]:
    """``text`` cut at the break of ``level``: blank lines, lines, sentence ends, characters."""
    if _SEPARATORS[level]:
        return text.split(_SEPARATORS[level])
    if level == len(_SEPARATORS) - 2:
        return [s for s in _SENTENCE_END.split(text) if s]
    return list(text)
