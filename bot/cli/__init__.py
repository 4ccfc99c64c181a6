"""The ``wenjiao`` command line: one Typer app, one module per command group.

The forms of ``serve``, ``ask``, ``chat`` and ``eval`` are a contract other tools rely on
(docs/design.md); change them only together with that document. What a failing command shows
(one line on stderr, exit 2 for configuration, 1 for the environment) is decided in one place,
bot/cli/errors.py.
"""

from __future__ import annotations

from bot.cli import admin, core, db, faq, maintenance, report, safety, scope, wechat
from bot.cli.base import app

app.add_typer(faq.app, name="faq")
app.add_typer(admin.app, name="admin")
app.add_typer(db.app, name="db")
app.add_typer(wechat.app, name="wechat")
app.add_typer(safety.app, name="safety")
app.add_typer(scope.app, name="scope")
core.register(app)
maintenance.register(app)
report.register(app)


def main() -> None:
    """Entry point of the console script and of ``python -m bot``: named ``wenjiao`` either way,
    so help, errors and the completion script say the command operators type."""
    app(prog_name="wenjiao")
