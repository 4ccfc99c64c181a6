"""``wenjiao db``: the database schema (Alembic migrations).

On PostgreSQL the schema changes only when an operator runs ``wenjiao db upgrade`` (or starts
with ``wenjiao serve --migrate``); a SQLite file is upgraded at every start anyway.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.base import print_json, quiet_logging, settings, with_engine

app = typer.Typer(help="Database schema: upgrade to the newest migration, show the revision.",
                  no_args_is_help=True)


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the configured database's schema (safe to repeat; concurrent runs take turns)."""
    from sqlalchemy.engine import make_url

    from services.db import migrate as mig

    quiet_logging()
    done = with_engine(lambda engine: mig.upgrade(engine, revision))
    print(f"{mig.describe(make_url(settings().database_url))}: {done}")


@app.command()
def current(
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print {"database": REVISION or null, "newest": REVISION, '
                       '"up_to_date": BOOL}.')] = False,
) -> None:
    """Show the database's revision and the newest one; exit 1 when they differ (so a deploy
    script can run ``wenjiao db current || wenjiao db upgrade``)."""
    from services.db import migrate as mig

    quiet_logging()
    now = with_engine(mig.current_revision)
    head = mig.head_revision()
    if as_json:
        print_json({"database": now, "newest": head, "up_to_date": now == head})
    else:
        print(f"database: {now or 'none (never migrated)'}\nnewest:   {head}")
    if now != head:
        raise typer.Exit(1)
