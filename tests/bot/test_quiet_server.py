"""What the server itself says to a stranger: requests it cannot parse get the project's JSON
error, never their own bytes quoted back (nor in the log), and no response names the versions."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest
from aiohttp import web

from bot.app import create_app
from bot.web.quiet_server import QuietRunner

SECRET = "oSecretOpenid42"
MALFORMED = [
    f"GET /wechat?openid={SECRET} HT<script>TP/1.1\r\nHost: x\r\n\r\n",
    f"POST /api/ask?u={SECRET} HTTP/1.1\r\nHost: x\r\nContent-Length: {SECRET}\r\n\r\n",
    f"GET /\x00{SECRET} HTTP/1.1\r\nHost: x\r\n\r\n",
    f"GET / HTTP/1.1\r\nHost: x\r\nX-{SECRET}\x01: 1\r\n\r\n",
    "GET /" + "a" * 20000 + f"{SECRET} HTTP/1.1\r\nHost: x\r\n\r\n",
]


@pytest.fixture
async def port(settings, services):
    runner = QuietRunner(create_app(settings, services), access_log=None)
    await runner.setup()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    await web.TCPSite(runner, "127.0.0.1", free).start()
    yield free
    await runner.cleanup()


async def _raw(port: int, data: bytes) -> tuple[str, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return status, headers, body


@pytest.mark.parametrize("request_text", MALFORMED, ids=range(len(MALFORMED)))
async def test_an_unparsable_request_gets_a_json_400_that_quotes_nothing(port, request_text,
                                                                         caplog):
    caplog.set_level(logging.DEBUG)
    status, headers, body = await _raw(port, request_text.encode())
    assert status.split()[1] in ("400", "413", "431")
    assert headers["Content-Type"].startswith("application/json")
    assert headers["Server"] == "wenjiao"
    assert json.loads(body)["error"]["code"]
    assert SECRET.encode() not in body
    assert SECRET not in caplog.text


async def test_ordinary_responses_name_no_versions(port):
    status, headers, _ = await _raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                          b"Connection: close\r\n\r\n")
    assert status.split()[1] == "200"
    assert headers["Server"] == "wenjiao"
