"""The ``--json`` forms for scripts: one JSON document on stdout, in a stable shape (anything else,
a progress bar or an error, on stderr); and the account commands open the database only."""

from __future__ import annotations

import json
import os
from datetime import datetime

import pytest
from typer.testing import CliRunner

import services
from bot.cli import app
from services.db import migrate as mig
from tests.admin_support import PASSWORD, copy_content

ENTRY = "hotline.wenxin_youyue_intro"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """``cli(*args, input=...)`` -> result, on a fresh SQLite file with the small content."""
    faq = copy_content(tmp_path / "faq")
    for name in [n for n in os.environ if n.startswith("WENJIAO_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WENJIAO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'j.db'}")
    monkeypatch.setenv("WENJIAO_FAQ_DIR", str(faq))
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    run.faq = faq
    return run


def document(result) -> dict:
    """The one JSON document a --json command printed."""
    assert result.stdout.count("\n") == 1, result.stdout
    return json.loads(result.stdout)


def test_faq_list_json_lists_what_the_text_form_lists(cli):
    text = cli("faq", "list")
    data = document(cli("faq", "list", "--json"))
    assert list(data) == ["entries"]
    assert all(list(e) == ["id", "topic", "title"] for e in data["entries"])
    assert [f"{e['id']}\t{e['title']}" for e in data["entries"]] == text.stdout.splitlines()
    assert ENTRY in {e["id"] for e in data["entries"]}
    assert document(cli("faq", "list", "--json", "--topic", "nothing")) == {"entries": []}


def test_admin_list_users_json(cli):
    assert cli("admin", "list-users", "--json").stdout == '{"users": []}\n'
    cli("admin", "create-user", "ada", "--role", "admin", input=f"{PASSWORD}\n")
    cli("admin", "create-user", "erin", "--role", "editor", input=f"{PASSWORD}\n")
    cli("admin", "disable-user", "erin")
    users = document(cli("admin", "list-users", "--json"))["users"]
    assert [{k: v for k, v in u.items() if k != "created_at"} for u in users] == [
        {"username": "ada", "role": "admin", "disabled": False},
        {"username": "erin", "role": "editor", "disabled": True}]
    assert all(datetime.fromisoformat(u["created_at"]).utcoffset() is not None for u in users)


def test_account_commands_open_only_the_database(cli, monkeypatch):
    """No content files, no intent engine: listing accounts must not start the dialogue."""
    def no_services(*_args, **_kwargs):
        raise AssertionError("an account command started the full services")

    monkeypatch.setattr(services, "start_services", no_services)
    assert cli("admin", "create-user", "ada", "--role", "admin",
               input=f"{PASSWORD}\n").exit_code == 0
    assert cli("admin", "set-role", "ada", "publisher").exit_code == 0
    assert cli("admin", "list-users").stdout == "ada\tpublisher\tactive\n"
    missing = cli("admin", "set-role", "ghost", "editor")
    assert missing.exit_code == 1 and missing.stdout == ""
    assert missing.stderr.startswith("wenjiao: ") and "ghost" in missing.stderr


def test_db_current_json_and_its_exit_code(cli):
    head = mig.head_revision()
    before = cli("db", "current", "--json")
    assert before.exit_code == 1
    assert document(before) == {"database": None, "newest": head, "up_to_date": False}
    assert cli("db", "upgrade").exit_code == 0
    after = cli("db", "current", "--json")
    assert after.exit_code == 0
    assert document(after) == {"database": head, "newest": head, "up_to_date": True}


def test_purge_json(cli):
    data = document(cli("purge", "--json", "--dry-run", "--older-than", "30d"))
    assert list(data) == ["dry_run", "before", "exchanges", "feedback", "unanswered"]
    assert data["dry_run"] is True and data["exchanges"] == 0
    assert datetime.fromisoformat(data["before"]).utcoffset() is not None
    assert document(cli("purge", "--json"))["dry_run"] is False


def test_import_json_of_a_file_and_of_a_folder(cli, tmp_path):
    keys = ["source", "folder", "added", "updated", "unchanged", "kept_admin_edits", "as_draft"]
    sheet = tmp_path / "entries.csv"
    assert cli("faq", "export", str(sheet)).exit_code == 0
    rows = sheet.read_text(encoding="utf-8-sig").replace("温心有约是什么", "温心有约是啥", 1)
    sheet.write_text(rows, encoding="utf-8-sig")
    done = cli("faq", "import", str(sheet), "--json")
    assert done.exit_code == 0, done.stderr
    data = document(done)
    assert list(data) == keys
    assert data["source"] == str(sheet) and data["folder"] is False
    assert data["updated"] == [ENTRY] and data["added"] == [] and data["as_draft"] is False

    folder = document(cli("faq", "import", str(cli.faq), "--json"))
    assert list(folder) == keys and folder["folder"] is True
    assert folder["source"] == str(cli.faq) and isinstance(folder["unchanged"], int)
    assert all(isinstance(folder[k], list) for k in ("added", "updated", "kept_admin_edits"))


def test_a_failed_import_prints_no_json(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\na,b\n", encoding="utf-8")
    result = cli("faq", "import", str(bad), "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("wenjiao: ") and "缺少列" in result.stderr


def test_content_commands_read_the_store_without_building_the_engine(cli, monkeypatch, tmp_path):
    """``faq list``, ``show``, ``import``, ``export`` and ``wechat menu`` seed and read the store
    as start-up does, but never build the intent engine (half a minute on a large store)."""
    def no_services(*_args, **_kwargs):
        raise AssertionError("a content command started the full services")

    monkeypatch.setattr(services, "start_services", no_services)
    listed = cli("faq", "list")
    assert listed.exit_code == 0 and f"{ENTRY}\t" in listed.stdout
    shown = cli("faq", "show", ENTRY)
    assert json.loads(shown.stdout)["id"] == ENTRY

    sheet = tmp_path / "entries.csv"
    assert cli("faq", "export", str(sheet)).exit_code == 0
    rows = sheet.read_text(encoding="utf-8-sig").replace("温心有约是什么", "温心有约是啥", 1)
    sheet.write_text(rows, encoding="utf-8-sig")
    assert document(cli("faq", "import", str(sheet), "--json"))["updated"] == [ENTRY]
    # the imported wording is what the store now publishes, and a re-seed keeps the edit
    assert "温心有约是啥" in cli("faq", "show", ENTRY).stdout
    menu = json.loads(cli("wechat", "menu").stdout)
    assert menu["button"], menu
