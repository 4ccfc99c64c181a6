"""The analytics page (统计) and its CSV export, and the chart set the weekly report reuses.

The range comes from the query (``?from=2024-06-01&to=2024-06-07``, Beijing days; the last seven
days when absent). A range that cannot be read is the page again with what was typed and why,
status 400, never an error page: staff fix the date and go on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiohttp import web
from markupsafe import Markup

from bot.keys import SERVICES
from bot.web.admin_render import render
from bot.web.auth import principal
from bot.web.charts import Series, hbars, stacked_days, trend_lines
from services.errors import Invalid
from services.platform import require
from services.staff import AnalyticsService, DateRange, Figures

TOP_SERIES = 7  # more channels or topics than this: the rest are one "其他" segment
OUTCOME_COLORS = ("#2e7d32", "#1f6feb", "#e8710a", "#c62828", "#90a4ae")
CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula

Cell = str | int


@dataclass(frozen=True)
class Chart:
    """One chart: a file name for the report, its title, the SVG, and the data as a table."""

    name: str
    title: str
    svg: Markup
    header: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage ("<1%" for a small share that is not 0)."""
    if not whole or not part:
        return "0%"
    share = 100 * part / whole
    return "<1%" if share < 1 else f"{share:.0f}%"


def _top(series: list[Series], days: int) -> list[Series]:
    if len(series) <= TOP_SERIES:
        return series
    head, rest = series[:TOP_SERIES - 1], series[TOP_SERIES - 1:]
    return [*head, ("其他", [sum(v[i] for _, v in rest) for i in range(days)])]


def _per_day(figures: Figures, series: Sequence[Series]) -> tuple[list[str], list[list[Cell]]]:
    header = ["日期", *(name for name, _ in series), "合计"]
    rows: list[list[Cell]] = []
    for i, day in enumerate(figures.days):
        values = [v[i] for _, v in series]
        rows.append([day.day.isoformat(), *values, sum(values)])
    return header, rows


def _busiest(series: Sequence[Series]) -> str:
    if not series:
        return "此期间没有消息。"
    return "；".join(f"{name} {sum(values)} 条" for name, values in series) + "。"


def charts(figures: Figures, prefix: str = "chart") -> list[Chart]:
    """The charts of ``figures``: by channel, by topic, outcomes, unanswered trend, worst rated."""
    days = [d.day.strftime("%m-%d") for d in figures.days]
    n, out = len(days), []
    by_channel = _top([(c, [d.channels[c] for d in figures.days]) for c in figures.channels], n)
    by_topic = _top([(figures.topic_title(t), [d.topics[t] for d in figures.days])
                     for t in figures.topics], n)
    for name, title, series, what in (
            ("questions-by-channel", "每天的消息（按渠道）", by_channel, "渠道"),
            ("questions-by-topic", "每天的提问（按主题）", by_topic, "主题")):
        desc = f"{figures.period}每天的消息数，按{what}分段。{_busiest(series)}"
        svg = stacked_days(f"{prefix}-{name}", title, desc, days, series)
        out.append(Chart(name, title, Markup(svg), *_per_day(figures, series)))
    out.append(_outcomes(figures, prefix))
    out.append(_unanswered(figures, prefix, days))
    out.append(_worst(figures, prefix))
    return out


def _outcomes(figures: Figures, prefix: str) -> Chart:
    total, counts = figures.total, figures.outcomes
    labels = figures.outcome_labels
    rows = [(labels[k], v / total if total else 0.0, f"{v} 条（{percent(v, total)}）")
            for k, v in counts.items()]
    desc = f"共 {total} 条消息：" + "，".join(f"{label} {figure}" for label, _, figure in rows)
    title = "回答、澄清、未答与危机的占比"
    svg = hbars(f"{prefix}-outcomes", title, desc, rows, OUTCOME_COLORS)
    table: list[list[Cell]] = [[labels[k], v, percent(v, total)] for k, v in counts.items()]
    return Chart("outcomes", title, Markup(svg), ["结果", "条数", "占比"], table)


def _unanswered(figures: Figures, prefix: str, days: list[str]) -> Chart:
    title = f"未答问题的走势（前 {len(figures.unanswered) or 5} 组）"
    series: list[Series] = [(t.text, t.per_day) for t in figures.unanswered]
    desc = ("此期间没有未处理的未答问题。" if not series else "每天被问到的次数：" + "；".join(
        f"“{t.text}”共 {t.in_range} 次" for t in figures.unanswered) + "。")
    svg = trend_lines(f"{prefix}-unanswered", title, desc, days, series)
    header = ["日期", *(f"{i + 1}. {t.text[:12]}" for i, t in enumerate(figures.unanswered))]
    rows: list[list[Cell]] = [[d.day.isoformat(), *(t.per_day[i] for t in figures.unanswered)]
                              for i, d in enumerate(figures.days)]
    return Chart("unanswered-trend", title, Markup(svg), header, rows)


def _worst(figures: Figures, prefix: str) -> Chart:
    title = "评价最差的条目（好评率）"
    rows = [(r.title, r.approval, f"好评 {r.up} · 差评 {r.down} · {percent(r.up, r.up + r.down)}")
            for r in figures.worst]
    desc = ("此期间没有收到差评（👎）。" if not rows else "好评率最低的条目：" + "；".join(
        f"{label} {figure}" for label, _, figure in rows) + "。")
    svg = hbars(f"{prefix}-worst", title, desc, rows, ("#c62828",))
    table: list[list[Cell]] = [[r.title, r.up, r.down, percent(r.up, r.up + r.down)]
                               for r in figures.worst]
    return Chart("worst-entries", title, Markup(svg), ["条目", "好评", "差评", "好评率"], table)


def analytics_service(request: web.Request) -> AnalyticsService:
    """The figures' reader over the running store, with the content's normaliser and topics."""
    services = request.app[SERVICES]
    titles = {t.id: t.title for t in services.catalog.content.topics}
    return AnalyticsService(services.sessionmaker, services.catalog.normalizer, titles)


def _period(request: web.Request) -> DateRange:
    require(principal(request), "editor", "查看统计")
    return DateRange.parse(request.query.get("from", ""), request.query.get("to", ""))


async def analytics(request: web.Request) -> web.Response:
    """The figures of the chosen range as charts, each with its data as a table."""
    typed = {"start": request.query.get("from", ""), "end": request.query.get("to", "")}
    try:
        period = _period(request)
    except Invalid as exc:
        return render(request, "analytics.html", status=400, error=exc.message, figures=None,
                      charts=[], latency=(None, None, 0), **typed)
    figures = await analytics_service(request).figures(period)
    return render(request, "analytics.html", error="", figures=figures, charts=charts(figures),
                  latency=figures.latency, start=period.start.isoformat(),
                  end=period.end.isoformat())


def csv_text(figures: Figures) -> str:
    """The per-day figures as CSV (with a byte-order mark, so spreadsheets read it as UTF-8)."""
    header, rows = figures.table()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    table: list[list[Cell]] = [list(header), *rows]
    for row in table:
        writer.writerow([f"'{c}" if isinstance(c, str) and c.startswith(CSV_RISKY) else c
                         for c in row])
    return "\ufeff" + buffer.getvalue()


async def analytics_csv(request: web.Request) -> web.Response:
    """``/admin/analytics.csv``: the range's per-day figures for a spreadsheet."""
    try:
        period = _period(request)
    except Invalid as exc:
        return web.Response(status=400, text=exc.message, content_type="text/plain")
    figures = await analytics_service(request).figures(period)
    name = f"wenjiao-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return web.Response(text=csv_text(figures), content_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
