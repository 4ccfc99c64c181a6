"""``wenjiao admin`` and ``wenjiao faq import|export`` (CSV and YAML), run through Typer."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from typer.testing import CliRunner

from bot.cli import app
from intents import load_content
from services import start_services
from services.staff.desk import Staff
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import PASSWORD, copy_content, new_entry

ENTRY = "hotline.wenxin_youyue_intro"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """``cli(*args, input=...)`` -> result, on a fresh SQLite file with the small content."""
    faq = copy_content(tmp_path / "faq")
    db = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WENJIAO_DATABASE_URL", db)
    monkeypatch.setenv("WENJIAO_FAQ_DIR", str(faq))
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    run.db = db
    run.faq = faq
    return run


def in_store(cli, work):
    """Run ``work(staff)`` against the CLI's database."""
    async def go():
        services = await start_services(cli.db, cli.faq, seed=False)
        try:
            return await work(Staff.of(services))
        finally:
            await services.close()
    return asyncio.run(go())


def test_create_user_reads_the_password_from_stdin_and_the_user_can_log_in(cli):
    result = cli("admin", "create-user", "ada", "--role", "admin", input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    login = in_store(cli, lambda staff: staff.auth.login("ada", PASSWORD))
    assert login.principal.role == "admin"


def test_set_role_disable_enable_and_list(cli):
    cli("admin", "create-user", "erin", "--role", "editor", input=f"{PASSWORD}\n")
    assert cli("admin", "set-role", "erin", "publisher").exit_code == 0
    assert cli("admin", "list-users").output.splitlines() == ["erin\tpublisher\tactive"]
    assert cli("admin", "disable-user", "erin").exit_code == 0
    assert "erin\tpublisher\tdisabled" in cli("admin", "list-users").output
    from services.errors import AuthFailed

    with pytest.raises(AuthFailed):
        in_store(cli, lambda staff: staff.auth.login("erin", PASSWORD))
    assert cli("admin", "enable-user", "erin").exit_code == 0
    assert in_store(cli, lambda staff: staff.auth.login("erin", PASSWORD))
    assert cli("admin", "set-password", "erin", input="another password\n").exit_code == 0
    assert in_store(cli, lambda staff: staff.auth.login("erin", "another password"))


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["admin", "create-user", "ada", "--role", "owner"], f"{PASSWORD}\n", "角色"),
    (["admin", "create-user", "ada", "--role", "admin"], "short\n", "密码至少"),
    (["admin", "set-role", "ghost", "editor"], None, "没有用户 ghost"),
])
def test_account_errors_are_one_clear_line_and_exit_1(cli, args, stdin, message):
    result = cli(*args, input=stdin)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_the_audit_log_records_cli_actions(cli):
    cli("admin", "create-user", "ada", "--role", "admin", input=f"{PASSWORD}\n")
    rows = in_store(cli, lambda staff: staff.reports.audit(actor="cli"))
    assert [(r.action, r.target) for r in rows] == [("user_create", "ada")]


def csv_rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def write_rows(path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_csv_export_edit_import_round_trip(cli, tmp_path):
    out = tmp_path / "entries.csv"
    result = cli("faq", "export", str(out))
    assert result.exit_code == 0, result.output
    rows = csv_rows(out)
    assert len(rows) == len(load_content(cli.faq).entries)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads it as UTF-8
    row = next(r for r in rows if r["id"] == ENTRY)
    assert "温心有约是什么" in row["questions"].splitlines()
    row["answer"] = "电子表格里改的答案。"
    write_rows(out, rows)
    result = cli("faq", "import", str(out))
    assert result.exit_code == 0, result.output
    assert f"updated 1, unchanged {len(rows) - 1}" in result.output
    shown = cli("faq", "show", ENTRY).output
    assert "电子表格里改的答案。" in shown
    history = in_store(cli, lambda staff: staff.content.history(ENTRY))
    assert (history[0].action, history[0].author) == ("import", "import")


def test_a_bad_row_aborts_the_whole_import_naming_the_row(cli, tmp_path):
    out = tmp_path / "entries.csv"
    cli("faq", "export", str(out))
    rows = csv_rows(out)
    rows[0]["answer"] = "这一行是好的，但不会被导入。"
    rows[2]["source_number"] = ""  # spreadsheet row 4
    write_rows(out, rows)
    result = cli("faq", "import", str(out))
    assert result.exit_code == 1
    assert "第 4 行" in result.output and "文号" in result.output
    assert "没有导入任何内容" in result.output
    assert "这一行是好的" not in cli("faq", "show", rows[0]["id"]).output


def test_a_duplicate_id_aborts_naming_both_rows(cli, tmp_path):
    out = tmp_path / "entries.csv"
    cli("faq", "export", str(out))
    rows = csv_rows(out)
    write_rows(out, [*rows, rows[1]])
    result = cli("faq", "import", str(out))
    assert result.exit_code == 1
    assert f"第 {len(rows) + 2} 行" in result.output and "第 3 行重复" in result.output


def test_a_csv_without_the_needed_columns_is_refused(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\na,b\n", encoding="utf-8")
    result = cli("faq", "import", str(bad))
    assert result.exit_code == 1 and "缺少列" in result.output


def test_import_as_drafts_changes_nothing_live(cli, tmp_path):
    out = tmp_path / "new.csv"
    doc = new_entry()
    from services.content.csv_files import write_csv

    write_csv(out, [doc])
    result = cli("faq", "import", str(out), "--draft", "--author", "spreadsheet")
    assert result.exit_code == 0 and "(as drafts)" in result.output
    view = in_store(cli, lambda staff: staff.content.get(doc["id"]))
    assert view.status == "draft" and view.updated_by == "spreadsheet"
    assert cli("faq", "show", doc["id"]).exit_code == 1  # not published


def test_a_long_import_shows_a_progress_bar(cli, tmp_path):
    from services.content.csv_files import write_csv

    docs = [new_entry(f"enrollment.bulk_{i:03d}", title=f"批量条目{i}",
                      questions=[f"批量问题{i}"], keywords=[]) for i in range(60)]
    out = tmp_path / "bulk.csv"
    write_csv(out, docs)
    result = cli("faq", "import", str(out))
    assert result.exit_code == 0, result.output
    assert "added 60" in result.output
    assert "120/120" in result.output  # checked, then written


def test_a_yaml_topic_file_imports_too_and_a_bad_entry_names_its_position(cli, tmp_path):
    good = tmp_path / "bus.yaml"
    good.write_text("topic: enrollment\nentries:\n" + "".join(
        f"  - id: enrollment.bus_{i}\n    title: 校车{i}\n    questions: [校车问题{i}]\n"
        f"    answer: 答案{i}\n    source: {{document: 测试, number: 测试{i}号}}\n"
        for i in range(2)), encoding="utf-8")
    assert cli("faq", "import", str(good)).exit_code == 0
    assert cli("faq", "show", "enrollment.bus_1").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("answer: 答案1", "answer: ''"),
                   encoding="utf-8")
    result = cli("faq", "import", str(bad))
    assert result.exit_code == 1 and "第 2 行" in result.output


def test_a_bad_content_folder_is_one_clear_error(cli, tmp_path):
    folder = copy_content(tmp_path / "broken")
    (folder / "hotline.yaml").write_text("topic: hotline\nentries: [{id: Bad}]\n",
                                         encoding="utf-8")
    result = cli("faq", "import", str(folder))
    assert result.exit_code == 1 and "hotline.yaml" in result.output
    assert "Traceback" not in result.output
