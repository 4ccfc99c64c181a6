"""``wenjiao safety``: train the learned crisis detector and measure it on a labelled file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import track

from bot.cli.base import settings

app = typer.Typer(help="The learned crisis detector: train it, measure it.", no_args_is_help=True)


@app.command("train")
def train_command(
    out: Annotated[Path | None, typer.Option(help="Where to write the model file "
                                                  "(default: the shipped one).")] = None,
) -> None:
    """Rebuild the shipped model file from faq_data/safety (the same corpus gives the same file)."""
    from intents.crisis_model import default_model_path
    from services.dialogue import safety_training as training

    target = out or default_model_path()
    chosen = training.train_from_content(
        settings().faq_dir, target,
        progress=lambda grid: track(list(grid), description="fitting, one head and setting at a time"),
    )
    typer.echo(json.dumps({"model": str(target), **chosen}, ensure_ascii=False, indent=2))


@app.command("eval")
def eval_command(
    file: Annotated[Path, typer.Argument(help="JSON Lines with text and label (crisis|concern|"
                                              "none), and family, speaker, style.")],
    model: Annotated[Path | None, typer.Option(help="A model file (default: the shipped one).")]
    = None,
    misses: Annotated[bool, typer.Option("--misses/--no-misses",
                                         help="List the missed crises.")] = True,
) -> None:
    """Recall and false alarms overall and by family, speaker and style; the missed crises
    and whether they still got the line with 110/120 and 12356; that line on the rest."""
    from intents.crisis_model import default_model_path
    from services.dialogue import SafetyCheck
    from services.dialogue import safety_training as training

    if not file.is_file():
        typer.echo(f"wenjiao: no such file: {file}", err=True)
        raise typer.Exit(2)
    check = SafetyCheck.load(model or default_model_path())
    scores = training.score(training.read_rows(file), check.tier)
    missed = scores.crises - scores.caught
    typer.echo(f"crisis recall  {scores.recall:6.1%}  ({scores.caught}/{scores.crises})")
    typer.echo(f"false alarms   {scores.hard_false_alarms:6.1%}  ({scores.none_alarms}/"
               f"{scores.nones} hard negatives; {scores.alarms}/{scores.others} with concerns)")
    typer.echo(f"missed crises that still got 110/120 and 12356: {scores.shown_help}/{missed}")
    typer.echo(f"concerns found {scores.concerns_found}/{scores.concerns}; concern line on "
               f"{scores.lines_on_none}/{scores.nones} hard negatives")
    for group, cells in scores.by.items():
        typer.echo(f"by {group}:")
        for name, (hit, total) in sorted(cells.items(), key=lambda kv: kv[1][0] / kv[1][1]):
            typer.echo(f"  {name:20} {hit / total:6.1%}  ({hit}/{total})")
    if misses:
        typer.echo("missed:")
        for row in scores.misses:
            help_shown = "help shown" if check.tier(str(row["text"])) == "concern" else "NO HELP"
            typer.echo(f"  [{row.get('family')}/{row.get('style')}, {help_shown}] {row['text']}")
