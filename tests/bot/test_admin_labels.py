"""The admin shows Chinese labels, not codes: every audit action the services can write has one
(found by reading the services' ``audit.record`` calls, so a new action without a label fails
here), roles in audit details are named, and an unknown code is shown as itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.web import labels
from services.platform import audit
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import ADMIN_USER, EDITOR, PASSWORD, ROOT, admin_client

SERVICES = ROOT / "services"
CJK = re.compile(r"[\u4e00-\u9fff]")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ACTION_CELL = re.compile(r'<td data-label="操作" class="action">([^<]*)</td>')
DETAIL_CELL = re.compile(r'<td data-label="说明" class="wrap">([^<]*)</td>')
ENTRY = "hotline.wenxin_youyue_intro"

Function = ast.FunctionDef | ast.AsyncFunctionDef


class ActionScan:
    """The action codes of every ``audit.record(session, actor, ACTION, ...)`` in services/:
    literals, ``audit.NAME`` constants, module constants, both arms of ``a if c else b``,
    f-strings, and parameters (their default and what every caller passes)."""

    def __init__(self, root: Path) -> None:
        self.modules = {path: ast.parse(path.read_text(encoding="utf-8"))
                        for path in sorted(root.rglob("*.py"))}
        self.calls: list[ast.Call] = []
        for tree in self.modules.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    self.calls.append(node)

    def codes(self) -> set[str]:
        found: set[str] = set()
        for tree in self.modules.values():
            for func in (n for n in ast.walk(tree) if isinstance(n, Function)):
                for call in (n for n in ast.walk(func) if isinstance(n, ast.Call)):
                    if self._is_record(call):
                        found |= self._values(call.args[2], func, tree)
        return found

    @staticmethod
    def _is_record(call: ast.Call) -> bool:
        f = call.func
        return (isinstance(f, ast.Attribute) and f.attr == "record"
                and isinstance(f.value, ast.Name) and f.value.id == "audit"
                and len(call.args) >= 3)

    def _values(self, node: ast.expr, func: Function, tree: ast.Module) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "audit":
            return {getattr(audit, node.attr)}
        if isinstance(node, ast.IfExp):
            return self._values(node.body, func, tree) | self._values(node.orelse, func, tree)
        if isinstance(node, ast.JoinedStr):
            out = {""}
            for part in node.values:
                inner = part.value if isinstance(part, ast.FormattedValue) else part
                out = {a + b for a in out for b in self._values(inner, func, tree)}
            return out
        if isinstance(node, ast.Name):
            params = [a.arg for a in func.args.args]
            if node.id in params:
                return self._parameter(func, node.id)
            for stmt in tree.body:
                if isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets):
                    return self._values(stmt.value, func, tree)
        raise AssertionError(f"cannot read an audit action: {ast.unparse(node)} in {func.name}")

    def _parameter(self, func: Function, param: str) -> set[str]:
        """The parameter's default and the string every call of a function so named passes."""
        args = [a.arg for a in func.args.args]
        defaults = dict(zip(args[len(args) - len(func.args.defaults):], func.args.defaults,
                            strict=True))
        out = {d.value for d in [defaults.get(param)] if isinstance(d, ast.Constant)}
        position = args.index(param) - (1 if args[0] == "self" else 0)
        for call in self.calls:
            called = call.func.attr if isinstance(call.func, ast.Attribute) else \
                getattr(call.func, "id", "")
            if called != func.name:
                continue
            passed = [k.value for k in call.keywords if k.arg == param]
            if len(call.args) > position:
                passed.append(call.args[position])
            out |= {p.value for p in passed
                    if isinstance(p, ast.Constant) and isinstance(p.value, str)}
        return out


@pytest.fixture(scope="module")
def written() -> set[str]:
    return ActionScan(SERVICES).codes()


def test_the_scan_finds_the_actions_the_services_write(written):
    # entry_attach and entry_revert exist only as f"entry_{action}" with a caller's action=...
    assert {"entry_edit", "entry_attach", "entry_revert", "unanswered_attach",
            "user_disable", "user_enable", audit.LOGIN_FAILED, audit.CRISIS_HANDLED} <= written
    assert len(written) >= 20


def test_every_action_the_services_write_has_a_chinese_label(written):
    missing = sorted(code for code in written if not CJK.search(labels.action_label(code)))
    assert not missing, f"audit actions without a Chinese label in bot/web/labels.py: {missing}"


def test_old_rows_keep_their_labels():
    assert set(audit.ACTION_LABELS) <= set(labels.AUDIT_ACTIONS)


def test_an_unknown_code_is_shown_as_itself():
    assert labels.action_label("entry_teleport") == "entry_teleport"
    assert labels.role_label("superuser") == "superuser"
    assert labels.audit_detail("user_role", "editor → superuser") == "编辑 → superuser"


@pytest.mark.parametrize(("action", "detail", "shown"), [
    ("user_role", "editor → publisher", "编辑 → 发布员"),
    ("user_create", "admin", "管理员"),
    ("login", "api", "接口令牌"),
    (audit.LOGIN_FAILED, "web", "网页"),
    ("entry_edit", "（已取消定时发布）", "（已取消定时发布）"),
    ("user_role", "publisher", "publisher"),  # not a change: left as written
])
def test_codes_inside_details_are_named(action, detail, shown):
    assert labels.audit_detail(action, detail) == shown


@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only


async def test_the_audit_page_shows_labels_and_names_roles(aiohttp_client, settings, services,
                                                           staff, users):
    web = await admin_client(aiohttp_client, settings, services, staff)
    view = await staff.content.get(ENTRY)
    doc = view.current | {"questions": [*view.current["questions"], "紫藤小学校车几点到"]}
    await staff.content.save(EDITOR, ENTRY, doc, view.version, action="attach")
    await staff.auth.set_role(ADMIN_USER, "erin", "publisher")
    async with services.sessionmaker.begin() as session:
        await audit.record(session, "ada", "entry_teleport", ENTRY)
    page = await (await web.get("/admin/login")).text()
    await web.post("/admin/login", data={"csrf": CSRF.search(page).group(1), "username": "ada",
                                         "password": PASSWORD})
    resp = await web.get("/admin/audit")
    assert resp.status == 200
    body = await resp.text()
    shown = ACTION_CELL.findall(body)
    assert "问题并入草稿" in shown and "修改角色" in shown and "新建用户" in shown
    assert "entry_teleport" in shown  # unknown: the code itself, not an error
    assert not [a for a in shown if a != "entry_teleport" and not CJK.search(a)], shown
    assert "编辑 → 发布员" in DETAIL_CELL.findall(body)
    only = await (await web.get("/admin/audit", params={"action": "entry_attach"})).text()
    assert ACTION_CELL.findall(only) == ["问题并入草稿"]
    assert '<option value="entry_attach" selected>问题并入草稿</option>' in only
