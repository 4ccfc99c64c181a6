"""Charts as plain SVG, built server-side: no script, no CDN, the same file on a page and in a
report sent by mail.

Every chart is built as an ElementTree, so every label is escaped by the serialiser, never by
hand. Each has a ``<title>`` and ``<desc>`` (``role="img"`` and ``aria-labelledby`` name them),
a ``viewBox`` and ``width="100%"``, so it scales to the column it sits in; the drawing is 360
units wide, which keeps 12-unit text about 11 px tall on a 390 px phone. Colours are
presentation attributes, not CSS: the admin's Content-Security-Policy allows no inline style.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

WIDTH = 360
FONT = "WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"
PALETTE = ("#1f6feb", "#e8710a", "#2e7d32", "#8e44ad", "#00838f", "#c62828", "#8d6e00",
           "#ad1457", "#546e7a")
INK, MUTED, GRID = "#1d2733", "#5b6877", "#d8dee6"
PLOT_H, LEFT, RIGHT, AXIS_H = 150, 34, 8, 26

Series = tuple[str, Sequence[int]]


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` draws: a CJK character is square, Latin about 0.6 of the size."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def clip(text: str, size: float, width: float) -> str:
    """``text`` cut with "…" to fit ``width``."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def nice_max(value: int) -> int:
    """A round, even top for an axis at or above ``value`` (so its middle line is whole)."""
    value = max(value, 2)
    step: int = 10 ** math.floor(math.log10(value))
    return next(m * step for m in (1, 2, 4, 6, 8, 10) if m * step >= value)


class _Svg:
    """One chart being drawn: the root, its title and description, and a cursor downwards."""

    def __init__(self, chart_id: str, title: str, desc: str) -> None:
        self.root = ET.Element("svg", {
            "xmlns": "http://www.w3.org/2000/svg", "role": "img", "width": "100%",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc", "class": "chart",
            "id": chart_id, "font-family": FONT, "font-size": "12", "fill": INK})
        ET.SubElement(self.root, "title", id=f"{chart_id}-title").text = title
        ET.SubElement(self.root, "desc", id=f"{chart_id}-desc").text = desc
        self.y = 4.0

    def add(self, tag: str, parent: ET.Element | None = None, text: str | None = None,
            **attrs: float | str) -> ET.Element:
        """A child element; numbers are written with at most one decimal."""
        element = ET.SubElement(self.root if parent is None else parent, tag,
                                {k.rstrip("_").replace("_", "-"): _num(v)
                                 for k, v in attrs.items()})
        if text is not None:
            element.text = text
        return element

    def legend(self, names: Sequence[str], colors: Sequence[str]) -> None:
        """Swatches and names, wrapped onto as many rows as they need."""
        x, row = 0.0, self.y
        for name, color in zip(names, colors, strict=False):
            label = clip(name, 11, WIDTH / 2 - 18)
            width = 16 + text_width(label, 11) + 10
            if x and x + width > WIDTH:
                x, row = 0.0, row + 16
            self.add("rect", x=x, y=row + 2, width=10, height=10, fill=color)
            self.add("text", text=label, x=x + 14, y=row + 11, font_size=11)
            x += width
        self.y = row + 30 if names else self.y + 10  # room for a total above a full bar

    def axes(self, top: int, labels: Sequence[str]) -> tuple[float, float]:
        """Grid lines with counts, day labels under the slots; returns (slot width, baseline)."""
        base = self.y + PLOT_H
        for i in range(3):
            value = top * i / 2
            y = base - PLOT_H * i / 2
            self.add("line", x1=LEFT, x2=WIDTH - RIGHT, y1=y, y2=y, stroke=GRID)
            self.add("text", text=f"{value:g}", x=LEFT - 4, y=y + 4, font_size=10,
                     text_anchor="end", fill=MUTED)
        slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
        every = max(1, math.ceil(len(labels) * 38 / (WIDTH - LEFT - RIGHT)))
        for i, label in enumerate(labels):
            if i % every == 0:
                self.add("text", text=label, x=LEFT + slot * (i + 0.5), y=base + 15,
                         font_size=10, text_anchor="middle", fill=MUTED)
        return slot, base

    def empty(self, message: str = "此期间没有数据") -> None:
        """A note across an empty plot."""
        self.add("text", text=message, x=WIDTH / 2, y=self.y + PLOT_H / 2, text_anchor="middle",
                 fill=MUTED)

    def done(self, height: float) -> str:
        """The chart as SVG text, its view box ``height`` units tall."""
        self.root.set("viewBox", f"0 0 {WIDTH} {math.ceil(height)}")
        return ET.tostring(self.root, encoding="unicode")


def _num(value: float | str) -> str:
    return f"{value:.1f}".removesuffix(".0") if isinstance(value, float) else str(value)


def stacked_days(chart_id: str, title: str, desc: str, days: Sequence[str],
                 series: Sequence[Series]) -> str:
    """Bars per day, one stacked segment per series (channel, topic), the total on top."""
    svg = _Svg(chart_id, title, desc)
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    svg.legend([name for name, _ in series], colors)
    totals = [sum(values[i] for _, values in series) for i in range(len(days))]
    top = nice_max(max(totals, default=0))
    slot, base = svg.axes(top, days)
    if not any(totals):
        svg.empty()
    for i, day in enumerate(days):
        y, x = base, LEFT + slot * i + slot * 0.15
        for (name, values), color in zip(series, colors, strict=True):
            if values[i]:
                height = PLOT_H * values[i] / top
                y -= height
                bar = svg.add("rect", x=x, y=y, width=slot * 0.7, height=height, fill=color)
                svg.add("title", bar, f"{day} {name}：{values[i]}")
        if totals[i] and len(days) <= 14:
            svg.add("text", text=str(totals[i]), x=x + slot * 0.35, y=y - 3, font_size=9,
                    text_anchor="middle", fill=MUTED)
    return svg.done(base + AXIS_H)


def trend_lines(chart_id: str, title: str, desc: str, days: Sequence[str],
                series: Sequence[Series]) -> str:
    """One line per series over the days (the unanswered groups' counts)."""
    svg = _Svg(chart_id, title, desc)
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    svg.legend([name for name, _ in series], colors)
    top = nice_max(max((max(v, default=0) for _, v in series), default=0))
    slot, base = svg.axes(top, days)
    if not series:
        svg.empty()
    for (name, values), color in zip(series, colors, strict=True):
        points = [(LEFT + slot * (i + 0.5), base - PLOT_H * v / top) for i, v in enumerate(values)]
        line = svg.add("polyline", fill="none", stroke=color, stroke_width=2,
                       points=" ".join(f"{_num(x)},{_num(y)}" for x, y in points))
        svg.add("title", line, name)
        if len(points) <= 31:
            for (x, y), day, value in zip(points, days, values, strict=True):
                dot = svg.add("circle", cx=x, cy=y, r=2.5, fill=color)
                svg.add("title", dot, f"{day} {name}：{value}")
    return svg.done(base + AXIS_H)


def hbars(chart_id: str, title: str, desc: str,
          rows: Sequence[tuple[str, float, str]], colors: Sequence[str] = PALETTE) -> str:
    """One bar per row: the label and its figure on a line, a bar of ``share`` (0..1) below."""
    svg = _Svg(chart_id, title, desc)
    if not rows:
        svg.add("text", text="此期间没有数据", x=WIDTH / 2, y=svg.y + 24, text_anchor="middle",
                fill=MUTED)
        return svg.done(svg.y + 40)
    for i, (label, share, figure) in enumerate(rows):
        y = svg.y + i * 34
        svg.add("text", text=figure, x=WIDTH, y=y + 12, text_anchor="end")
        room = WIDTH - text_width(figure, 12) - 8
        svg.add("text", text=clip(label, 12, room), x=0, y=y + 12)
        svg.add("rect", x=0, y=y + 17, width=WIDTH, height=10, fill="#eef2f6")
        if share > 0:
            bar = svg.add("rect", x=0, y=y + 17, width=max(1.0, WIDTH * min(share, 1.0)),
                          height=10, fill=colors[i % len(colors)])
            svg.add("title", bar, f"{label}：{figure}")
    return svg.done(svg.y + len(rows) * 34 + 2)
