"""The WeChat API client: customer-service messages (late replies) and the custom menu.

wechatpy's ``WeChatClient`` is synchronous (requests), so callers run it in a thread. Two things
are adjusted here: the base URL (``WENJIAO_WECHAT_API_BASE_URL``, so tests and staging can point
at a local fake; wechatpy hard-codes the token URL, so ``fetch_access_token`` is redone against
the same base) and a timeout on every HTTP call. With Redis configured the access token lives in
wechatpy's ``RedisStorage``: every worker uses the same token instead of fetching its own, which
would invalidate the others' (WeChat keeps only the newest token valid).
"""

from __future__ import annotations

from typing import Any

import requests
from redis import Redis
from wechatpy import WeChatClient
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

OFFICIAL_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"
HTTP_TIMEOUT = 5.0
TOKEN_PREFIX = "wenjiao:wechatpy"


def api_base_url(configured: str | None) -> str:
    """The ``.../cgi-bin/`` base from a setting that may name just the host."""
    if not configured:
        return OFFICIAL_BASE_URL
    base = configured.rstrip("/")
    if not base.endswith("/cgi-bin"):
        base += "/cgi-bin"
    return base + "/"


class _TimeoutSession(requests.Session):
    """A requests session that never waits forever (wechatpy's token fetch passes no timeout)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        """Send with the default timeout unless the caller gave one."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().request(*args, **kwargs)


class ApiClient(WeChatClient):  # type: ignore[misc]
    """``WeChatClient`` against a configurable base URL, with timeouts."""

    def __init__(self, appid: str, secret: str, *, base_url: str | None = None,
                 session: SessionStorage | None = None, timeout: float = HTTP_TIMEOUT) -> None:
        super().__init__(appid, secret, session=session or MemoryStorage(), timeout=timeout)
        self.API_BASE_URL = api_base_url(base_url)
        previous: requests.Session = self._http
        previous.close()
        self._http: requests.Session = _TimeoutSession(timeout)

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetch a token from this client's base URL (wechatpy's own uses the official host)."""
        result: dict[str, Any] = self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid,
                    "secret": self.secret})
        return result


def build_client(appid: str, secret: str, base_url: str | None = None,
                 redis_url: str | None = None) -> ApiClient:
    """A client whose access token is shared through Redis when ``redis_url`` is given."""
    session: SessionStorage | None = None
    if redis_url:  # the synchronous client: wechatpy's storage is synchronous
        session = RedisStorage(Redis.from_url(redis_url, socket_timeout=2.0,
                                              socket_connect_timeout=2.0), prefix=TOKEN_PREFIX)
    return ApiClient(appid, secret, base_url=base_url, session=session)


def close_client(client: ApiClient) -> None:
    """Release the HTTP session and the Redis connection pool, if any."""
    client._http.close()
    storage = client.session
    if isinstance(storage, RedisStorage):
        storage.redis.close()
