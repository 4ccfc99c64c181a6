"""Settings, read once at the entry point from the environment (prefix ``WENJIAO_``) and ``.env``.

Nothing else in the project reads the environment: everything below gets its values passed in.

Every value is checked here, when the settings are loaded, so that a mistyped variable stops any
command at once with the variable's name and what it must be, instead of surfacing as a
traceback minutes later (a bad AES key at the first WeChat message, a bad SMTP URL at the first
crisis). Each rule raises ``ValueError("must be ...")``; the command line prefixes the variable's
name (bot/cli/errors.py). The types stay plain (``str``, ``int``, ``SecretStr``), so the code that
uses a setting does not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.utils import parseaddr
from importlib.resources import files
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["json", "text"]
WeChatMode = Literal["safe", "compatible"]
DATABASE_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}  # the engine is async
AES_KEY_LENGTH = 43  # WeChat's EncodingAESKey: 32 bytes in base64 without the trailing "="
_AES_KEY = re.compile(rf"^[A-Za-z0-9+/]{{{AES_KEY_LENGTH}}}$")
_TELEGRAM_TOKEN = re.compile(r"^\d+:[\w-]+$")  # "123456789:AAE…" as @BotFather gives it
ADMIN_SECRET_MIN = 32  # characters: a key anyone could guess signs nothing
_ADMIN_SECRET = re.compile(rf"^\S{{{ADMIN_SECRET_MIN},}}$")
_WEBHOOK_SECRET = re.compile(r"^[\w-]{1,256}$")  # what the Bot API accepts as secret_token
_CHAT_ID = re.compile(r"^(-?\d+|@\w{5,})$")  # a numeric chat id or a public @channel name
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")


def _default_faq_dir() -> Path:
    """``./faq_data`` when the working folder has one (a checkout, or a bureau's own copy), else
    the content shipped inside the package (in a checkout, bot/content links to faq_data/)."""
    here = Path.cwd() / "faq_data"
    return here if here.is_dir() else Path(str(files("bot") / "content"))


def _default_database_url(data: dict[str, Any]) -> str:
    """A SQLite file in the data folder: the working folder's ``var/`` unless WENJIAO_DATA_DIR
    says otherwise; never inside the installed package."""
    return f"sqlite+aiosqlite:///{data['data_dir'] / 'wenjiao.db'}"


def _plain(value: object) -> object:
    """The raw text of a value (tests may hand in a SecretStr), stripped."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value.strip() if isinstance(value, str) else value


def _integer(low: int, high: int | None = None) -> BeforeValidator:
    """A whole number in ``[low, high]`` (``high`` None: no upper bound)."""
    rule = (f"must be an integer from {low} to {high}" if high is not None
            else f"must be an integer of at least {low}")

    def check(value: object) -> int:
        value = _plain(value)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(rule)
        try:
            number = int(value)
        except ValueError:
            raise ValueError(rule) from None
        if number < low or (high is not None and number > high):
            raise ValueError(rule)
        return number

    return BeforeValidator(check)


def _positive() -> BeforeValidator:
    """A number of seconds above zero."""
    rule = "must be a number of seconds above 0 (e.g. 1.5)"

    def check(value: object) -> float:
        value = _plain(value)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(rule)
        try:
            number = float(value)
        except ValueError:
            raise ValueError(rule) from None
        if not number > 0 or number == float("inf"):
            raise ValueError(rule)
        return number

    return BeforeValidator(check)


def _choice(choices: Any, fold: Callable[[str], str]) -> BeforeValidator:
    """One of a Literal's values, compared after ``fold`` (``str.upper`` for log levels)."""
    allowed = get_args(choices)
    rule = "must be one of " + ", ".join(allowed)

    def check(value: object) -> str:
        value = _plain(value)
        if not isinstance(value, str) or fold(value) not in allowed:
            raise ValueError(rule)
        return fold(value)

    return BeforeValidator(check)


def _matching(pattern: re.Pattern[str], rule: str) -> BeforeValidator:
    def check(value: object) -> object:
        value = _plain(value)
        if value is not None and (not isinstance(value, str) or not pattern.match(value)):
            raise ValueError(rule)
        return value

    return BeforeValidator(check)


def _url(*schemes: str) -> BeforeValidator:
    """A URL with one of ``schemes`` and a host (``unix`` needs a path instead)."""
    rule = "must be a URL starting with " + " or ".join(f"{s}://" for s in schemes)

    def check(value: object) -> object:
        value = _plain(value)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(rule)
        try:
            parts = urlsplit(value)
            _ = parts.port  # a port that is not a number raises here
        except ValueError:
            raise ValueError(rule) from None
        if parts.scheme not in schemes or not (parts.hostname or
                                               (parts.scheme == "unix" and parts.path)):
            raise ValueError(rule)
        return value

    return BeforeValidator(check)


def _database_url(value: object) -> object:
    rule = ("must be sqlite+aiosqlite:///PATH or "
            "postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DATABASE")
    value = _plain(value)
    if not isinstance(value, str):
        raise ValueError(rule)
    from sqlalchemy.engine import make_url  # the parser the engine itself uses
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise ValueError(rule) from None
    if DATABASE_DRIVERS.get(url.get_backend_name()) != url.get_driver_name():
        raise ValueError(rule)
    return value


def _proxies(value: str) -> str:
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            ip_network(item, strict=False)
        except ValueError:
            raise ValueError("must be addresses or networks separated by commas, e.g. "
                             f"127.0.0.1,10.0.0.0/8 ({item!r} is neither)") from None
    return value


def _addresses(value: str | None) -> str | None:
    for item in filter(None, (a.strip() for a in (value or "").split(","))):
        if not _ADDRESS.match(item):
            raise ValueError(f"must be e-mail addresses separated by commas ({item!r} is not one)")
    return value


def _address(value: str | None) -> str | None:
    if value is not None and not _ADDRESS.match(parseaddr(value)[1]):
        raise ValueError("must be an e-mail address, e.g. alerts@jyj.example")
    return value


def _smtp_url(value: object) -> object:
    value = _plain(value)
    if value is None:
        return None
    rule = "must look like smtp://user:pass@host:587 or smtps://user:pass@host:465"
    try:
        parts = urlsplit(str(value))
        _ = parts.port
    except ValueError:
        raise ValueError(rule) from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(rule)
    return value


def _folder(value: Path) -> Path:
    if not value.is_dir():
        raise ValueError("must be an existing folder (the content, like faq_data/)")
    return value


def _absolute(value: Path) -> Path:
    return value.expanduser().absolute()


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


HttpUrl = Annotated[str | None, _url("http", "https")]


class Settings(BaseSettings):
    """Every setting of wenjiao; see .env.example for one line on each."""

    model_config = SettingsConfigDict(env_prefix="WENJIAO_", env_file=".env", extra="ignore",
                                      env_ignore_empty=True,
                                      secrets_dir=None)

    # Where the default SQLite database lives (made when first needed); relative to the working
    # folder, like a service manager's WorkingDirectory.
    data_dir: Annotated[Path, AfterValidator(_absolute)] = Field(
        default_factory=lambda: Path.cwd() / "var")
    database_url: Annotated[str, BeforeValidator(_database_url)] = Field(
        default_factory=_default_database_url)
    redis_url: Annotated[str | None, _url("redis", "rediss", "unix")] = None
    host: Annotated[str, AfterValidator(_not_blank)] = "127.0.0.1"
    port: Annotated[int, _integer(0, 65535)] = 8080
    # Checked when set; the default is only needed by the commands that read the content.
    faq_dir: Annotated[Path, AfterValidator(_folder)] = Field(default_factory=_default_faq_dir,
                                                              validate_default=False)
    log_level: Annotated[LogLevel, _choice(LogLevel, str.upper)] = "INFO"
    # `wenjiao serve` logs; one-shot commands: text
    log_format: Annotated[LogFormat, _choice(LogFormat, str.lower)] = "json"
    retention_days: Annotated[int, _integer(1)] = 180  # `wenjiao purge` default
    # Set by `wenjiao serve --workers N` so that /metrics adds up every worker (prometheus-client).
    prometheus_multiproc_dir: Path | None = Field(default=None,
                                                  validation_alias="PROMETHEUS_MULTIPROC_DIR")

    telegram_token: Annotated[SecretStr | None, _matching(
        _TELEGRAM_TOKEN, "must be the token from @BotFather, like 123456789:AAE…")] = None
    telegram_base_url: HttpUrl = None
    telegram_webhook_url: HttpUrl = None
    telegram_webhook_secret: Annotated[SecretStr | None, _matching(
        _WEBHOOK_SECRET, "must be 1 to 256 letters, digits, '_' or '-' (Telegram's rule)")] = None

    wechat_token: SecretStr | None = None
    wechat_appid: str | None = None
    wechat_secret: SecretStr | None = None
    wechat_aes_key: Annotated[SecretStr | None, _matching(
        _AES_KEY, f"must be the {AES_KEY_LENGTH}-character EncodingAESKey (letters, digits, "
                  "'+' and '/') from the official account's server settings")] = None
    wechat_api_base_url: HttpUrl = None
    wechat_reply_timeout: Annotated[float, _positive()] = 4.0
    wechat_timestamp_window: Annotated[int, _integer(1)] = 300  # seconds either side of now
    # With wechat_aes_key set, "safe" refuses plaintext messages; "compatible" (WeChat's 兼容模式)
    # accepts both while an account switches over.
    wechat_mode: Annotated[WeChatMode, _choice(WeChatMode, str.lower)] = "safe"

    # Staff alerts of crisis-flagged exchanges (each channel is used when set) and the public
    # address of this server, for the alerts' link to the admin's follow-up list.
    public_url: HttpUrl = None
    alert_webhook_url: Annotated[SecretStr | None, _url("http", "https")] = None
    # a staff group's chat id, through telegram_token
    alert_telegram_chat: Annotated[str | None, _matching(
        _CHAT_ID, "must be a chat id such as -1001234567890 (or a public @channel)")] = None
    # smtp://user:pass@host:587 or smtps://…:465
    alert_smtp_url: Annotated[SecretStr | None, BeforeValidator(_smtp_url)] = None
    alert_email_to: Annotated[str | None, AfterValidator(_addresses)] = None  # comma-separated
    alert_email_from: Annotated[str | None, AfterValidator(_address)] = None

    admin_secret_key: Annotated[SecretStr | None, _matching(
        _ADMIN_SECRET, f"must be at least {ADMIN_SECRET_MIN} characters without spaces "
                       "(e.g. the output of: openssl rand -hex 32)")] = None
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated
    # addresses or networks (e.g. "127.0.0.1,10.0.0.0/8"). Empty: forwarded headers are ignored.
    trusted_proxies: Annotated[str, AfterValidator(_proxies)] = ""
    rate_limit_per_minute: Annotated[int, _integer(1)] = 20
    content_poll_seconds: Annotated[float, _positive()] = 1.0

    @model_validator(mode="after")
    def check_settings_that_go_together(self) -> Settings:
        """Half a channel is refused at load, not at its first use (these messages name the
        variables themselves)."""
        if self.alert_telegram_chat and self.telegram_token is None:
            raise ValueError("WENJIAO_ALERT_TELEGRAM_CHAT needs WENJIAO_TELEGRAM_TOKEN: the "
                             "alerts are sent by the bot itself")
        if (self.alert_smtp_url is not None) != _addresses_in(self.alert_email_to):
            raise ValueError("WENJIAO_ALERT_SMTP_URL and WENJIAO_ALERT_EMAIL_TO go together: "
                             "set both (the mail server and who gets the alerts) or neither")
        if self.wechat_aes_key is not None and not self.wechat_appid:
            raise ValueError("WENJIAO_WECHAT_AES_KEY needs WENJIAO_WECHAT_APPID: safe mode "
                             "decrypts with the app id")
        return self


def _addresses_in(value: str | None) -> bool:
    return any(a.strip() for a in (value or "").split(","))
