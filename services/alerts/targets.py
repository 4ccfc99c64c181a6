"""Where staff alerts go, and how hard the dispatcher tries: plain values handed in by ``bot``.

Nothing here reads the environment; ``bot`` builds :class:`AlertTargets` from its settings
(``WENJIAO_ALERT_*``) and checks them here, once, at start: a half-configured channel (a staff
chat without a bot token, recipients without a mail server) is refused then, not discovered at
the first crisis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

WEBHOOK = "webhook"
TELEGRAM = "telegram"
EMAIL = "email"
CHANNELS = (WEBHOOK, TELEGRAM, EMAIL)
TELEGRAM_API = "https://api.telegram.org/bot"
FOLLOW_UP_PATH = "/admin/crisis"


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """An SMTP server from ``smtp://user:pass@host:port`` (STARTTLS when offered) or
    ``smtps://`` (TLS from the first byte)."""

    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """The server of ``url``; ValueError (without the password) when it is not one."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("WENJIAO_ALERT_SMTP_URL must look like smtp://user:pass@host:587 "
                             "or smtps://user:pass@host:465")
        tls = parts.scheme == "smtps"
        return cls(parts.hostname, parts.port or (465 if tls else 25), tls,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)


@dataclass(frozen=True, slots=True)
class AlertTargets:
    """The configured alert channels; an unset channel is simply not used."""

    public_url: str = ""  # the admin's address, for the link to the follow-up list
    webhook_url: str | None = field(default=None, repr=False)  # may carry a token
    telegram_token: str | None = field(default=None, repr=False)
    telegram_chat: str | None = None
    telegram_base_url: str | None = None
    smtp_url: str | None = field(default=None, repr=False)
    email_to: tuple[str, ...] = ()
    email_from: str | None = None

    def __post_init__(self) -> None:
        if self.telegram_chat and not self.telegram_token:
            raise ValueError("WENJIAO_ALERT_TELEGRAM_CHAT needs WENJIAO_TELEGRAM_TOKEN: the "
                             "alerts are sent by the bot itself")
        if bool(self.smtp_url) != bool(self.email_to):
            raise ValueError("WENJIAO_ALERT_SMTP_URL and WENJIAO_ALERT_EMAIL_TO go together")
        if self.smtp_url:
            SmtpServer.parse(self.smtp_url)
        if self.webhook_url and urlsplit(self.webhook_url).scheme not in ("http", "https"):
            raise ValueError("WENJIAO_ALERT_WEBHOOK_URL must be an http(s) URL")

    @property
    def channels(self) -> tuple[str, ...]:
        """The configured channels, in :data:`CHANNELS` order."""
        on = {WEBHOOK: bool(self.webhook_url), TELEGRAM: bool(self.telegram_chat),
              EMAIL: bool(self.smtp_url)}
        return tuple(c for c in CHANNELS if on[c])

    def link(self, exchange_id: int) -> str:
        """Where staff follow the exchange up: its anchor on the follow-up list."""
        return f"{self.public_url.rstrip('/')}{FOLLOW_UP_PATH}#exchange-{exchange_id}"

    def telegram_method_url(self, method: str) -> str:
        """A Bot API method's URL, with the base URL read as python-telegram-bot reads it."""
        if not self.telegram_token:
            raise ValueError("no Telegram token configured")
        base = self.telegram_base_url or TELEGRAM_API
        root = base.format(token=self.telegram_token) if "{token}" in base else (
            base + self.telegram_token)
        return f"{root}/{method}"


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """How the dispatcher tries: retries with exponential backoff, a lease on each attempt.

    Defaults: attempts after 5 s, 10 s, 20 s … capped at 5 min, 8 attempts in all (about 12
    minutes), then the row is ``failed`` and the follow-up list says so. The lease is longer than
    any send may take (``send_timeout``), so a slow send is never taken over by another worker;
    only a worker that died mid-send leaves a lease to expire.
    """

    max_attempts: int = 8
    base_delay: float = 5.0
    max_delay: float = 300.0
    send_timeout: float = 15.0
    lease: float = 60.0
    poll_seconds: float = 5.0  # also how soon another worker's unsent alert is picked up
    backfill_hours: float = 24.0  # flagged exchanges this recent are alerted if they never were
    concurrency: int = 8

    def __post_init__(self) -> None:
        if self.lease <= self.send_timeout:
            raise ValueError("the lease must outlast the send timeout")

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        backoff = min(self.base_delay * 2.0 ** max(attempts - 1, 0), self.max_delay)
        return max(backoff, retry_after or 0.0)
