"""POST /api/ask: the JSON contract, conversations by session, and every kind of bad input."""

import json

import pytest

REPLY_FIELDS = {"kind", "text", "intent", "confidence", "options", "source"}


async def test_answer_json_contract(client):
    resp = await client.post("/api/ask", json={"text": "终身班主任奖励办法是什么"})
    assert resp.status == 200
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert REPLY_FIELDS <= set(body)
    assert body["kind"] == "answer" and body["intent"] == "honors.lifelong_head_teacher"
    assert body["session"]
    assert all(set(o) == {"id", "title"} for o in body["options"])


async def test_session_keeps_the_conversation(client):
    first = await (await client.post("/api/ask", json={"text": "退休", "session": "s1"})).json()
    assert first["options"]
    second = await (await client.post("/api/ask", json={"text": "1", "session": "s1"})).json()
    assert second["kind"] == "answer" and second["intent"] == first["options"][0]["id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (b"{}", 400, "invalid_request"),
        (b'{"text": ""}', 400, "invalid_request"),
        (b'{"text": "   "}', 400, "empty_text"),
        (b'{"text": 42}', 400, "invalid_request"),
        (b'{"text": "hi", "session": ""}', 400, "invalid_request"),
        ("{\"text\": \"随迁\"}".encode("gbk"), 415, "not_utf8"),
        (b"\xff\xfe\x00\x01binary", 415, "not_utf8"),
        (b"", 400, "invalid_json"),
    ],
)
async def test_bad_input_gets_a_clear_json_error(client, body, status, code):
    resp = await client.post("/api/ask", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code


async def test_body_over_64_kib_is_413(client):
    payload = json.dumps({"text": "长" * 40_000})  # about 120 KB of UTF-8
    resp = await client.post("/api/ask", data=payload.encode(),
                             headers={"Content-Type": "application/json"})
    assert resp.status == 413
    assert "error" in await resp.json()


async def test_text_over_2000_characters_is_answered_on_its_start(client):
    resp = await client.post("/api/ask", json={"text": "三坛教师有多少" + "。" * 3000})
    body = await resp.json()
    assert resp.status == 200 and "2000" in body["text"]


@pytest.mark.parametrize("text", ["😀😀😀", "\u0000\u0001", "<script>alert(1)</script>", "a" * 2000])
async def test_odd_text_is_answered_not_crashed(client, text):
    resp = await client.post("/api/ask", json={"text": text})
    assert resp.status == 200
    assert (await resp.json())["kind"] in ("fallback", "clarify", "answer", "greeting")


async def test_get_on_the_api_is_405_json(client):
    resp = await client.get("/api/ask")
    assert resp.status == 405
    assert (await resp.json())["error"]["code"] == "method_not_allowed"


async def test_chat_page_is_self_contained_and_escapes_by_construction(client):
    resp = await client.get("/")
    assert resp.status == 200
    html = await resp.text()
    assert 'lang="zh-CN"' in html and "viewport" in html
    assert "http://" not in html and "https://" not in html  # no external CDN
    script = await (await client.get("/static/chat.js")).text()
    assert "innerHTML" not in script and "textContent" in script
    css = await (await client.get("/static/chat.css")).text()
    assert "PingFang SC" in css and "Noto Sans CJK SC" in css


async def test_healthz(client):
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] in ("ok", "degraded")


@pytest.mark.parametrize("body", [b"[" * 1000 + b"]" * 1000,
                                  b'{"text": ' + b'{"a": ' * 100 + b"1" + b"}" * 101])
async def test_deeply_nested_json_is_a_400(client, body):
    resp = await client.post("/api/ask", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "invalid_json"


async def test_a_body_claiming_gzip_that_is_not_gzip_is_a_400(client):
    resp = await client.post("/api/ask", data=b'{"text": "hi"}', headers={
        "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert resp.status == 400
    assert (await resp.json())["error"]["code"]
    # The connection is closed (the rest of the body cannot be skipped); the next request, on
    # a new connection, is answered as usual.
    assert resp.headers.get("Connection", "").lower() == "close"
    assert (await client.post("/api/ask", json={"text": "温心有约是什么"})).status == 200
