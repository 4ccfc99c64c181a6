"""Errors raised by the matching engine and its content loader.

Hierarchy::

    IntentsError
    ├── FaqDataError        a content file is malformed (names the file and the entry)
    └── UnknownIntentError  an entry id that the loaded content does not have
"""

from __future__ import annotations


class IntentsError(Exception):
    """Base class of every error this package raises."""


class FaqDataError(IntentsError):
    """A content file cannot be used; the message names the file and the entry."""


class UnknownIntentError(IntentsError, KeyError):
    """An entry id that is not in the loaded content."""
