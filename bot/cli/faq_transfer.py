"""``wenjiao faq import`` and ``export``: YAML folders (like faq_data/), one YAML topic file, or a
CSV spreadsheet. An import is one transaction: the first bad row stops it with its row number and
reason, and nothing is half-imported. Long imports show a progress bar on standard error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.base import quiet_logging, settings, with_services
from intents import FaqDataError, load_content
from services import Services
from services.content import (
    AdminService,
    CsvFormatError,
    ImportFailed,
    export_csv,
    export_entries,
    import_entries,
    read_rows,
    seed_entries,
    validate_rows,
)

PROGRESS_FROM = 50  # rows; shorter imports finish before a bar would help


def _fail(message: str) -> typer.Exit:
    typer.echo(f"wenjiao: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (for long imports), as an ``advance(n)`` callback."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=Console(stderr=True),
                   disable=total < PROGRESS_FROM)
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def import_command(
    path: Annotated[Path | None, typer.Argument(
        help="A content folder (seeded like faq_data/), a .csv or a .yaml file.")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Import as drafts to review.")] = False,
    author: Annotated[str, typer.Option(help="Name recorded in history.")] = "import",
) -> None:
    """Import content in one transaction (a bad row aborts it, naming the row and the reason)."""
    quiet_logging()
    source = path or settings().faq_dir
    if source.is_dir():
        if draft:
            raise _fail("--draft 只用于 .csv 或单个 .yaml 文件")
        _seed_folder(source)
        return
    try:
        rows = read_rows(source)
    except (CsvFormatError, ImportFailed) as exc:
        raise _fail(str(exc)) from exc

    async def work(services: Services) -> str:
        known = await AdminService(services.sessionmaker, services.catalog).entry_ids()
        with _progress(2 * len(rows), f"导入 {source.name}") as advance:
            entries = validate_rows(rows, known, advance)
            async with services.sessionmaker.begin() as session:
                report = await import_entries(session, entries, author=author, as_draft=draft,
                                              progress=advance)
        await services.catalog.refresh()
        return (f"imported {source.name}: added {len(report.added)}, updated "
                f"{len(report.updated)}, unchanged {report.unchanged}"
                + (" (as drafts)" if draft else ""))

    try:
        print(with_services(work))
    except ImportFailed as exc:
        raise _fail(f"{exc}；没有导入任何内容。") from exc


def _seed_folder(folder: Path) -> None:
    try:
        content = load_content(folder)
    except FaqDataError as exc:
        raise _fail(f"{exc}；没有导入任何内容。") from exc

    async def work(services: Services) -> None:
        with _progress(len(content.entries), f"导入 {folder.name}/") as advance:
            async with services.sessionmaker.begin() as session:
                report = await seed_entries(session, list(content.entries))
            advance(len(content.entries))
        print(f"added {len(report.added)}, updated {len(report.updated)}, "
              f"unchanged {report.unchanged}, kept admin edits {len(report.kept_admin_edits)}")
        for entry_id in report.kept_admin_edits:
            print(f"  kept (edited by an admin): {entry_id}")

    with_services(work, seed=False)


def export_command(
    path: Annotated[Path, typer.Argument(
        help="A folder for <topic>.yaml files, or a file name ending in .csv.")],
) -> None:
    """Write the published entries to YAML files (one per topic) or to one CSV spreadsheet."""
    quiet_logging()

    async def work(services: Services) -> str:
        async with services.sessionmaker() as session:
            if path.suffix.lower() == ".csv":
                return f"wrote {await export_csv(session, path)} entries to {path}"
            counts = await export_entries(session, path)
        return f"wrote {sum(counts.values())} entries to {len(counts)} files in {path}"

    print(with_services(work))


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the ``faq`` group."""
    app.command("import")(import_command)
    app.command("export")(export_command)
