"""``wenjiao faq``: list, show, lint, import and export content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import faq_transfer
from bot.cli.base import quiet_logging, settings, with_services
from intents import IntentEngine, Normalizer, load_content
from intents.lint import check_entries
from services import Services

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


faq_transfer.register(app)  # import / export (YAML and CSV) live in their own module
