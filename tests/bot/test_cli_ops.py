"""The operators' commands as real processes: ``db``, ``purge``, ``backup`` and ``restore``."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WENJIAO_")}
    base.update({"WENJIAO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
                 "WENJIAO_FAQ_DIR": str(ROOT / "faq_data"), **env})
    return subprocess.run([sys.executable, "-m", "bot", *args], env=base, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)


def test_db_current_and_upgrade(tmp_path: Path):
    before = run(["db", "current"], tmp_path)
    assert before.returncode == 1 and "none (never migrated)" in before.stdout
    up = run(["db", "upgrade"], tmp_path)
    assert up.returncode == 0 and "upgraded empty -> " in up.stdout
    again = run(["db", "upgrade"], tmp_path)
    assert "already at" in again.stdout
    assert run(["db", "current"], tmp_path).returncode == 0


def test_purge_uses_the_configured_retention_and_refuses_nonsense(tmp_path: Path):
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "ops.db") as conn:
        old = (datetime.now(UTC) - timedelta(days=40)).isoformat(sep=" ")
        conn.execute("INSERT INTO exchanges (channel, user_hash, text, kind, confidence, flagged,"
                     " latency_ms, created_at) VALUES ('web', 'h', '[redacted]', 'answer', 1, 0,"
                     " 1, ?)", (old,))
    dry = run(["purge", "--dry-run"], tmp_path, WENJIAO_RETENTION_DAYS="30")
    assert dry.returncode == 0 and dry.stdout.startswith("would remove 1 exchanges")
    kept = run(["purge"], tmp_path)  # the default retention (180 days) keeps it
    assert kept.stdout.startswith("removed 0 exchanges")
    gone = run(["purge", "--older-than", "30d"], tmp_path)
    assert gone.stdout.startswith("removed 1 exchanges")
    bad = run(["purge", "--older-than", "soon"], tmp_path)
    assert bad.returncode == 2 and "not an age" in bad.stderr


def test_backup_then_restore_from_the_command_line(tmp_path: Path):
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    made = run(["backup", "copy.db"], tmp_path)
    assert made.returncode == 0 and (tmp_path / "copy.db").exists()
    twice = run(["backup", "copy.db"], tmp_path)
    assert twice.returncode == 1 and "exists" in twice.stderr
    back = run(["restore", "copy.db"], tmp_path)
    assert back.returncode == 0 and "the previous one is kept as" in back.stdout
    pg = run(["backup", "x.db"], tmp_path, WENJIAO_DATABASE_URL="postgresql+asyncpg://u@h/db")
    assert pg.returncode == 1 and "pg_dump" in pg.stderr
