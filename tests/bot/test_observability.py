"""Request ids, JSON logs without user text, /metrics in the Prometheus format, degraded health."""

from __future__ import annotations

import io
import json
import logging

from aiohttp import web

from bot.app import create_app
from bot.logs import JsonFormatter, TextFormatter
from bot.settings import Settings
from services import Services
from tests.tcp_proxy import closed_port

PHONE = "13812345678"


def json_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def capture(logger: str) -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger(logger).addHandler(handler)
    logging.getLogger(logger).setLevel(logging.DEBUG)
    return stream, handler


async def test_a_request_gets_an_id_echoed_and_logged_with_route_status_and_no_text(client):
    stream, handler = capture("wenjiao.http")
    try:
        resp = await client.post("/api/ask", json={"text": f"三坛教师评了多少名 我电话{PHONE}"},
                                 headers={"X-Request-ID": "req-abc-12345"})
        bad = await client.post("/api/ask", data=b"{", headers={"X-Request-ID": "bad id!"})
    finally:
        logging.getLogger("wenjiao.http").removeHandler(handler)
    assert resp.headers["X-Request-ID"] == "req-abc-12345"
    generated = bad.headers["X-Request-ID"]
    assert generated != "bad id!" and len(generated) == 32
    lines = json_lines(stream)
    assert [(x["request_id"], x["route"], x["status"]) for x in lines] == [
        ("req-abc-12345", "/api/ask", 200), (generated, "/api/ask", 400)]
    assert all(isinstance(x["ms"], float) and x["method"] == "POST" for x in lines)
    assert "三坛" not in stream.getvalue() and PHONE not in stream.getvalue()


def test_the_formatter_masks_personal_data_that_slipped_into_a_log_line():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "caller %s left %s", (
        "张三", f"电话{PHONE}"), None)
    record.detail = f"身份证330302199001011234 {PHONE}"
    line = json.loads(JsonFormatter().format(record))
    assert PHONE not in json.dumps(line, ensure_ascii=False)
    assert "330302199001011234" not in line["detail"]
    assert line["level"] == "WARNING" and line["logger"] == "x" and "ts" in line


def test_the_text_format_masks_personal_data_too():
    """``WENJIAO_LOG_FORMAT=text`` (one-shot commands, a terminal) is no way around redaction."""
    try:
        raise ValueError(f"bad row 330302199001011234 {PHONE}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "call %s", (
            f"电话{PHONE}",), sys.exc_info())
    line = TextFormatter().format(record)
    assert PHONE not in line and "330302199001011234" not in line
    assert "ERROR x: call" in line and "ValueError" in line


async def test_metrics_count_replies_by_channel_and_kind_and_the_fallback_ratio(client):
    before = await client.get("/metrics")
    assert before.status == 200
    assert before.headers["Content-Type"].startswith("text/plain")
    await client.post("/api/ask", json={"text": "三坛教师评了多少名"})
    await client.post("/api/ask", json={"text": "量子计算机的原理是什么"})
    text = await (await client.get("/metrics")).text()
    samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
               for line in text.splitlines() if line and not line.startswith("#")}
    was = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
           for line in (await before.text()).splitlines() if line and not line.startswith("#")}

    def grew(name: str) -> float:
        return samples.get(name, 0.0) - was.get(name, 0.0)

    assert grew('wenjiao_messages_total{channel="web",kind="answer"}') == 1
    assert grew('wenjiao_messages_total{channel="web",kind="fallback"}') == 1
    assert grew("wenjiao_match_seconds_count") >= 1
    assert grew('wenjiao_http_requests_total{route="/api/ask",status="200"}') == 2
    total = sum(v for k, v in samples.items() if k.startswith("wenjiao_messages_total"))
    fallbacks = sum(v for k, v in samples.items()
                    if k.startswith("wenjiao_messages_total") and 'kind="fallback"' in k)
    assert samples["wenjiao_fallback_ratio"] == fallbacks / total
    assert "量子" not in text


async def test_an_unexpected_error_is_a_counted_500_with_a_request_id(aiohttp_client, settings,
                                                                         services: Services):
    async def boom(_request: web.Request) -> web.Response:
        raise RuntimeError("broken on purpose")

    app = create_app(settings, services)
    app.router.add_get("/api/boom", boom)
    client = await aiohttp_client(app)
    resp = await client.get("/api/boom")
    assert resp.status == 500 and "X-Request-ID" in resp.headers
    text = await (await client.get("/metrics")).text()
    assert 'wenjiao_errors_total{where="http"}' in text


async def test_with_redis_unreachable_health_is_degraded_but_200_and_answers_continue(
        aiohttp_client, tmp_path, services: Services):
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}",
                        redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    client = await aiohttp_client(create_app(settings, services))
    health = await client.get("/healthz")
    body = await health.json()
    assert health.status == 200 and body["status"] == "degraded"
    assert "redis unavailable" in body["reason"]
    answer = await (await client.post("/api/ask", json={"text": "三坛教师评了多少名"})).json()
    assert answer["kind"] == "answer"


async def test_without_redis_health_is_ok(client):
    body = await (await client.get("/healthz")).json()
    assert body["status"] == "ok" and "reason" not in body
