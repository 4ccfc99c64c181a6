"""Reading a JSON request body the same safe way on every route that takes one.

``json.loads`` alone turns a body nested a thousand levels deep into a ``RecursionError`` (a 500);
here it is a bad request like any other malformed body, and nesting deeper than any real request
needs is refused before a handler walks it.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32  # the deepest real body (a Telegram update) is well under 10


class BadJson(ValueError):
    """The body is not UTF-8 (``code`` ``not_utf8``) or not acceptable JSON (``invalid_json``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def load(raw: bytes) -> Any:
    """The JSON value of ``raw``, or :class:`BadJson`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadJson("not_utf8", "The request body must be UTF-8 encoded JSON.") from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise BadJson("invalid_json", "The request body is not valid JSON.") from None
    if _depth(data) > MAX_DEPTH:
        raise BadJson("invalid_json", f"The request body is nested deeper than {MAX_DEPTH}.")
    return data


def _depth(value: Any) -> int:
    """How deeply containers nest in ``value`` (iterative: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: list[Any] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        stack.extend((child, level + 1) for child in children)
    return deepest
