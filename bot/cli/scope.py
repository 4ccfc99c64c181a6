"""``wenjiao scope``: train the message model (small talk, noise, complaints, asked-for detail)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import track

from bot.cli.base import settings

app = typer.Typer(help="The message model: what a message is and what it asks for.",
                  no_args_is_help=True)


@app.command("train")
def train_command(
    out: Annotated[Path | None, typer.Option(help="Where to write the model file "
                                                  "(default: the shipped one).")] = None,
) -> None:
    """Rebuild the shipped model file from faq_data/scope (the same corpus gives the same file).

    Measure it with ``wenjiao eval faq_data/scope/validation.jsonl``."""
    from intents.message_model import default_model_path
    from services.dialogue import scope_training as training

    target = out or default_model_path()
    chosen = training.train_from_content(
        settings().faq_dir, target,
        progress=lambda grid: track(list(grid), description="fitting, one head and C at a time"))
    typer.echo(json.dumps({"model": str(target), **chosen}, ensure_ascii=False, indent=2))
