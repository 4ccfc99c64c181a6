"""Staff accounts, roles and logins: argon2 password hashes, hashed session tokens, a login limit.

Roles are ordered: an editor edits drafts, a publisher also publishes (and deletes), an admin also
manages accounts. Web sessions and API tokens are the same kind of row, so disabling an account or
changing its role takes effect on its very next request, in every process.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.db import repositories as repo
from services.db.base import utcnow
from services.db.models import AdminSession, AdminUser
from services.errors import AuthFailed, Invalid, NotFound, TooManyAttempts
from services.platform import audit
from services.platform.roles import ROLES, Principal, require
from services.platform.timeutil import as_utc
from services.staff.login_limit import LoginLimiter, LoginPolicy

USERNAME = re.compile(r"^[\w.@-]{2,80}$")
MIN_PASSWORD = 8
SECRET_META_KEY = "admin_secret_key"


@dataclass(frozen=True, slots=True)
class UserView:
    """An account as the users page shows it."""

    username: str
    role: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Login:
    """A successful login: the raw token (shown once), its CSRF value and expiry."""

    token: str
    principal: Principal
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthService:
    """Accounts and logins over the store."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *,
                 web_ttl: timedelta = timedelta(hours=8),
                 api_ttl: timedelta = timedelta(hours=12),
                 login_policy: LoginPolicy | None = None,
                 hasher: PasswordHasher | None = None) -> None:
        self._sessionmaker = sessionmaker
        self._hasher = hasher or PasswordHasher()  # argon2id, the library's recommended cost
        self._ttl = {"web": web_ttl, "api": api_ttl}
        self.limiter = LoginLimiter(sessionmaker, login_policy)
        self._dummy_hash: str | None = None
        self._secret: bytes | None = None

    # -- accounts ----------------------------------------------------------------------------

    async def create_user(self, actor: Principal, username: str, password: str, role: str,
                          ip: str = "") -> None:
        """Add an account (admins only)."""
        require(actor, "admin", "管理用户")
        _check_username(username)
        _check_role(role)
        _check_password(password)
        digest = await asyncio.to_thread(self._hasher.hash, password)
        async with self._sessionmaker.begin() as session:
            if await _find_user(session, username) is not None:
                raise Invalid("用户名已存在。", [("username", "已存在")])
            session.add(AdminUser(username=username, password_hash=digest, role=role))
            await audit.record(session, actor.username, "user_create", username, role, ip)

    async def set_role(self, actor: Principal, username: str, role: str, ip: str = "") -> None:
        """Change an account's role (admins only)."""
        require(actor, "admin", "管理用户")
        _check_role(role)
        async with self._sessionmaker.begin() as session:
            user = await _user(session, username)
            old, user.role = user.role, role
            await audit.record(session, actor.username, "user_role", username, f"{old} → {role}",
                               ip)

    async def set_disabled(self, actor: Principal, username: str, disabled: bool,
                           ip: str = "") -> None:
        """Disable (ending every login of) or re-enable an account (admins only)."""
        require(actor, "admin", "管理用户")
        if disabled and username == actor.username:
            raise Invalid("不能停用自己的账号。", [("username", "不能停用自己")])
        async with self._sessionmaker.begin() as session:
            user = await _user(session, username)
            user.disabled = disabled
            if disabled:
                await session.execute(delete(AdminSession).where(AdminSession.user_id == user.id))
            await audit.record(session, actor.username,
                               "user_disable" if disabled else "user_enable", username, "", ip)

    async def set_password(self, actor: Principal, username: str, password: str,
                           ip: str = "") -> None:
        """Set a new password (admins only); every login of the account ends."""
        require(actor, "admin", "管理用户")
        _check_password(password)
        digest = await asyncio.to_thread(self._hasher.hash, password)
        async with self._sessionmaker.begin() as session:
            user = await _user(session, username)
            user.password_hash = digest
            await session.execute(delete(AdminSession).where(AdminSession.user_id == user.id))
            await audit.record(session, actor.username, "user_password", username, "", ip)

    async def list_users(self) -> list[UserView]:
        """Every account, by name."""
        async with self._sessionmaker() as session:
            rows = await session.scalars(select(AdminUser).order_by(AdminUser.username))
            return [UserView(u.username, u.role, u.disabled, u.created_at) for u in rows]

    # -- logins ------------------------------------------------------------------------------

    async def login(self, username: str, password: str, *, kind: str = "web",
                    ip: str = "") -> Login:
        """Check the password and open a session; failures are logged and rate-limited.

        The limiter reserves the check first (one atomic step in the store), so parallel
        guesses cannot get more checks than the limit. An unknown username goes into the audit
        log only as a hash: people type passwords into that field.
        """
        username = username.strip()[:80]
        reservation = await self.limiter.reserve(username, ip)
        async with self._sessionmaker.begin() as session:
            user = await _find_user(session, username)
            shown = username if user is not None else _unknown(username)
            if not reservation.granted:
                await audit.record(session, shown, "login_blocked", shown, kind, ip)
        if reservation.retry_after is not None:
            wait = reservation.retry_after
            raise TooManyAttempts(f"登录失败次数过多，请{_duration(wait)}后再试。", wait)
        if not await self._verify(user, password) or user is None or user.disabled:
            await self.limiter.failed(reservation)
            async with self._sessionmaker.begin() as session:
                await audit.record(session, shown, audit.LOGIN_FAILED, shown, kind, ip)
            raise AuthFailed("用户名或密码不正确，或账号已停用。")
        await self.limiter.succeeded(reservation)
        return await self._open(user, password, kind, ip)

    async def _verify(self, user: AdminUser | None, password: str) -> bool:
        """Check a password; an unknown user costs the same time as a known one."""
        if user is None:
            if self._dummy_hash is None:
                self._dummy_hash = await asyncio.to_thread(self._hasher.hash, "not a password")
            target = self._dummy_hash
        else:
            target = user.password_hash
        try:
            return await asyncio.to_thread(self._hasher.verify, target, password) and bool(user)
        except (VerificationError, InvalidHashError):
            return False

    async def _open(self, user: AdminUser, password: str, kind: str, ip: str) -> Login:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = utcnow()
        expires = now + self._ttl[kind]
        rehash = self._hasher.check_needs_rehash(user.password_hash)
        digest = await asyncio.to_thread(self._hasher.hash, password) if rehash else None
        async with self._sessionmaker.begin() as session:
            await session.execute(delete(AdminSession).where(AdminSession.expires_at < now))
            session.add(AdminSession(token_hash=_token_hash(token), user_id=user.id, kind=kind,
                                     csrf=csrf, expires_at=expires))
            if digest:
                row = await session.get(AdminUser, user.id)
                if row is not None:
                    row.password_hash = digest
            await audit.record(session, user.username, "login", user.username, kind, ip)
        return Login(token, Principal(user.username, user.role, csrf), expires)

    async def resolve(self, token: str, kind: str) -> Principal:
        """The account behind a session token; :class:`AuthFailed` when unknown or expired."""
        if not token:
            raise AuthFailed("请先登录。")
        async with self._sessionmaker() as session:
            row = (await session.execute(
                select(AdminSession, AdminUser).join(AdminUser)
                .where(AdminSession.token_hash == _token_hash(token), AdminSession.kind == kind)
            )).first()
        if row is None:
            raise AuthFailed("登录已失效，请重新登录。")
        login, user = row
        if user.disabled or as_utc(login.expires_at) <= utcnow():
            raise AuthFailed("登录已过期，请重新登录。")
        return Principal(user.username, user.role, login.csrf)

    async def logout(self, token: str, ip: str = "") -> None:
        """End a session (unknown tokens are ignored)."""
        async with self._sessionmaker.begin() as session:
            login = await session.get(AdminSession, _token_hash(token))
            if login is None:
                return
            user = await session.get(AdminUser, login.user_id)
            await session.delete(login)
            await audit.record(session, user.username if user else "?", "logout", "", "", ip)

    async def secret_key(self, configured: str | None) -> bytes:
        """The signing key: the configured one, else a random key kept in the store."""
        if configured:
            return configured.encode()
        if self._secret is None:
            try:
                async with self._sessionmaker.begin() as session:
                    value = await repo.get_meta(session, SECRET_META_KEY)
                    if value is None:
                        value = secrets.token_hex(32)
                        await repo.set_meta(session, SECRET_META_KEY, value)
            except IntegrityError:  # another process created it first: use theirs
                async with self._sessionmaker() as session:
                    value = await repo.get_meta(session, SECRET_META_KEY) or ""
            self._secret = bytes.fromhex(value)
        return self._secret


async def _find_user(session: AsyncSession, username: str) -> AdminUser | None:
    return await session.scalar(select(AdminUser).where(AdminUser.username == username))


async def _user(session: AsyncSession, username: str) -> AdminUser:
    user = await _find_user(session, username)
    if user is None:
        raise NotFound(f"没有用户 {username}。")
    return user


def _unknown(username: str) -> str:
    """How an unknown username appears in the audit log: a short hash, never the text."""
    return "?" + hashlib.sha256(username.encode()).hexdigest()[:16]


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}秒"
    return f"{math.ceil(seconds / 60)}分钟"


def _check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise Invalid("用户名须为2–80个字母、数字或 _ . @ -。", [("username", "格式不对")])


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid(f"角色须为 {'、'.join(ROLES)} 之一。", [("role", "未知角色")])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"密码至少{MIN_PASSWORD}个字符。", [("password", "太短")])
