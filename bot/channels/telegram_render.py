"""Telegram's form of a :class:`Reply`: escaped HTML chunks, an inline keyboard, button data.

Every string that comes from a user or from content is passed through :func:`html.escape`, so a
question or an answer containing ``<script>`` or ``&`` is shown as written and never breaks the
HTML parse mode. Telegram refuses messages over 4,096 characters (counted in UTF-16 code units),
so long replies are cut on paragraph boundaries, then on lines, and only as a last resort inside
a line. Button data is at most 64 bytes: an option id that does not fit is sent as its number,
which the dialogue understands exactly as if the user had typed it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from services import Reply
from services.dialogue import Lang

MAX_MESSAGE = 4096
MAX_CALLBACK_DATA = 64
UP, DOWN = "👍", "👎"
_PARAGRAPH = re.compile(r"\n[ \t]*\n+")

UiText = Callable[[str, Lang], str]  # (key, lang) -> text, e.g. DialogService.text


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class _Block:
    """One paragraph of raw text and how it is marked up."""

    text: str
    italic: bool = False

    def markup(self, text: str | None = None) -> str:
        body = html.escape(self.text if text is None else text, quote=False)
        return f"<i>{body}</i>" if self.italic else body


def render(reply: Reply, ui: UiText, limit: int = MAX_MESSAGE) -> list[str]:
    """The reply as HTML messages, each within ``limit``: the text, its citation, a "related"
    heading when related questions follow as buttons."""
    blocks = [_Block(p) for p in _PARAGRAPH.split(reply.text.strip()) if p.strip()]
    if reply.source:
        separator = ": " if reply.lang == "en" else "："
        blocks.append(_Block(f"{ui('source', reply.lang)}{separator}{reply.source}", italic=True))
    if reply.kind == "answer" and reply.options:
        blocks.append(_Block(ui("related", reply.lang)))
    return pack([piece for block in blocks for piece in _fit(block, limit)], limit)


def render_plain(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """A fixed text (a notice, a help page) as escaped HTML messages."""
    blocks = [_Block(p) for p in _PARAGRAPH.split(text.strip()) if p.strip()]
    return pack([piece for block in blocks for piece in _fit(block, limit)], limit)


def pack(pieces: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Join marked-up paragraphs with blank lines into as few messages as fit in ``limit``."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        joined = f"{current}\n\n{piece}" if current else piece
        if units(joined) <= limit:
            current = joined
            continue
        chunks.append(current)
        current = piece
    if current:
        chunks.append(current)
    return chunks


def _fit(block: _Block, limit: int) -> Iterator[str]:
    """The block's markup, cut into pieces within ``limit`` (lines first, then characters)."""
    if units(block.markup()) <= limit:
        yield block.markup()
        return
    current = ""
    for line in block.text.split("\n"):
        joined = f"{current}\n{line}" if current else line
        if units(block.markup(joined)) <= limit:
            current = joined
            continue
        if current:
            yield block.markup(current)
        current = ""
        for char in line:  # a single line over the limit: cut it where it reaches the limit
            if units(block.markup(current + char)) > limit:
                yield block.markup(current)
                current = ""
            current += char
    if current:
        yield block.markup(current)


# -- buttons --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pick:
    """A pressed option: its id, or its 1-based number when the id did not fit."""

    option_id: str | None = None
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Vote:
    """A pressed 👍 (+1) or 👎 (-1) under an answer."""

    exchange_id: int
    value: int


def option_data(option_id: str, number: int) -> str:
    """Callback data of an option button, within Telegram's 64 bytes."""
    data = f"o:{option_id}"
    return data if len(data.encode()) <= MAX_CALLBACK_DATA else f"n:{number}"


def parse_data(data: str | None) -> Pick | Vote | None:
    """What a pressed button asks for; None for data this bot never sent."""
    kind, _, rest = (data or "").partition(":")
    if kind == "o" and rest:
        return Pick(option_id=rest)
    if kind == "n" and rest.isdigit():
        return Pick(number=int(rest))
    if kind == "v":
        exchange, _, value = rest.partition(":")
        if exchange.isdigit() and value in ("1", "-1"):
            return Vote(int(exchange), int(value))
    return None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One numbered button per option, then 👍/👎 under an answer that was stored."""
    rows = [[InlineKeyboardButton(f"{n}. {option.title}", callback_data=option_data(option.id, n))]
            for n, option in enumerate(reply.options, start=1)]
    if reply.kind == "answer" and reply.exchange_id is not None:
        rows.append([InlineKeyboardButton(UP, callback_data=f"v:{reply.exchange_id}:1"),
                     InlineKeyboardButton(DOWN, callback_data=f"v:{reply.exchange_id}:-1")])
    return InlineKeyboardMarkup(rows) if rows else None
