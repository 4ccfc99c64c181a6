"""Behind a trusted reverse proxy the login limit counts each client, and the admin cookie is
Secure over HTTPS; nobody else can claim an address or a scheme with forwarded headers."""

from __future__ import annotations

import re

import pytest

from bot.web.auth import COOKIE, LOGIN_COOKIE
from bot.web.proxies import parse_proxies
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import PASSWORD, admin_client

LOGIN = "/admin/api/login"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only


async def _client(aiohttp_client, settings, services, staff, trusted: str):
    return await admin_client(aiohttp_client, settings.model_copy(update={
        "trusted_proxies": trusted}), services, staff)


@pytest.fixture
async def behind_nginx(aiohttp_client, settings, services, staff, users):
    """The app with the test client's own address (loopback) as the trusted proxy."""
    return await _client(aiohttp_client, settings, services, staff, "127.0.0.1, ::1")


@pytest.fixture
async def direct(aiohttp_client, settings, services, staff, users):
    """The app with no trusted proxy: forwarded headers are anybody's claims."""
    return await _client(aiohttp_client, settings, services, staff, "")


async def _login(client, password: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    resp = await client.post(LOGIN, json={"username": "erin", "password": password},
                             headers=headers)
    return resp.status


async def test_a_guesser_behind_the_proxy_does_not_lock_out_a_colleague(behind_nginx):
    statuses = [await _login(behind_nginx, "wrong", "203.0.113.5") for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert await _login(behind_nginx, PASSWORD, "203.0.113.5") == 429
    assert await _login(behind_nginx, PASSWORD, "198.51.100.7") == 200


async def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(direct):
    """A guesser cannot escape the limit by making up an X-Forwarded-For per request."""
    statuses = [await _login(direct, "wrong", f"203.0.113.{n}") for n in range(6)]
    assert statuses == [401] * 5 + [429]


async def test_the_refusal_says_when_to_try_again(behind_nginx):
    for _ in range(5):
        await _login(behind_nginx, "wrong", "203.0.113.9")
    resp = await behind_nginx.post(LOGIN, json={"username": "erin", "password": PASSWORD},
                                   headers={"X-Forwarded-For": "203.0.113.9"})
    assert resp.status == 429 and 1 <= int(resp.headers["Retry-After"]) <= 30
    assert "秒后再试" in (await resp.json())["error"]["message"]


def _cookie_flags(resp, name: str) -> str:
    [header] = [h for h in resp.headers.getall("Set-Cookie") if h.startswith(f"{name}=")]
    return header


async def test_cookies_are_secure_when_the_proxy_says_https(behind_nginx):
    https = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    form = await behind_nginx.get("/admin/login", headers=https)
    assert "Secure" in _cookie_flags(form, LOGIN_COOKIE)
    nonce = form.cookies[LOGIN_COOKIE].value
    done = await behind_nginx.post("/admin/login", allow_redirects=False, headers={
        **https, "Cookie": f"{LOGIN_COOKIE}={nonce}"}, data={
        "csrf": CSRF.search(await form.text()).group(1), "username": "erin",
        "password": PASSWORD, "next": ""})
    assert done.status == 303
    assert "Secure" in _cookie_flags(done, COOKIE) and "HttpOnly" in _cookie_flags(done, COOKIE)


async def test_plain_http_and_untrusted_claims_of_https_get_no_secure_cookie(behind_nginx, direct):
    plain = await behind_nginx.get("/admin/login", headers={"X-Forwarded-For": "198.51.100.7",
                                                              "X-Forwarded-Proto": "http"})
    assert "Secure" not in _cookie_flags(plain, LOGIN_COOKIE)
    claimed = await direct.get("/admin/login", headers={"X-Forwarded-For": "198.51.100.7",
                                                         "X-Forwarded-Proto": "https"})
    assert "Secure" not in _cookie_flags(claimed, LOGIN_COOKIE)


@pytest.mark.parametrize("value", ["not-an-address", "1.2.3.4, 5.6.7.8", "", "１.２.３.４",
                                   "::1" * 50])
async def test_malformed_forwarded_headers_from_the_proxy_are_a_clear_400(behind_nginx, value):
    """Our nginx sends exactly one address; anything else means a misconfigured proxy chain."""
    resp = await behind_nginx.post(LOGIN, json={"username": "erin", "password": PASSWORD},
                                   headers={"X-Forwarded-For": value})
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "bad_request"


def test_a_mistyped_proxy_list_stops_the_start_with_its_item_named():
    assert [str(n) for n in parse_proxies("127.0.0.1, 10.0.0.0/8")] == ["127.0.0.1/32",
                                                                         "10.0.0.0/8"]
    with pytest.raises(ValueError, match="10.0.0.300"):
        parse_proxies("127.0.0.1,10.0.0.300")
