"""The ceiling for benchmarks/http_load.py: aiohttp answering ``POST /api/ask`` with a fixed JSON
reply after reading the body, and nothing else (no matching, no database)."""

from __future__ import annotations

import json
import sys

from aiohttp import web

REPLY = {"kind": "answer", "text": "固定回答", "intent": None, "confidence": 1.0, "options": [],
         "source": None, "lang": "zh", "exchange_id": None, "session": "bench"}


async def ask(request: web.Request) -> web.Response:
    """Parse the body like the real handler has to, answer a constant."""
    await request.json()
    return web.json_response(REPLY, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def healthz(_request: web.Request) -> web.Response:
    """Liveness, so the benchmark can wait for start-up the same way."""
    return web.json_response({"status": "ok"})


def make_app() -> web.Application:
    """The bare application."""
    app = web.Application()
    app.router.add_post("/api/ask", ask)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
