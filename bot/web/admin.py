"""Admin pages for entries: list, editor, publish/schedule, delete/restore, history, try box.

Views are thin: read the form, call one service, redirect (POST) or render (GET). Templates are
Jinja2 with autoescape, so staff-typed text (answers included) is always shown as text.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.keys import ADMIN
from bot.web.admin_render import render
from bot.web.auth import client_ip, principal
from bot.web.paging import paginate
from intents import LIST_FIELDS, SOURCE_FIELDS, TEXT_FIELDS
from services.content import diff
from services.content import documents as docs
from services.errors import AdminError, Conflict, Invalid
from services.platform import parse_local
from services.staff import Staff


def staff(request: web.Request) -> Staff:
    """The admin services."""
    return request.app[ADMIN]


def text(form: MultiDictProxy[Any], name: str) -> str:
    """A form field as text ('' when missing or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def version(form: MultiDictProxy[Any]) -> int | None:
    """The ``version`` field the editor started from."""
    raw = text(form, "version")
    return int(raw) if raw.isdigit() else None


def done(url: str, notice: str) -> web.HTTPSeeOther:
    """Post/redirect/get with a fixed notice."""
    return web.HTTPSeeOther(f"{url}?ok={notice}")


def topics(request: web.Request) -> list[tuple[str, str]]:
    """(id, title) of every topic of the content."""
    return [(t.id, t.title) for t in staff(request).content.catalog.content.topics]


def form_doc(form: MultiDictProxy[Any], entry_id: str) -> dict[str, Any]:
    """The entry document an editor form describes (one form field per entry field; the source
    as ``source_document``, ``source_number``, ``source_section``)."""
    doc: dict[str, Any] = {name: text(form, name) for name in TEXT_FIELDS}
    doc.update({name: text(form, name) for name in LIST_FIELDS if name != "questions"})
    doc["questions"] = [q for q in form.getall("questions", []) if isinstance(q, str)]
    doc["source"] = {part: text(form, f"source_{part}") for part in SOURCE_FIELDS}
    return {**doc, "id": entry_id}


def editor_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """A document as the editor's fields: every field present, lists of words as text."""
    source = doc.get("source") or {}

    def field(name: str) -> str:
        value = doc.get(name)
        return "" if value is None else str(value)

    def words(name: str) -> str:
        value = doc.get(name) or []
        sep = ", " if name in ("related", "not_covered") else "\n"
        return value if isinstance(value, str) else sep.join(str(v) for v in value)

    fields: dict[str, Any] = {name: field(name) for name in TEXT_FIELDS}
    fields.update({name: words(name) for name in LIST_FIELDS if name != "questions"})
    fields["questions"] = [str(q) for q in doc.get("questions") or []]
    fields.update({f"source_{part}": str(source.get(part) or "") for part in SOURCE_FIELDS})
    return fields


# -- list and editor -------------------------------------------------------------------------

async def entries(request: web.Request) -> web.Response:
    """Entry list with search (every word of ``q``) and topic/status filters, a page at a time."""
    q, topic, status = (request.query.get(k, "").strip() for k in ("q", "topic", "status"))
    items = await staff(request).content.list_entries(q, topic, status)
    page = paginate(items, request.query.get("page", ""), request.path,
                    {"q": q, "topic": topic, "status": status})
    return render(request, "entries.html", page=page, q=q, topic=topic, wanted=status,
                  topics=topics(request), statuses=docs.STATUS_LABELS)


def _editor(request: web.Request, doc: dict[str, Any], *, view: Any = None, status: int = 200,
            error: AdminError | None = None, conflict: Any = None) -> web.Response:
    problems = dict(error.problems) if isinstance(error, Invalid) else {}
    changes = diff(docs.lines(conflict.current), docs.lines(docs.clean(doc))) \
        if conflict is not None else ()
    return render(request, "entry_edit.html", status=status, doc=editor_fields(doc), view=view,
                  error=error.message if error else "", problems=problems, conflict=conflict,
                  changes=changes, topics=topics(request))


async def new_entry_form(request: web.Request) -> web.Response:
    """An empty editor."""
    return _editor(request, {"id": "", "topic": request.query.get("topic", ""), "questions": []})


async def create_entry(request: web.Request) -> web.Response:
    """Create a draft from the editor form."""
    form = await request.post()
    doc = form_doc(form, text(form, "id").strip())
    try:
        view = await staff(request).content.create(principal(request), doc, client_ip(request))
    except (Invalid, Conflict) as exc:
        return _editor(request, doc, status=exc.status, error=exc)
    raise done(f"/admin/entries/{view.id}", "created")


async def edit_entry(request: web.Request) -> web.Response:
    """The editor for one entry (its draft if any, else the published text)."""
    view = await staff(request).content.get(request.match_info["id"])
    return _editor(request, view.current, view=view)


async def save_entry(request: web.Request) -> web.Response:
    """Save the draft; with ``action=publish`` publish it right after."""
    entry_id, form = request.match_info["id"], await request.post()
    doc, me, ip = form_doc(form, entry_id), principal(request), client_ip(request)
    content = staff(request).content
    try:
        view = await content.save(me, entry_id, doc, version(form), ip)
    except Conflict as exc:
        current = await content.get(entry_id)
        return _editor(request, doc, view=current, status=409, error=exc, conflict=current)
    except Invalid as exc:
        return _editor(request, doc, view=await content.get(entry_id), status=422, error=exc)
    if text(form, "action") == "publish":
        await content.publish(me, entry_id, view.version, ip=ip)
        raise done(f"/admin/entries/{entry_id}", "published")
    raise done(f"/admin/entries/{entry_id}", "saved")


async def publish_entry(request: web.Request) -> web.Response:
    """Publish now, or schedule when a future time is given (Beijing time)."""
    entry_id, form = request.match_info["id"], await request.post()
    at = None
    if text(form, "publish_at").strip():
        try:
            at = parse_local(text(form, "publish_at"))
        except ValueError:
            raise Invalid("定时发布的时间格式不对。", [("publish_at", "格式不对")]) from None
    view = await staff(request).content.publish(principal(request), entry_id, version(form), at,
                                                client_ip(request))
    raise done(f"/admin/entries/{entry_id}",
               "scheduled" if view.status == "scheduled" else "published")


async def entry_action(request: web.Request) -> web.Response:
    """Unschedule, discard the draft, delete or restore (the action is in the URL)."""
    entry_id, action = request.match_info["id"], request.match_info["action"]
    form = await request.post()
    content, me, ip = staff(request).content, principal(request), client_ip(request)
    if action == "unschedule":
        await content.unschedule(me, entry_id, ip)
    elif action == "discard":
        await content.discard_draft(me, entry_id, version(form), ip)
    elif action == "delete":
        await content.delete(me, entry_id, version(form), ip)
    elif action == "restore":
        await content.restore(me, entry_id, ip)
    else:
        raise web.HTTPNotFound()
    notices = {"unschedule": "unscheduled", "discard": "discarded", "delete": "deleted",
               "restore": "restored"}
    raise done(f"/admin/entries/{entry_id}", notices[action])


# -- history and try -------------------------------------------------------------------------

async def entry_history(request: web.Request) -> web.Response:
    """Every revision with its diff, and a restore button on each."""
    entry_id = request.match_info["id"]
    view = await staff(request).content.get(entry_id)
    revisions = await staff(request).content.history(entry_id)
    return render(request, "history.html", view=view, revisions=revisions)


async def revert_entry(request: web.Request) -> web.Response:
    """Make an old revision the draft again (and publish it, if asked and allowed)."""
    entry_id, form = request.match_info["id"], await request.post()
    revision = text(form, "revision")
    if not revision.isdigit():
        raise Invalid("请选择要恢复的版本。", [("revision", "必填")])
    await staff(request).content.revert(principal(request), entry_id, int(revision),
                                        version(form), text(form, "publish") == "1",
                                        client_ip(request))
    raise done(f"/admin/entries/{entry_id}", "reverted")


async def try_question(request: web.Request) -> web.Response:
    """The engine's top candidates for a text (JSON for the editor's script, or a page)."""
    q = request.query
    result = await staff(request).preview.try_question(
        q.get("text", ""), q.get("entry") or None, q.get("draft") == "1")
    if q.get("format") == "json":
        return web.json_response(result.to_json())
    return render(request, "try.html", result=result, entry=q.get("entry", ""))
