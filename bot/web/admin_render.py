"""Rendering of the admin's Jinja2 templates (autoescape on), with what every page needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.keys import PRINCIPAL
from services.content import documents as docs
from services.platform import ROLE_LABELS, audit, local

TEMPLATES = Path(__file__).resolve().parent / "templates"
NOTICES = {  # fixed texts chosen by ?ok=KEY after a redirect: nothing from the URL is shown
    "created": "已新建草稿。",
    "saved": "草稿已保存。",
    "published": "已发布，几秒内所有服务都会用新内容回答。",
    "scheduled": "已设定定时发布。",
    "unscheduled": "已取消定时发布。",
    "discarded": "已放弃草稿。",
    "deleted": "已删除（可恢复）。",
    "restored": "已恢复。",
    "reverted": "已恢复为所选版本（新的一次修订）。",
    "attached": "已把问题加入条目草稿。",
    "dismissed": "已忽略这些问题。",
    "handled": "已标记为已处理。",
    "user": "用户已更新。",
}


def setup_templates(app: web.Application) -> None:
    """Jinja2 with autoescape on and the admin's filters."""
    env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                               undefined=jinja2.StrictUndefined)
    env.filters.update(local=local, status_label=lambda s: docs.STATUS_LABELS.get(s, s),
                       role_label=lambda r: ROLE_LABELS.get(r, r),
                       action_label=lambda a: audit.ACTION_LABELS.get(a, a), field_label=docs.label)


def render(request: web.Request, template: str, status: int = 200,
           **context: Any) -> web.Response:
    """A page with what every admin template needs: who is logged in, the CSRF value, a notice."""
    me = request.get(PRINCIPAL)
    base = {"me": me, "csrf": me.csrf if me else "", "path": request.path,
            "notice": NOTICES.get(request.query.get("ok", ""), "")}
    return aiohttp_jinja2.render_template(f"admin/{template}", request, base | context,
                                          status=status)
