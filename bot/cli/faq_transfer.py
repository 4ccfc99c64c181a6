"""``wenjiao faq import`` and ``export``: YAML folders (like faq_data/), one YAML topic file, or a
CSV spreadsheet. An import is one transaction: the first bad row stops it with its row number and
reason, and nothing is half-imported. Long imports show a progress bar on standard error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.base import print_json, quiet_logging, settings, with_database
from bot.cli.errors import EXIT_CONFIG, CliError

if TYPE_CHECKING:  # the store is imported by the commands that use it, not by `--help`
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

PROGRESS_FROM = 50  # rows; shorter imports finish before a bar would help
NOTHING_IMPORTED = "；没有导入任何内容。"


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (for long imports), as an ``advance(n)`` callback."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=Console(stderr=True),
                   disable=total < PROGRESS_FROM)
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import changed, the same for a folder and for a file (the ``--json`` shape)."""

    source: str
    folder: bool  # seeded like faq_data/ at start-up: an admin's edit is kept, not overwritten
    added: list[str]
    updated: list[str]
    unchanged: int
    kept_admin_edits: list[str] = field(default_factory=list)
    as_draft: bool = False

    def line(self) -> str:
        """The summary printed without ``--json``."""
        if self.folder:
            return (f"added {len(self.added)}, updated {len(self.updated)}, "
                    f"unchanged {self.unchanged}, kept admin edits "
                    f"{len(self.kept_admin_edits)}" + "".join(
                        f"\n  kept (edited by an admin): {entry_id}"
                        for entry_id in self.kept_admin_edits))
        return (f"imported {Path(self.source).name}: added {len(self.added)}, updated "
                f"{len(self.updated)}, unchanged {self.unchanged}"
                + (" (as drafts)" if self.as_draft else ""))


def import_command(
    path: Annotated[Path | None, typer.Argument(
        help="A content folder (seeded like faq_data/), a .csv or a .yaml file.")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Import as drafts to review.")] = False,
    author: Annotated[str, typer.Option(help="Name recorded in history.")] = "import",
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print {"source", "folder", "added", "updated", "unchanged", '
                       '"kept_admin_edits", "as_draft"} (added, updated and kept: entry ids).')]
    = False,
) -> None:
    """Import content in one transaction (a bad row aborts it, naming the row and the reason)."""
    quiet_logging()
    source = path or settings().faq_dir
    if source.is_dir():
        if draft:
            raise CliError("--draft 只用于 .csv 或单个 .yaml 文件", EXIT_CONFIG)
        done = _seed_folder(source)
    else:
        done = _import_file(source, draft=draft, author=author)
    if as_json:
        print_json(asdict(done))
    else:
        print(done.line())


def _import_file(source: Path, *, draft: bool, author: str) -> Imported:
    from services import seed_store
    from services.content import (
        CsvFormatError,
        ImportFailed,
        import_entries,
        live_ids,
        read_rows,
        validate_rows,
    )

    try:
        rows = read_rows(source)
    except (CsvFormatError, ImportFailed) as exc:
        raise CliError(str(exc)) from exc

    faq_dir = settings().faq_dir

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> Imported:
        await seed_store(sessionmaker, faq_dir)  # as start-up: ``related`` may name seeded ids
        async with sessionmaker() as session:
            known = await live_ids(session)
        with _progress(2 * len(rows), f"导入 {source.name}") as advance:
            entries = validate_rows(rows, known, advance)
            async with sessionmaker.begin() as session:
                report = await import_entries(session, entries, author=author, as_draft=draft,
                                              progress=advance)
        # No engine is built here: each running server sees the new content version within a
        # second and rebuilds its engine in the background, answering from the old one meanwhile.
        return Imported(str(source), False, report.added, report.updated, report.unchanged,
                        as_draft=draft)

    try:
        return with_database(work)
    except ImportFailed as exc:
        raise CliError(f"{exc}{NOTHING_IMPORTED}") from exc


def _seed_folder(folder: Path) -> Imported:
    """Seed ``folder`` into the store as at start-up (an admin's edit is kept): the database
    alone, no engine."""
    from intents import FaqDataError, load_content
    from services.content import seed_entries

    try:
        content = load_content(folder)
    except FaqDataError as exc:
        raise CliError(f"{exc}{NOTHING_IMPORTED}") from exc

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> Imported:
        with _progress(len(content.entries), f"导入 {folder.name}/") as advance:
            async with sessionmaker.begin() as session:
                report = await seed_entries(session, list(content.entries))
            advance(len(content.entries))
        return Imported(str(folder), True, report.added, report.updated, report.unchanged,
                        report.kept_admin_edits)

    return with_database(work)


def export_command(
    path: Annotated[Path, typer.Argument(
        help="A folder for <topic>.yaml files, or a file name ending in .csv.")],
) -> None:
    """Write the published entries to YAML files (one per topic) or to one CSV spreadsheet."""
    from services import seed_store
    from services.content import export_csv, export_entries

    quiet_logging()
    faq_dir = settings().faq_dir

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
        await seed_store(sessionmaker, faq_dir)
        async with sessionmaker() as session:
            if path.suffix.lower() == ".csv":
                return f"wrote {await export_csv(session, path)} entries to {path}"
            counts = await export_entries(session, path)
        return f"wrote {sum(counts.values())} entries to {len(counts)} files in {path}"

    print(with_database(work))


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the ``faq`` group."""
    app.command("import")(import_command)
    app.command("export")(export_command)
