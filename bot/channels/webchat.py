"""Web chat: the browser page at ``/`` and the JSON API ``POST /api/ask``.

The API speaks the reply contract of docs/design.md. Bad input gets a clear JSON error with the
right status (400 invalid JSON or text, 413 a body over the limit, 415 not UTF-8), never a 500.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.keys import SERVICES
from bot.web import json_body
from bot.web.middlewares import json_error
from services import IncomingMessage
from services.dialogue import Lang

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"
MAX_SESSION = 128


class AskRequest(BaseModel):
    """The body of ``POST /api/ask``."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1)
    session: str | None = Field(default=None, min_length=1, max_length=MAX_SESSION)
    lang: Lang | None = None


async def index(_request: web.Request) -> web.FileResponse:
    """The chat page (static HTML; the script renders replies as text, never as HTML)."""
    return web.FileResponse(STATIC_DIR / "chat.html",
                            headers={"Content-Security-Policy": "default-src 'self'"})


async def _parse(request: web.Request) -> AskRequest | web.Response:
    raw = await request.read()  # raises 413 past client_max_size
    try:
        data = json_body.load(raw)
    except json_body.BadJson as exc:
        return json_error(415 if exc.code == "not_utf8" else 400, exc.code, exc.message)
    if not isinstance(data, dict):
        return json_error(400, "invalid_json", 'Send a JSON object: {"text": "..."}.')
    try:
        parsed = AskRequest.model_validate(data)
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"]) or "body"
        return json_error(400, "invalid_request", f"Invalid field '{field}': "
                          f"{exc.errors()[0]['msg']}.")
    if not parsed.text.strip():
        return json_error(400, "empty_text", "The field 'text' must not be empty.")
    return parsed


async def ask(request: web.Request) -> web.Response:
    """Answer one message; ``session`` keeps the conversation (options by number)."""
    parsed = await _parse(request)
    if isinstance(parsed, web.Response):
        return parsed
    session = parsed.session or secrets.token_urlsafe(12)
    dialog = request.app[SERVICES].dialog
    reply = await dialog.handle(IncomingMessage(
        channel="web", user_id=session, text=parsed.text,
        lang=parsed.lang))
    if reply.kind == "limited":
        return json_error(429, "rate_limited", reply.text or dialog.text("rate_limited", reply.lang))
    return web.json_response({**reply.model_dump(mode="json"), "session": session},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))
