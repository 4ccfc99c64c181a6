"""Who may use ``/admin``: the session cookie for pages, bearer tokens for the API, CSRF on forms.

The middleware only checks and translates; every rule (roles, expiry, disabled accounts, the login
limit) lives in services.staff.auth, so the pages and the API enforce the same ones. Errors are
answered through the one error table of ``middlewares`` (an HTML page or a JSON error with the
right status); this middleware sets strict security headers on every admin response, error pages
included (no inline script, no framing, no caching).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from bot.keys import ADMIN, PRINCIPAL, SETTINGS
from bot.web.middlewares import error_response
from services.errors import AdminError, AuthFailed
from services.platform import Principal

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE = "wenjiao_admin"
LOGIN_COOKIE = "wenjiao_login"
PUBLIC_PATHS = frozenset({"/admin/login", "/admin/api/login"})
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none';"
                               " form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def is_admin_path(path: str) -> bool:
    """Whether ``path`` belongs to the admin (pages or API)."""
    return path == "/admin" or path.startswith("/admin/")


def client_ip(request: web.Request) -> str:
    """The peer address, for the audit log and the login limit."""
    return request.remote or ""


def principal(request: web.Request) -> Principal:
    """The logged-in staff member of this request (set by the middleware)."""
    return request[PRINCIPAL]


@web.middleware
async def admin_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require a login for every admin path but the login ones; admin pages get the security
    headers, error pages included (rendered through the error table of ``middlewares``)."""
    if not is_admin_path(request.path):
        return await handler(request)
    api = request.path.startswith("/admin/api/")
    try:
        if request.path not in PUBLIC_PATHS:
            request[PRINCIPAL] = await (_bearer(request) if api else _cookie(request))
        response = await handler(request)
    except AdminError as exc:  # answered by the error table, with this path's headers
        response = error_response(request, exc)
    if not api:
        response.headers.update(SECURITY_HEADERS)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


async def _bearer(request: web.Request) -> Principal:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthFailed("需要 Authorization: Bearer 令牌（POST /admin/api/login 获取）。")
    return await request.app[ADMIN].auth.resolve(token.strip(), "api")


async def _cookie(request: web.Request) -> Principal:
    try:
        who = await request.app[ADMIN].auth.resolve(request.cookies.get(COOKIE, ""), "web")
    except AuthFailed:
        target = "/admin/login" + (f"?next={quote(request.path_qs)}"
                                   if request.method == "GET" else "")
        raise web.HTTPSeeOther(target) from None
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        sent = str(form.get("csrf") or request.headers.get("X-CSRF-Token", ""))
        if not sent or not hmac.compare_digest(sent, who.csrf):
            raise web.HTTPForbidden(
                text="表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")
    return who


# -- the login form's CSRF token (there is no session yet): a nonce cookie signed with the key --

def login_nonce() -> str:
    """A fresh nonce for the login form's cookie."""
    return secrets.token_urlsafe(18)


async def login_token(request: web.Request, nonce: str) -> str:
    """The login form's CSRF value for ``nonce``: HMAC with the admin secret key."""
    configured = request.app[SETTINGS].admin_secret_key
    key = await request.app[ADMIN].auth.secret_key(
        configured.get_secret_value() if configured else None)
    return hmac.new(key, f"login:{nonce}".encode(), hashlib.sha256).hexdigest()


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str,
               max_age: int) -> None:
    """An HttpOnly, SameSite=Strict cookie scoped to /admin (Secure over HTTPS)."""
    response.set_cookie(name, value, max_age=max_age, path="/admin", httponly=True,
                        samesite="Strict", secure=request.secure)
