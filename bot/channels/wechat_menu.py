"""The official account's custom menu, built from the content's topics.

WeChat allows at most 3 top-level buttons (names up to 16 bytes) with at most 5 sub-buttons each
(names up to 60 bytes), and CLICK keys up to 128 bytes. Topics come in content order with the
core ones first; each top-level button is a topic, its sub-buttons are the topic's first entries
(key: the entry id, which the channel answers) and a last "more" button (key ``topic:<id>``, which
opens the topic's list). Names are shortened at a character, never inside one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from services.dialogue import TOPIC_PREFIX  # the dialogue's option id for a topic

if TYPE_CHECKING:  # bot uses the engine's models for typing only
    from intents import FaqEntry
    from intents.models import Topic

MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
NAME_BYTES = 16
TOP_WIDTH = 8  # display width of a top-level name: four Chinese characters
SUB_NAME_BYTES = 60
KEY_BYTES = 128
MORE_LABEL = "更多问题…"
_CLAUSE = re.compile(r"[与和及、，,（(]")


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def fit(name: str, limit: int, ellipsis: str = "…") -> str:
    """``name`` within ``limit`` UTF-8 bytes, cut between characters with an ellipsis."""
    if _bytes(name) <= limit:
        return name
    out = ""
    for char in name:
        if _bytes(out + char + ellipsis) > limit:
            break
        out += char
    return out + ellipsis


def short_name(title: str, limit: int = NAME_BYTES) -> str:
    """A top-level name: the title, else its first clause, else its first four Chinese
    characters (WeChat shows four in a top-level button, eight narrow ones)."""
    if _bytes(title) <= limit:
        return title
    head = _CLAUSE.split(title, maxsplit=1)[0].strip() or title
    if _bytes(head) <= limit:
        return head
    out, width = "", 0
    for char in head:
        width += 2 if _bytes(char) > 1 else 1
        if width > TOP_WIDTH or _bytes(out + char) > limit:
            break
        out += char
    return out


def build_menu(topics: Sequence[Topic], entries_of: Callable[[str], Sequence[FaqEntry]],
               labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The menu JSON for ``client.menu.create``; ``labels`` overrides top-level names by topic."""
    labels = labels or {}
    ordered = [t for t in topics if t.core] + [t for t in topics if not t.core]
    buttons: list[dict[str, Any]] = []
    for topic in ordered:
        entries = [e for e in entries_of(topic.id) if _bytes(e.id) <= KEY_BYTES]
        if not entries:
            continue
        more_key = TOPIC_PREFIX + topic.id
        crowded = len(entries) > MAX_SUB_BUTTONS and _bytes(more_key) <= KEY_BYTES
        shown = entries[:MAX_SUB_BUTTONS - 1] if crowded else entries[:MAX_SUB_BUTTONS]
        subs: list[dict[str, Any]] = [
            {"type": "click", "name": fit(e.title, SUB_NAME_BYTES), "key": e.id} for e in shown]
        if crowded:
            subs.append({"type": "click", "name": MORE_LABEL, "key": more_key})
        name = labels.get(topic.id) or short_name(topic.title)
        buttons.append({"name": fit(name, NAME_BYTES, ellipsis=""), "sub_button": subs})
        if len(buttons) == MAX_BUTTONS:
            break
    return {"button": buttons}
