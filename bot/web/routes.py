"""The single table of every URL the server answers."""

from __future__ import annotations

from aiohttp import web

from bot.channels import telegram_server, webchat, wechat
from bot.keys import SETTINGS
from bot.web import (
    admin,
    admin_analytics,
    admin_api,
    admin_pages,
    admin_render,
    health,
    observability,
    openapi,
)


def setup_routes(app: web.Application) -> None:
    """Register every route."""
    app.router.add_get("/", webchat.index)
    app.router.add_post("/api/ask", webchat.ask)
    app.router.add_post("/api/feedback", webchat.feedback)
    app.router.add_get("/api/openapi.yaml", openapi.document)  # docs/openapi.yaml
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/readyz", health.readyz)
    app.router.add_get("/metrics", observability.metrics)
    app.router.add_static("/static/", webchat.STATIC_DIR, name="static")
    app.router.add_get("/wechat", wechat.verify)  # 404 unless WENJIAO_WECHAT_TOKEN is set
    app.router.add_post("/wechat", wechat.receive)
    if telegram_server.webhook_mode(app[SETTINGS]):
        app.router.add_post(telegram_server.WEBHOOK_PATH, telegram_server.webhook)
    setup_admin_routes(app)


def setup_admin_routes(app: web.Application) -> None:
    """The web admin (session cookie) and its JSON API (bearer token), both under /admin."""
    admin_render.setup_templates(app)
    r = app.router
    r.add_get("/admin", admin_pages.index)
    r.add_get("/admin/login", admin_pages.login_form)
    r.add_post("/admin/login", admin_pages.login)
    r.add_post("/admin/logout", admin_pages.logout)
    r.add_get("/admin/entries", admin.entries)
    r.add_get("/admin/entries/new", admin.new_entry_form)
    r.add_post("/admin/entries/new", admin.create_entry)
    r.add_get("/admin/entries/{id}", admin.edit_entry)
    r.add_post("/admin/entries/{id}", admin.save_entry)
    r.add_post("/admin/entries/{id}/publish", admin.publish_entry)
    r.add_get("/admin/entries/{id}/history", admin.entry_history)
    r.add_post("/admin/entries/{id}/revert", admin.revert_entry)
    r.add_post("/admin/entries/{id}/{action:unschedule|discard|delete|restore}",
               admin.entry_action)
    r.add_get("/admin/try", admin.try_question)
    r.add_get("/admin/unanswered", admin_pages.unanswered)
    r.add_post("/admin/unanswered/{action:attach|new|dismiss}", admin_pages.unanswered_action)
    r.add_get("/admin/feedback", admin_pages.feedback)
    r.add_get("/admin/crisis", admin_pages.crisis)
    r.add_post("/admin/crisis/{id:[0-9]+}/handled", admin_pages.crisis_handled)
    r.add_get("/admin/users", admin_pages.users)
    r.add_post("/admin/users", admin_pages.user_action)
    r.add_post("/admin/users/{name}/{action:role|disable|enable|password}",
               admin_pages.user_action)
    r.add_get("/admin/audit", admin_pages.audit_log)
    r.add_get("/admin/analytics", admin_analytics.analytics)
    r.add_get("/admin/analytics.csv", admin_analytics.analytics_csv)
    api = "/admin/api"
    r.add_post(f"{api}/login", admin_api.login)
    r.add_post(f"{api}/logout", admin_api.logout)
    r.add_get(f"{api}/entries", admin_api.list_entries)
    r.add_post(f"{api}/entries", admin_api.create_entry)
    r.add_get(f"{api}/entries/{{id}}", admin_api.get_entry)
    r.add_put(f"{api}/entries/{{id}}", admin_api.put_entry)
    r.add_delete(f"{api}/entries/{{id}}", admin_api.delete_entry)
    r.add_post(f"{api}/entries/{{id}}/publish", admin_api.publish_entry)
    r.add_get(f"{api}/entries/{{id}}/history", admin_api.entry_history)
    r.add_post(f"{api}/entries/{{id}}/revert", admin_api.revert_entry)
    r.add_post(f"{api}/entries/{{id}}/restore", admin_api.restore_entry)
    r.add_get(f"{api}/unanswered", admin_api.unanswered)
    r.add_post(f"{api}/unanswered/attach", admin_api.attach_unanswered)
    r.add_get(f"{api}/try", admin_api.try_question)
