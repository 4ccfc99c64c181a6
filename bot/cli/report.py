"""``wenjiao report``: the weekly summary staff forward, a Markdown file with its charts as SVG
files beside it (the same charts as the admin's 统计 page).

It reads the database alone (:func:`~bot.cli.base.with_database`): no engine, no dialogue. The
content folder is read only for the topics' titles and the synonym table that groups unanswered
questions as the inbox does; without it topic ids are shown and grouping is nearly the same.
Crises appear as a count: their texts are only ever on the crisis follow-up page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def report(
    since: Annotated[str, typer.Option(
        help="How many days back, today included: 7d, 2w, 30d (hours round up to a day).")]
    = "7d",
    out: Annotated[Path | None, typer.Option(
        help="Folder for report.md and the charts (default ./wenjiao-report-FROM-TO).")] = None,
) -> None:
    """Write a summary of the last days (report.md plus SVG charts) and print its path."""
    from bot.cli import report_writing  # the store and the charts: not for `wenjiao --help`

    report_writing.run(since, out)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""
    app.command()(report)
