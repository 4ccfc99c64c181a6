"""Plain-text rendering of a Reply for terminals (the same parts every channel shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services import Reply


def plain(reply: Reply) -> str:
    """The reply text, its numbered options and its citation."""
    lines = [reply.text]
    if reply.options:
        lines.append("")
        lines += [f"  {i}. {o.title}" for i, o in enumerate(reply.options, start=1)]
    if reply.source:
        lines += ["", f"出处：{reply.source}" if reply.lang == "zh" else f"Source: {reply.source}"]
    return "\n".join(lines)
