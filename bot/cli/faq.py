"""``wenjiao faq``: list, show, lint, import and export content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.base import quiet_logging, settings, with_services
from intents import IntentEngine, Normalizer, load_content
from intents.lint import check_entries
from services import Services
from services.content_io import export_entries
from services.seed import seed_entries

app = typer.Typer(help="Content: list, show, lint, import, export.", no_args_is_help=True)


@app.command("list")
def list_entries(
    topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
) -> None:
    """List the published entries: id and title."""
    quiet_logging()

    async def work(services: Services) -> None:
        for entry in services.catalog.engine.entries:
            if topic is None or entry.topic == topic:
                print(f"{entry.id}\t{entry.title}")

    with_services(work)


@app.command()
def show(entry_id: str) -> None:
    """Print one published entry as JSON."""
    quiet_logging()

    async def work(services: Services) -> None:
        if not services.catalog.engine.has(entry_id):
            print(f"no entry {entry_id}")
            raise typer.Exit(1)
        entry = services.catalog.engine.entry(entry_id)
        print(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False, indent=2))

    with_services(work)


@app.command()
def lint(
    directory: Annotated[Path | None, typer.Argument(help="Content folder.")] = None,
) -> None:
    """Check the content files: ids, related, duplicates, confusions, lengths, citations."""
    content = load_content(directory or settings().faq_dir)
    engine = IntentEngine(content.entries, Normalizer(content.synonyms))
    problems = check_entries(list(content.entries), engine)
    for problem in problems:
        print(problem)
    print(f"{len(content.entries)} entries, {len(problems)} problems")
    if problems:
        raise typer.Exit(1)


@app.command("import")
def import_entries(
    directory: Annotated[Path | None, typer.Argument(help="Content folder.")] = None,
) -> None:
    """Seed the store from content files (idempotent; entries edited by admins are kept)."""
    quiet_logging()
    content = load_content(directory or settings().faq_dir)

    async def work(services: Services) -> None:
        async with services.sessionmaker.begin() as session:
            report = await seed_entries(session, list(content.entries))
        print(f"added {len(report.added)}, updated {len(report.updated)}, "
              f"unchanged {report.unchanged}, kept admin edits {len(report.kept_admin_edits)}")
        for entry_id in report.kept_admin_edits:
            print(f"  kept (edited by an admin): {entry_id}")

    with_services(work, seed=False)


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="Where to write <topic>.yaml files.")],
) -> None:
    """Write the published entries back to YAML files, one per topic."""
    quiet_logging()

    async def work(services: Services) -> None:
        async with services.sessionmaker() as session:
            counts = await export_entries(session, directory)
        print(f"wrote {sum(counts.values())} entries to {len(counts)} files in {directory}")

    with_services(work)
