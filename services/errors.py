"""Errors of the admin services, one per outcome a caller must tell apart.

``AdminError`` is the base; every subclass carries a machine ``code`` and a Chinese ``message`` fit
to show staff, so the web pages and the JSON API report the same thing in the same words:

- ``NotFound`` (404): no such entry, revision, user or unanswered question.
- ``Forbidden`` (403): the actor's role does not allow the action.
- ``Conflict`` (409): the save carried a stale version (``current`` is the version now stored), or
  the action does not fit the entry's state (publishing with nothing to publish).
- ``Invalid`` (422): the data does not validate; ``problems`` lists ``(field, message)`` pairs.
- ``AuthFailed`` (401): wrong username or password, disabled account, expired or unknown token.
- ``TooManyAttempts`` (429): too many failed logins for this account from this address; try again
  after ``retry_after`` seconds.
"""

from __future__ import annotations


class AdminError(Exception):
    """Base of the admin errors."""

    status = 400
    code = "admin_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(AdminError):
    """The thing named does not exist."""

    status = 404
    code = "not_found"


class Forbidden(AdminError):
    """The actor's role does not allow the action."""

    status = 403
    code = "forbidden"


class Conflict(AdminError):
    """A stale version or an action that does not fit the current state."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, current: int | None = None) -> None:
        super().__init__(message)
        self.current = current


class Invalid(AdminError):
    """The submitted data does not validate."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class AuthFailed(AdminError):
    """Not logged in, or the credentials are wrong."""

    status = 401
    code = "unauthorized"


class TooManyAttempts(AdminError):
    """Login attempts are rate-limited; ``retry_after`` says when the next one will be checked."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after
