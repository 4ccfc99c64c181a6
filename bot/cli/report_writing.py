"""``wenjiao report``: the weekly summary staff forward, a Markdown file with its charts as SVG
files beside it (the same charts as the admin's 统计 page).

It reads the database alone (:func:`~bot.cli.base.with_database`): no engine, no dialogue. The
content folder is read only for the topics' titles and the synonym table that groups unanswered
questions as the inbox does; without it topic ids are shown and grouping is nearly the same.
Crises appear as a count: their texts are only ever on the crisis follow-up page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.base import quiet_logging, settings, with_database
from bot.web.admin_analytics import charts, percent
from intents import FaqDataError, Normalizer, load_content
from services.errors import Invalid
from services.platform import local, retention
from services.staff import AnalyticsService, DateRange, Figures

# What can start markup inside a line (CommonMark lets any ASCII punctuation be escaped; these are
# the ones that matter mid-line, so the file stays readable as plain text when forwarded).
MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|~&")
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def md(text: object) -> str:
    """``text`` as literal Markdown on one line: a question like ``<b>|[x](y)`` cannot become
    markup, a link or a table cell."""
    flat = " ".join(str(text).split())
    return "".join(f"\\{c}" if c in MARKDOWN_SPECIAL else c for c in flat)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def _row(*cells: object) -> str:
    return "| " + " | ".join(md(c) for c in cells) + " |"


def markdown(figures: Figures, chart_files: list[tuple[str, str]]) -> str:
    """The report's text: the figures, the top unanswered, the worst entries, the charts."""
    total, counts, labels = figures.total, figures.outcomes, figures.outcome_labels
    median, p95, timed = figures.latency
    made = local(datetime.now(UTC))
    lines = [f"# 温教问答 · 使用情况 {figures.period}", "",
             f"北京时间；`wenjiao report` 生成于 {made}。", "", "## 概览", "",
             "| 项目 | 数值 |", "|---|---|", _row("消息", total)]
    lines += [_row(labels[k], f"{v}（{percent(v, total)}）") for k, v in counts.items()]
    lines += [_row("回复用时中位数 / p95", f"{_ms(median)} / {_ms(p95)}（{timed} 条）"), "",
              f"危机对话 {figures.crises} 条：只计数，内容请在管理后台“危机跟进”查看。", "",
              "## 每天", "", "| 日期 | 消息 | " + " | ".join(labels[k] for k in counts) + " |",
              "|---" * (len(counts) + 2) + "|"]
    lines += [_row(d.day.isoformat(), d.total, *(d.outcomes[k] for k in counts))
              for d in figures.days]
    lines += ["", "## 问得最多的未答问题", ""]
    lines += [f"{i}. {md(t.text)}：此期间 {t.in_range} 次（累计 {t.total} 次）"
              for i, t in enumerate(figures.unanswered, 1)] or ["此期间没有未处理的未答问题。"]
    lines += ["", "## 评价最差的条目", ""]
    if figures.worst:
        lines += ["| 条目 | 好评 👍 | 差评 👎 | 好评率 |", "|---|---|---|---|"]
        lines += [_row(f"{r.title}（{r.entry_id}）", r.up, r.down, percent(r.up, r.up + r.down))
                  for r in figures.worst]
    else:
        lines.append("此期间没有收到差评（👎）。")
    lines += ["", "## 图", ""]
    for title, file in chart_files:
        lines += [f"![{md(title)}]({file})", ""]
    return "\n".join(lines)


def write_report(figures: Figures, folder: Path) -> Path:
    """Write report.md and one SVG per chart into ``folder``; returns the report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for chart in charts(figures, prefix="report"):
        file = f"{chart.name}.svg"
        (folder / file).write_text(XML_DECLARATION + str(chart.svg) + "\n",
                                   encoding="utf-8")
        files.append((chart.title, file))
    path = folder / "report.md"
    path.write_text(markdown(figures, files), encoding="utf-8")
    return path


def _content_hints(faq_dir: Path) -> tuple[dict[str, str], Callable[[str], str] | None]:
    """Topic titles and the normaliser of the content folder, or nothing when it cannot be read."""
    try:
        content = load_content(faq_dir)
    except (FaqDataError, OSError):
        return {}, None
    return {t.id: t.title for t in content.topics}, Normalizer(content.synonyms)


def _period(since: str) -> DateRange:
    try:
        days = math.ceil(retention.parse_age(since) / timedelta(days=1))
        end = DateRange.last(1).end
        return DateRange.parse((end - timedelta(days=days - 1)).isoformat(), end.isoformat())
    except (ValueError, OverflowError, Invalid) as exc:
        message = exc.message if isinstance(exc, Invalid) else str(exc)
        raise typer.BadParameter(message, param_hint="--since") from exc


def run(since: str, out: Path | None) -> None:
    """``wenjiao report``: the figures of the last ``since`` into ``out`` (bot/cli/report.py)."""
    quiet_logging()
    period = _period(since)
    config = settings()
    titles, normalize = _content_hints(config.faq_dir)

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> Figures:
        return await AnalyticsService(sessionmaker, normalize, titles).figures(period)

    figures = with_database(work)
    folder = out or Path(f"wenjiao-report-{period.start.isoformat()}-{period.end.isoformat()}")
    print(write_report(figures, folder))
