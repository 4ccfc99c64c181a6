"""The client's own address and scheme behind a trusted reverse proxy (``WENJIAO_TRUSTED_PROXIES``).

Behind nginx every request comes from nginx's address and over plain HTTP, so without this the
login limit would count every user as one, and the admin cookie could never be ``Secure``.
``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only when the peer itself is one of
the configured proxies and the proxy sent the header; anyone else's forwarded headers are
ignored, so a client cannot claim another address. aiohttp-remotes does the parsing and the
checks (``XForwardedStrict``: exactly one trusted hop, malformed headers are a 400); the shipped
``deploy/nginx.conf`` sets ``X-Forwarded-For $remote_addr`` (one hop, a client's own header
overwritten).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from aiohttp import hdrs, web
from aiohttp_remotes import XForwardedStrict

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Network = IPv4Network | IPv6Network


def parse_proxies(spec: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list of addresses and networks; ValueError naming the
    bad item otherwise."""
    networks = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            message = f"WENJIAO_TRUSTED_PROXIES: {item!r} is not an address or network"
            raise ValueError(message) from None
    return tuple(networks)


class TrustedProxies:
    """A middleware that rewrites ``request.remote`` and ``request.scheme`` for trusted proxies."""

    def __init__(self, spec: str) -> None:
        self.networks = parse_proxies(spec)
        self._strict = XForwardedStrict([[str(n) for n in self.networks]])

    def _from_proxy(self, request: web.Request) -> bool:
        if hdrs.X_FORWARDED_FOR not in request.headers:
            return False
        try:
            peer = ip_address(request.remote or "")
        except ValueError:
            return False
        return any(peer in network for network in self.networks)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Believe the forwarded headers of a trusted proxy, and nobody else's."""
        if not self._from_proxy(request):
            return await handler(request)
        return await self._strict.middleware(request, handler)


def proxy_middlewares(spec: str) -> list[Callable[..., Awaitable[web.StreamResponse]]]:
    """The middleware for ``spec``, or none when no proxy is trusted."""
    return [TrustedProxies(spec).middleware] if spec.strip() else []
