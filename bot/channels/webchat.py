"""Web chat: the browser page at ``/``, the JSON API ``POST /api/ask`` and its 👍/👎,
``POST /api/feedback``.

The API speaks the reply contract of docs/design.md. Bad input gets a clear JSON error with the
right status (400 invalid JSON or fields, 404 no such answer of the session, 413 a body over the
limit, 415 not UTF-8, 429 over the session's rate limit), never a 500.

A vote is stored as Telegram's are (one Feedback row per user and exchange, a second vote
replacing the first); the web user is the session id, and since that id is all that says who is
voting, a session may vote only on the exchanges it was answered in.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.keys import SERVICES
from bot.web import json_body
from bot.web.middlewares import json_error
from services import IncomingMessage
from services.dialogue import Lang

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"
CHANNEL = "web"
MAX_SESSION = 128
MAX_EXCHANGE_ID = 2**31 - 1  # the store's INTEGER key: a larger number is no exchange, not a 500


class AskRequest(BaseModel):
    """The body of ``POST /api/ask``."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1)
    session: str | None = Field(default=None, min_length=1, max_length=MAX_SESSION)
    lang: Lang | None = None


class FeedbackRequest(BaseModel):
    """The body of ``POST /api/feedback``: a vote on one answer of this session.

    Strict types: ``true`` or ``"1"`` is a client bug to be told about, not a vote.
    """

    model_config = ConfigDict(extra="ignore", strict=True)

    exchange_id: int = Field(ge=1, le=MAX_EXCHANGE_ID)
    session: str = Field(min_length=1, max_length=MAX_SESSION)
    value: int  # 1 (👍) or -1 (👎); strict, so true and 1.0 (equal to 1 in Python) are refused

    @field_validator("value")
    @classmethod
    def _one_way_or_the_other(cls, value: int) -> int:
        if value not in (1, -1):
            raise ValueError("must be 1 (thumbs up) or -1 (thumbs down)")
        return value


Body = TypeVar("Body", AskRequest, FeedbackRequest)


async def index(_request: web.Request) -> web.FileResponse:
    """The chat page (static HTML; the script renders replies as text, never as HTML)."""
    return web.FileResponse(STATIC_DIR / "chat.html",
                            headers={"Content-Security-Policy": "default-src 'self'"})


async def _parse(request: web.Request, model: type[Body], shape: str) -> Body | web.Response:
    """The body as ``model``, or the JSON error that says what is wrong with it."""
    raw = await request.read()  # raises 413 past client_max_size
    try:
        data = json_body.load(raw)
    except json_body.BadJson as exc:
        return json_error(415 if exc.code == "not_utf8" else 400, exc.code, exc.message)
    if not isinstance(data, dict):
        return json_error(400, "invalid_json", f"Send a JSON object: {shape}.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"]) or "body"
        return json_error(400, "invalid_request", f"Invalid field '{field}': "
                          f"{exc.errors()[0]['msg']}.")


async def ask(request: web.Request) -> web.Response:
    """Answer one message; ``session`` keeps the conversation (options by number)."""
    parsed = await _parse(request, AskRequest, '{"text": "..."}')
    if isinstance(parsed, web.Response):
        return parsed
    if not parsed.text.strip():
        return json_error(400, "empty_text", "The field 'text' must not be empty.")
    session = parsed.session or secrets.token_urlsafe(12)
    dialog = request.app[SERVICES].dialog
    reply = await dialog.handle(IncomingMessage(
        channel=CHANNEL, user_id=session, text=parsed.text,
        lang=parsed.lang))
    if reply.kind == "limited":
        return json_error(429, "rate_limited", reply.text or dialog.text("rate_limited", reply.lang))
    return web.json_response({**reply.model_dump(mode="json"), "session": session},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def feedback(request: web.Request) -> web.Response:
    """Store a 👍 (1) or 👎 (-1) on an answer this session was given; a new vote replaces one."""
    parsed = await _parse(request, FeedbackRequest,
                          '{"exchange_id": 1, "session": "...", "value": 1}')
    if isinstance(parsed, web.Response):
        return parsed
    dialog = request.app[SERVICES].dialog
    if not await dialog.within_limit(CHANNEL, parsed.session):
        return json_error(429, "rate_limited", dialog.text("rate_limited"))
    if not await dialog.feedback(parsed.exchange_id, CHANNEL, parsed.session, parsed.value,
                                 own=True):
        return json_error(404, "not_found", "This session has no answer with that exchange_id.")
    return web.json_response({"exchange_id": parsed.exchange_id, "value": parsed.value})
