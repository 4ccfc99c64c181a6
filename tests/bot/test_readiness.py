"""/readyz tells a load balancer whether this worker can answer: the database must answer."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import FAQ_DIR
from tests.tcp_proxy import TcpProxy


async def test_ready_when_the_database_answers(client):
    resp = await client.get("/readyz")
    assert resp.status == 200
    assert await resp.json() == {"status": "ready", "database": True}


@pytest.mark.postgres
async def test_not_ready_while_postgresql_is_unreachable_and_ready_again_after(postgres_url):
    target = urlsplit(postgres_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    through = urlunsplit(target._replace(netloc=f"{target.username}@127.0.0.1:{proxy.port}"))
    settings = Settings(_env_file=None, database_url=through, faq_dir=FAQ_DIR)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        assert (await client.get("/readyz")).status == 200
        await proxy.cut()
        resp = await client.get("/readyz")
        assert resp.status == 503
        assert await resp.json() == {"status": "unavailable", "database": False}
        assert (await client.get("/healthz")).status == 200  # liveness: do not restart it
        await proxy.restore()
        assert (await client.get("/readyz")).status == 200
    finally:
        await client.close()
        await proxy.cut()
