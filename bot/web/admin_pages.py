"""Admin pages besides the editor: login, the unanswered inbox, feedback, crisis follow-ups,
users and the audit log. Thin views: parse the form, call one service, redirect or render."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.web import labels
from bot.web.admin import done, staff, text, topics
from bot.web.admin_render import render
from bot.web.auth import (
    COOKIE,
    LOGIN_COOKIE,
    client_ip,
    login_nonce,
    login_token,
    principal,
    set_cookie,
)
from services.errors import AuthFailed, Invalid, TooManyAttempts
from services.platform import ROLES, require

LOGIN_FORM_SECONDS = 3600


def _next(raw: str) -> str:
    """Where to go after login: only a path inside the admin (no open redirect)."""
    return raw if raw.startswith("/admin") and not raw.startswith("//") else "/admin/entries"


async def index(_request: web.Request) -> web.Response:
    """``/admin`` opens the entry list."""
    raise web.HTTPSeeOther("/admin/entries")


async def login_form(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    """The login page, with a fresh signed CSRF value."""
    nonce = login_nonce()
    response = render(request, "login.html", status=status, error=error,
                      login_csrf=await login_token(request, nonce),
                      next=_next(request.query.get("next", "")))
    set_cookie(request, response, LOGIN_COOKIE, nonce, LOGIN_FORM_SECONDS)
    return response


async def login(request: web.Request) -> web.Response:
    """Check the form's CSRF value and the password; open a session cookie."""
    form = await request.post()
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or text(form, "csrf") != await login_token(request, nonce):
        return await login_form(request, "登录表单已过期，请重新输入。", 403)
    try:
        done_login = await staff(request).auth.login(
            text(form, "username"), text(form, "password"), kind="web", ip=client_ip(request))
    except (AuthFailed, TooManyAttempts) as exc:
        return await login_form(request, exc.message, exc.status)
    response = web.HTTPSeeOther(_next(text(form, "next")))
    seconds = int((done_login.expires_at - datetime.now(UTC)).total_seconds())
    set_cookie(request, response, COOKIE, done_login.token, max(seconds, 60))
    response.del_cookie(LOGIN_COOKIE, path="/admin")
    raise response


async def logout(request: web.Request) -> web.Response:
    """End the session."""
    await staff(request).auth.logout(request.cookies.get(COOKIE, ""), client_ip(request))
    response = web.HTTPSeeOther("/admin/login")
    response.del_cookie(COOKIE, path="/admin")
    raise response


# -- inbox, feedback, crisis -----------------------------------------------------------------

async def unanswered(request: web.Request) -> web.Response:
    """Open questions grouped by the engine's reading, most asked first, then the complaints
    (投诉与诉求, dismiss only); ``?pick=GROUP&q=WORDS`` adds the entries found by those words to
    that group's picker (works without script)."""
    inbox, content = staff(request).inbox, staff(request).content
    overview = await inbox.overview()
    pick, words = request.query.get("pick", ""), request.query.get("q", "").strip()
    found = await inbox.search(words) if pick and words else []
    return render(request, "unanswered.html", inbox=overview, groups=overview.groups,
                  complaints=overview.complaints, entries=await content.list_entries(),
                  topics=topics(request), pick=pick, words=words, found=found,
                  reasons=inbox.REASONS, complaint_reasons=inbox.COMPLAINT_REASONS)


def _ids(form: MultiDictProxy[Any]) -> list[int]:
    return [int(v) for v in form.getall("ids", []) if isinstance(v, str) and v.isdigit()]


def _entry_choice(form: MultiDictProxy[Any]) -> str:
    """The entry to attach to: a typed id wins over the picked one."""
    typed = text(form, "entry_typed").strip().split(" ")[0]
    chosen = typed or text(form, "entry").strip()
    if not chosen:
        raise Invalid("请选择或填写要加入的条目。", [("entry", "必填")])
    return chosen


async def unanswered_action(request: web.Request) -> web.Response:
    """Attach a group to an entry, make it a new draft entry, or dismiss it with a reason."""
    form, action = await request.post(), request.match_info["action"]
    inbox, me, ip = staff(request).inbox, principal(request), client_ip(request)
    ids = _ids(form)
    if action == "attach":
        view = await inbox.attach(me, ids, _entry_choice(form), ip)
        raise done(f"/admin/entries/{view.id}", "attached")
    if action == "new":
        view = await inbox.new_entry(me, ids, text(form, "id"), text(form, "topic"),
                                     text(form, "title"), ip)
        raise done(f"/admin/entries/{view.id}", "created")
    if action == "dismiss":
        await inbox.dismiss(me, ids, ip, reason=text(form, "reason"), note=text(form, "note"))
        raise done("/admin/unanswered", "dismissed")
    raise web.HTTPNotFound()


async def feedback(request: web.Request) -> web.Response:
    """👍/👎 per entry, worst first."""
    return render(request, "feedback.html", items=await staff(request).reports.feedback())


async def crisis(request: web.Request) -> web.Response:
    """Crisis-flagged exchanges (redacted) for the staff who follow them up."""
    return render(request, "crisis.html", items=await staff(request).reports.crisis())


async def crisis_handled(request: web.Request) -> web.Response:
    """Record that someone followed up one crisis exchange."""
    form, raw = await request.post(), request.match_info["id"]
    await staff(request).reports.mark_handled(principal(request), int(raw), text(form, "note"),
                                              client_ip(request))
    raise done("/admin/crisis", "handled")


# -- users and audit (admins) ----------------------------------------------------------------

async def users(request: web.Request) -> web.Response:
    """Accounts and their roles."""
    require(principal(request), "admin", "查看用户")
    return render(request, "users.html", users=await staff(request).auth.list_users(),
                  roles=ROLES)


async def user_action(request: web.Request) -> web.Response:
    """Create an account, change a role, disable/enable, or set a password."""
    form, auth = await request.post(), staff(request).auth
    me, ip, name = principal(request), client_ip(request), request.match_info.get("name", "")
    action = request.match_info.get("action", "create")
    if action == "create":
        await auth.create_user(me, text(form, "username").strip(), text(form, "password"),
                               text(form, "role"), ip)
    elif action == "role":
        await auth.set_role(me, name, text(form, "role"), ip)
    elif action in ("disable", "enable"):
        await auth.set_disabled(me, name, action == "disable", ip)
    elif action == "password":
        await auth.set_password(me, name, text(form, "password"), ip)
    else:
        raise web.HTTPNotFound()
    raise done("/admin/users", "user")


async def audit_log(request: web.Request) -> web.Response:
    """The newest admin actions, filterable by action and person."""
    require(principal(request), "admin", "查看审计日志")
    action, actor = request.query.get("action", ""), request.query.get("actor", "")
    rows = await staff(request).reports.audit(action=action or None, actor=actor or None)
    return render(request, "audit.html", rows=rows, action=action, actor=actor,
                  actions=labels.AUDIT_ACTIONS, label=labels.action_label,
                  detail=labels.audit_detail)
