"""``GET /api/openapi.yaml``: the API's OpenAPI 3.1 description, served by the server it describes.

Clients and code generators can then read the contract from the very server they talk to, and the
document cannot drift from the routes unnoticed: ``tests/bot/test_openapi.py`` checks it against
the router and against real responses.

There is one copy of the document, ``docs/openapi.yaml``, where people edit and review it;
``bot/web/openapi.yaml`` links to it, so that a wheel carries it as package data, found here with
importlib.resources. An installation without it answers the JSON 404 of every other missing thing
(the document describes that answer too) rather than failing to start.
"""

from __future__ import annotations

import asyncio
from functools import cache
from importlib.resources import files
from pathlib import Path

from aiohttp import web

DOCUMENT = Path(str(files("bot.web") / "openapi.yaml"))
# RFC 9512's media type for YAML; it takes no charset parameter (YAML says its own encoding).
CONTENT_TYPE = "application/yaml"


@cache
def _read(path: Path) -> bytes:
    """The document's bytes, read once per process: it changes only with a new release. A missing
    file raises and is not cached, so a file put in place later is found."""
    return path.read_bytes()


async def document(_request: web.Request) -> web.Response:
    """The OpenAPI document as YAML; a JSON 404 when this installation has none."""
    try:
        body = await asyncio.to_thread(_read, DOCUMENT)  # the first read is file I/O: off the loop
    except FileNotFoundError:
        raise web.HTTPNotFound(reason="This installation has no OpenAPI document.") from None
    return web.Response(body=body, content_type=CONTENT_TYPE)
