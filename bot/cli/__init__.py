"""The ``wenjiao`` command line: one Typer app, one module per command group.

The forms of ``serve``, ``ask``, ``chat`` and ``eval`` are a contract other tools rely on
(docs/design.md); change them only together with that document.
"""

from __future__ import annotations

from bot.cli import core, faq
from bot.cli.base import app

app.add_typer(faq.app, name="faq")
core.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
