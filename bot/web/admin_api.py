"""The admin JSON API of docs/design.md: the same services and roles as the pages.

``POST /admin/api/login`` returns ``{"token"}``; every other call sends
``Authorization: Bearer TOKEN``. Errors are ``{"error": {"code", "message", ...}}`` with 400
(unparsable JSON), 401, 403, 404, 409 (stale ``version``: ``current_version`` says what is stored),
422 (``fields`` lists each problem) or 429 (login limit).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.web import json_body
from bot.web.admin import staff
from bot.web.auth import client_ip, principal
from services.content import EntryView
from services.errors import Invalid
from services.platform import parse_local
from services.staff import Group

MAX_ID = 2**63 - 1  # the store's ids and versions are 64-bit integers


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def reply(data: Any, status: int = 200) -> web.Response:
    """A JSON response that keeps Chinese readable."""
    return web.json_response(data, status=status, dumps=_dumps)


async def body(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    """The JSON object sent; 400 when it is not JSON, 422 when it is not an object."""
    raw = await request.read()
    if not raw.strip() and not required:
        return {}
    try:
        data = json_body.load(raw)
    except json_body.BadJson:
        raise web.HTTPBadRequest(reason="Invalid JSON") from None
    if not isinstance(data, dict):
        raise Invalid("请求体应是一个 JSON 对象。", [("body", "应为对象")])
    return data


def _int(data: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name} 应是整数。", [(name, "应为整数")])
    if not 0 <= value <= MAX_ID:  # beyond what the store's 64-bit columns hold
        raise Invalid(f"{name} 超出范围。", [(name, "应在 0 到 2^63-1 之间")])
    return value


def view_json(view: EntryView) -> dict[str, Any]:
    """An entry as the API returns it."""
    return {"id": view.id, "topic": view.topic, "title": view.title, "status": view.status,
            "version": view.version, "published": view.published, "draft": view.draft,
            "publish_at": view.publish_at.isoformat() if view.publish_at else None,
            "updated_at": view.updated_at.isoformat(), "updated_by": view.updated_by}


def group_json(group: Group) -> dict[str, Any]:
    """An inbox group as the API returns it."""
    return {"text": group.text, "count": group.count, "best_intent": group.best_intent,
            "best_score": round(group.best_score, 4), "ids": group.ids,
            "last_seen": group.last_seen.isoformat() if group.last_seen else None,
            "questions": [{"id": q.id, "text": q.text, "count": q.count}
                          for q in group.questions]}


async def login(request: web.Request) -> web.Response:
    """Exchange a username and password for a bearer token."""
    data = await body(request)
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Invalid("需要 username 和 password。", [("username", "必填"), ("password", "必填")])
    done = await staff(request).auth.login(username, password, kind="api", ip=client_ip(request))
    return reply({"token": done.token, "expires_at": done.expires_at.isoformat(),
                  "username": done.principal.username, "role": done.principal.role})


async def logout(request: web.Request) -> web.Response:
    """Revoke the token this request carries."""
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    await staff(request).auth.logout(token, client_ip(request))
    return reply({"ok": True})


async def list_entries(request: web.Request) -> web.Response:
    """``?q=`` text search, ``topic=``, ``status=`` filters."""
    q = request.query
    views = await staff(request).content.list_entries(q.get("q", ""), q.get("topic", ""),
                                                      q.get("status", ""))
    return reply({"entries": [{k: v for k, v in view_json(v).items()
                               if k not in ("published", "draft")} for v in views]})


async def create_entry(request: web.Request) -> web.Response:
    """A new draft entry (201)."""
    view = await staff(request).content.create(principal(request), await body(request),
                                               client_ip(request))
    return reply(view_json(view), status=201)


async def get_entry(request: web.Request) -> web.Response:
    """One entry with its published and draft documents."""
    return reply(view_json(await staff(request).content.get(request.match_info["id"])))


async def put_entry(request: web.Request) -> web.Response:
    """Save the draft: the fields sent replace the current ones; ``version`` is required."""
    entry_id, data = request.match_info["id"], await body(request)
    expected = _int(data, "version", required=True)
    content = staff(request).content
    current = (await content.get(entry_id)).current
    fields = {k: v for k, v in data.items() if k != "version"}
    view = await content.save(principal(request), entry_id, current | fields, expected,
                              client_ip(request))
    return reply(view_json(view))


async def delete_entry(request: web.Request) -> web.Response:
    """Soft delete (``?version=`` optional)."""
    raw = request.query.get("version", "")
    expected = int(raw) if raw.isdigit() else None
    view = await staff(request).content.delete(principal(request), request.match_info["id"],
                                               expected, client_ip(request))
    return reply(view_json(view))


async def restore_entry(request: web.Request) -> web.Response:
    """Undo a soft delete."""
    view = await staff(request).content.restore(principal(request), request.match_info["id"],
                                                client_ip(request))
    return reply(view_json(view))


async def publish_entry(request: web.Request) -> web.Response:
    """Publish the draft now, or at ``at`` (ISO 8601; no zone = Beijing time)."""
    data = await body(request, required=False)
    at = None
    if data.get("at") is not None:
        try:
            at = parse_local(str(data["at"]))
        except ValueError:
            raise Invalid("at 应是 ISO 8601 时间。", [("at", "格式不对")]) from None
    view = await staff(request).content.publish(principal(request), request.match_info["id"],
                                                _int(data, "version"), at, client_ip(request))
    return reply(view_json(view))


async def entry_history(request: web.Request) -> web.Response:
    """Every revision, newest first, each with a unified diff from the one before."""
    revisions = await staff(request).content.history(request.match_info["id"])
    return reply({"revisions": [r.to_json() for r in revisions]})


async def revert_entry(request: web.Request) -> web.Response:
    """``{"revision": ID, "version"?: N, "publish"?: bool}``: that revision becomes the draft."""
    data = await body(request)
    revision = _int(data, "revision", required=True) or 0
    view = await staff(request).content.revert(
        principal(request), request.match_info["id"], revision, _int(data, "version"),
        data.get("publish") is True, client_ip(request))
    return reply(view_json(view))


async def unanswered(request: web.Request) -> web.Response:
    """Open unanswered questions grouped by similarity, most asked first; what the running
    engine now answers is left out, and ``best_intent`` is the running engine's closest entry."""
    return reply({"groups": [group_json(g) for g in await staff(request).inbox.groups()]})


async def attach_unanswered(request: web.Request) -> web.Response:
    """``{"ids": [...], "entry": ID}``: add the questions to the entry's draft."""
    data = await body(request)
    ids, entry_id = data.get("ids"), data.get("entry")
    if not isinstance(ids, list) or not all(isinstance(i, int) and 0 <= i <= MAX_ID
                                            for i in ids) or not isinstance(entry_id, str):
        raise Invalid("需要 ids（整数列表）和 entry（条目编号）。",
                      [("ids", "必填"), ("entry", "必填")])
    view = await staff(request).inbox.attach(principal(request), ids, entry_id,
                                             client_ip(request))
    return reply(view_json(view))


async def try_question(request: web.Request) -> web.Response:
    """``?text=&entry=&draft=1``: the engine's ranked candidates and score parts."""
    q = request.query
    result = await staff(request).preview.try_question(q.get("text", ""), q.get("entry") or None,
                                                       q.get("draft") == "1")
    return reply(result.to_json())
