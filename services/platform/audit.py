"""The audit log: every admin action, written in the same transaction as the action itself.

A failed login is recorded too (in its own transaction, since there is nothing else to commit);
the login rate limit counts those rows, so the limit holds across every process on one database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.db.base import utcnow
from services.db.models import AuditLog

LOGIN_FAILED = "login_failed"
CRISIS_HANDLED = "crisis_handled"  # target "exchange:<id>"; the staff alerts skip these
MAX_DETAIL = 2000

# Chinese labels of every action written to the log, for the audit page and its filter (in the
# filter's order, by area); tests/bot/test_admin_labels.py scans the services for the codes, so a
# new action without a label fails a test. An unknown code is shown as itself.
ACTION_LABELS = {
    "login": "登录",
    LOGIN_FAILED: "登录失败",
    "login_blocked": "登录被限制",
    "logout": "退出",
    "entry_create": "新建条目",
    "entry_edit": "编辑草稿",
    "entry_attach": "问题并入草稿",
    "entry_revert": "恢复历史版本",
    "entry_publish": "发布",
    "entry_schedule": "定时发布",
    "entry_unschedule": "取消定时发布",
    "entry_discard": "放弃草稿",
    "entry_delete": "删除条目",
    "entry_restore": "恢复删除",
    "faq_import": "导入内容",
    "unanswered_attach": "未答问题并入条目",
    "unanswered_new": "未答问题转为新条目",
    "unanswered_dismiss": "忽略未答问题",
    CRISIS_HANDLED: "危机跟进已处理",
    "user_create": "新建用户",
    "user_role": "修改角色",
    "user_disable": "停用用户",
    "user_enable": "启用用户",
    "user_password": "重设密码",
}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log as the pages show it."""

    id: int
    at: datetime
    actor: str
    action: str
    label: str
    target: str
    detail: str
    ip: str


async def record(session: AsyncSession, actor: str, action: str, target: str = "",
                 detail: str = "", ip: str = "") -> None:
    """Add one audit row (the caller commits it together with the action)."""
    session.add(AuditLog(actor=actor[:80], action=action[:40], target=target[:200],
                         detail=detail[:MAX_DETAIL], ip=ip[:64], created_at=utcnow()))


async def recent_failures(session: AsyncSession, username: str, ip: str,
                          window: timedelta) -> tuple[int, int]:
    """Failed logins in ``window``: (for this username, from this address)."""
    since = utcnow() - window
    base = select(func.count()).select_from(AuditLog).where(
        AuditLog.action == LOGIN_FAILED, AuditLog.created_at >= since)
    by_user = await session.scalar(base.where(AuditLog.target == username[:200]))
    by_ip = await session.scalar(base.where(AuditLog.ip == ip[:64])) if ip else 0
    return int(by_user or 0), int(by_ip or 0)


async def entries(session: AsyncSession, *, action: str | None = None, actor: str | None = None,
                  target: str | None = None, limit: int = 200) -> list[AuditEntry]:
    """The newest audit rows first, optionally filtered."""
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if action:
        query = query.where(AuditLog.action == action)
    if actor:
        query = query.where(AuditLog.actor == actor)
    if target:
        query = query.where(or_(AuditLog.target == target, AuditLog.target.like(f"{target}#%")))
    rows: Sequence[AuditLog] = (await session.scalars(query)).all()
    return [AuditEntry(r.id, r.created_at, r.actor, r.action,
                       ACTION_LABELS.get(r.action, r.action), r.target, r.detail, r.ip)
            for r in rows]


async def targets_with_action(session: AsyncSession, action: str,
                              targets: Sequence[str]) -> dict[str, tuple[str, datetime]]:
    """For each target that has ``action`` logged: who did it and when (the latest such row)."""
    if not targets:
        return {}
    rows = await session.execute(
        select(AuditLog.target, AuditLog.actor, AuditLog.created_at).where(
            AuditLog.action == action, AuditLog.target.in_(list(targets))
        ).order_by(AuditLog.id))
    return {str(target): (str(actor), at) for target, actor, at in rows.all()}
