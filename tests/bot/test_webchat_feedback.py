"""POST /api/feedback: the web chat's 👍/👎, stored as Telegram's votes are (one Feedback row per
user and exchange, changeable), only on the session's own answers, and every bad body a JSON 4xx.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.settings import Settings
from services.db.models import Exchange, Feedback
from tests.bot.test_openapi import check
from tests.bot.test_rate_limit_channels import inside_one_window
from tests.conftest import FAQ_DIR

QUESTION = "温心有约是什么"


async def answer(client, session: str = "s1", text: str = QUESTION) -> dict:
    resp = await client.post("/api/ask", json={"text": text, "session": session})
    body = await resp.json()
    assert resp.status == 200 and body["kind"] == "answer" and body["exchange_id"], body
    return body


async def vote(client, exchange_id, value, session="s1"):
    return await client.post("/api/feedback", json={"exchange_id": exchange_id,
                                                    "session": session, "value": value})


async def stored(services) -> list[tuple[int, int, str]]:
    async with services.sessionmaker() as session:
        rows = await session.scalars(select(Feedback).order_by(Feedback.id))
        return [(f.exchange_id, f.value, f.user_hash) for f in rows]


async def test_a_vote_is_stored_under_the_session_that_was_answered(client, services):
    reply = await answer(client)
    resp = await vote(client, reply["exchange_id"], 1)
    assert resp.status == 200
    assert await resp.json() == {"exchange_id": reply["exchange_id"], "value": 1}
    [(exchange_id, value, who)] = await stored(services)
    assert (exchange_id, value) == (reply["exchange_id"], 1)
    async with services.sessionmaker() as session:
        exchange = await session.get(Exchange, exchange_id)
    assert exchange is not None and exchange.channel == "web" and who == exchange.user_hash


async def test_a_second_vote_replaces_the_first(client, services):
    reply = await answer(client)
    assert (await vote(client, reply["exchange_id"], 1)).status == 200
    assert (await vote(client, reply["exchange_id"], -1)).status == 200
    assert [value for _, value, _ in await stored(services)] == [-1]  # changed, not added


async def test_another_sessions_answer_cannot_be_voted_on(client, services):
    mine = await answer(client, "mine")
    resp = await vote(client, mine["exchange_id"], -1, session="someone-else")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"
    assert await stored(services) == []
    assert (await vote(client, mine["exchange_id"], 1, session="mine")).status == 200


async def test_an_exchange_that_does_not_exist_is_a_404(client, services):
    reply = await answer(client)
    resp = await vote(client, reply["exchange_id"] + 1000, 1)
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "not_found"
    assert await stored(services) == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"", 400, "invalid_json"),
        (b"[1]", 400, "invalid_json"),
        (b"{}", 400, "invalid_request"),
        (b'{"exchange_id": EX, "session": "s1"}', 400, "invalid_request"),
        (b'{"exchange_id": EX, "session": "s1", "value": 0}', 400, "invalid_request"),
        (b'{"exchange_id": EX, "session": "s1", "value": 2}', 400, "invalid_request"),
        (b'{"exchange_id": EX, "session": "s1", "value": "1"}', 400, "invalid_request"),
        (b'{"exchange_id": EX, "session": "s1", "value": true}', 400, "invalid_request"),
        (b'{"exchange_id": EX, "session": "s1", "value": 1.0}', 400, "invalid_request"),
        (b'{"exchange_id": "1", "session": "s1", "value": 1}', 400, "invalid_request"),
        (b'{"exchange_id": 0, "session": "s1", "value": 1}', 400, "invalid_request"),
        (b'{"exchange_id": -5, "session": "s1", "value": 1}', 400, "invalid_request"),
        (b'{"exchange_id": 99999999999999999999, "session": "s1", "value": 1}', 400,
         "invalid_request"),
        (b'{"exchange_id": null, "session": "s1", "value": 1}', 400, "invalid_request"),
        (b'{"exchange_id": EX, "session": "", "value": 1}', 400, "invalid_request"),
        (b'{"exchange_id": 1, "value": 1}', 400, "invalid_request"),
        (b'{"exchange_id": EX, "session": "' + b"x" * 129 + b'", "value": 1}', 400,
         "invalid_request"),
        ('{"exchange_id": EX, "session": "会话", "value": 1}'.encode("gbk"), 415, "not_utf8"),
        (b"[" * 1000 + b"]" * 1000, 400, "invalid_json"),
    ],
)
async def test_bad_input_gets_a_json_4xx_never_a_5xx(client, services, body, status, code):
    reply = await answer(client)  # EX: a real exchange of "s1", so only the fault is wrong
    body = body.replace(b"EX", str(reply["exchange_id"]).encode())
    resp = await client.post("/api/feedback", data=body,
                             headers={"Content-Type": "application/json"})
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code
    assert await stored(services) == []


async def test_a_body_over_64_kib_is_413(client):
    payload = json.dumps({"exchange_id": 1, "session": "s1", "value": 1, "pad": "长" * 40_000})
    resp = await client.post("/api/feedback", data=payload.encode(),
                             headers={"Content-Type": "application/json"})
    assert resp.status == 413 and "error" in await resp.json()


async def test_get_is_405_json(client):
    resp = await client.get("/api/feedback")
    assert resp.status == 405
    assert (await resp.json())["error"]["code"] == "method_not_allowed"


async def test_votes_count_against_the_sessions_rate_limit(aiohttp_client, services,
                                                           tmp_path: Path):
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}",
                        faq_dir=FAQ_DIR, rate_limit_per_minute=3)
    client = await aiohttp_client(create_app(settings, services))
    await inside_one_window()
    reply = await answer(client, "busy")  # 1 of 3
    statuses = [(await vote(client, reply["exchange_id"], v, "busy")).status for v in (1, -1)]
    limited = await vote(client, reply["exchange_id"], 1, "busy")
    assert statuses == [200, 200] and limited.status == 429
    assert (await limited.json())["error"]["code"] == "rate_limited"
    assert [value for _, value, _ in await stored(services)] == [-1]  # the refused vote is not
    other = await answer(client, "calm")
    assert (await vote(client, other["exchange_id"], 1, "calm")).status == 200


async def test_responses_match_the_openapi_document(client):
    reply = await answer(client)
    path = "/api/feedback"
    body = await check(await vote(client, reply["exchange_id"], 1), "post", path)
    assert body["value"] == 1
    assert (await check(await vote(client, reply["exchange_id"], 1, "other"), "post", path)
            )["error"]["code"] == "not_found"
    for payload in (b"{", b'{"exchange_id": 1}', '{"a": "会"}'.encode("gbk"),
                    b'{"pad": "' + b"a" * 70_000 + b'"}'):
        resp = await client.post(path, data=payload, headers={"Content-Type": "application/json"})
        assert 400 <= resp.status < 500
        await check(resp, "post", path)


async def test_the_store_keeps_one_row_per_session_and_answer(client, services):
    first, second = await answer(client, "a"), await answer(client, "b")
    for _ in range(3):
        await vote(client, first["exchange_id"], 1, "a")
    await vote(client, second["exchange_id"], -1, "b")
    async with services.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(Feedback))
    assert count == 2
