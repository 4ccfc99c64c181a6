"""``wenjiao purge``, ``backup`` and ``restore``: keeping the store small and safe."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.base import print_json, quiet_logging, settings, with_database

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from services.platform.retention import PurgeReport


def purge(
    older_than: Annotated[str | None, typer.Option(
        help="Age past which to remove, e.g. 180d, 26w, 12h (default: WENJIAO_RETENTION_DAYS)."
    )] = None,
    dry_run: Annotated[bool, typer.Option(help="Only count what would be removed.")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print {"dry_run", "before", "exchanges", "feedback", "unanswered"}.')]
    = False,
) -> None:
    """Remove exchanges (and their feedback) and unanswered questions past the retention age."""
    from services.platform import retention

    quiet_logging()
    config = settings()
    try:
        age = retention.parse_age(older_than or f"{config.retention_days}d")
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--older-than") from exc
    before = datetime.now(UTC) - age

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> PurgeReport:
        async with sessionmaker.begin() as session:
            return await retention.purge(session, before, dry_run=dry_run)

    report = with_database(work)
    if as_json:
        print_json({"dry_run": dry_run, "before": before.isoformat(),
                    "exchanges": report.exchanges, "feedback": report.feedback,
                    "unanswered": report.unanswered})
        return
    verb = "would remove" if dry_run else "removed"
    print(f"{verb} {report.exchanges} exchanges, {report.feedback} feedback votes and "
          f"{report.unanswered} unanswered questions older than {before:%Y-%m-%d %H:%M} UTC")


def backup_command(
    file: Annotated[Path, typer.Argument(help="Where to write the copy.")],
    force: Annotated[bool, typer.Option(help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Copy the SQLite database consistently (fine while the server runs)."""
    from services.platform import backup_sqlite, sqlite_path

    database = sqlite_path(settings().database_url)  # BackupError: one line (cli/errors.py)
    backup_sqlite(database, file, force=force)
    print(f"backed up {database} to {file}")


def restore_command(
    file: Annotated[Path, typer.Argument(help="A file written by `wenjiao backup`.")],
    force: Annotated[bool, typer.Option(help="Restore even while a process has it open.")] = False,
) -> None:
    """Replace the SQLite database with a backup (stop the server first)."""
    from services.platform import restore_sqlite, sqlite_path

    database = sqlite_path(settings().database_url)
    kept = restore_sqlite(file, database, force=force)
    print(f"restored {database} from {file}" + (f"; the previous one is kept as {kept}"
                                                  if kept else ""))


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command()(purge)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
