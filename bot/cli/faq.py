"""``wenjiao faq``: list, show, lint, import and export content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli import faq_transfer
from bot.cli.base import print_json, quiet_logging, settings, with_database
from bot.cli.errors import CliError

if TYPE_CHECKING:
    from intents import FaqEntry

app = typer.Typer(help="Content: list, show, lint, import, export.", no_args_is_help=True)


def _published() -> list[FaqEntry]:
    """The entries the bot answers from today, read without building the engine."""
    from services import current_entries

    faq_dir = settings().faq_dir
    return with_database(lambda sessionmaker: current_entries(sessionmaker, faq_dir))


@app.command("list")
def list_entries(
    topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print {"entries": [{"id", "topic", "title"}]}.')] = False,
) -> None:
    """List the published entries the bot answers from today: id and title (tab-separated)."""
    quiet_logging()

    entries = [entry for entry in _published() if topic is None or entry.topic == topic]
    if as_json:
        print_json({"entries": [{"id": e.id, "topic": e.topic, "title": e.title}
                                for e in entries]})
        return
    for entry in entries:
        print(f"{entry.id}\t{entry.title}")


@app.command()
def show(entry_id: str) -> None:
    """Print one published entry as JSON (exit 1 when there is none by that id)."""
    quiet_logging()

    entry = next((e for e in _published() if e.id == entry_id), None)
    if entry is None:
        raise CliError(f"no published entry {entry_id} (wenjiao faq list shows the ids)")
    print(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False, indent=2))


@app.command()
def lint(
    directory: Annotated[Path | None, typer.Argument(help="Content folder.")] = None,
) -> None:
    """Check the content files: ids, related, duplicates, confusions, lengths, citations."""
    from intents import IntentEngine, Normalizer, load_content
    from intents.lint import check_entries

    content = load_content(directory or settings().faq_dir)
    engine = IntentEngine(content.entries, Normalizer(content.synonyms, content.places))
    problems = check_entries(list(content.entries), engine)
    for problem in problems:
        print(problem)
    print(f"{len(content.entries)} entries, {len(problems)} problems")
    if problems:
        raise typer.Exit(1)


faq_transfer.register(app)  # import / export (YAML and CSV) live in their own module
