"""Settings, read once at the entry point from the environment (prefix ``WENJIAO_``) and ``.env``.

Nothing else in the project reads the environment: everything below gets its values passed in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_faq_dir() -> Path:
    here = Path.cwd() / "faq_data"
    return here if here.is_dir() else PROJECT_ROOT / "faq_data"


class Settings(BaseSettings):
    """Every setting of wenjiao; see .env.example for one line on each."""

    model_config = SettingsConfigDict(env_prefix="WENJIAO_", env_file=".env", extra="ignore",
                                      env_ignore_empty=True,
                                      secrets_dir=None)

    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'wenjiao.db'}"
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    faq_dir: Path = Field(default_factory=_default_faq_dir)
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"  # `wenjiao serve` logs; one-shot commands: text
    retention_days: int = Field(default=180, ge=1)  # `wenjiao purge` default
    # Set by `wenjiao serve --workers N` so that /metrics adds up every worker (prometheus-client).
    prometheus_multiproc_dir: Path | None = Field(default=None,
                                                  validation_alias="PROMETHEUS_MULTIPROC_DIR")

    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    wechat_token: SecretStr | None = None
    wechat_appid: str | None = None
    wechat_secret: SecretStr | None = None
    wechat_aes_key: SecretStr | None = None
    wechat_api_base_url: str | None = None
    wechat_reply_timeout: float = Field(default=4.0, gt=0)
    wechat_timestamp_window: int = Field(default=300, ge=1)  # seconds either side of now
    # With wechat_aes_key set, "safe" refuses plaintext messages; "compatible" (WeChat's 兼容模式)
    # accepts both while an account switches over.
    wechat_mode: Literal["safe", "compatible"] = "safe"

    # Staff alerts of crisis-flagged exchanges (each channel is used when set) and the public
    # address of this server, for the alerts' link to the admin's follow-up list.
    public_url: str | None = None
    alert_webhook_url: SecretStr | None = None
    alert_telegram_chat: str | None = None  # a staff group's chat id, through telegram_token
    alert_smtp_url: SecretStr | None = None  # smtp://user:pass@host:587 or smtps://…:465
    alert_email_to: str | None = None  # comma-separated addresses
    alert_email_from: str | None = None

    admin_secret_key: SecretStr | None = None
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated
    # addresses or networks (e.g. "127.0.0.1,10.0.0.0/8"). Empty: forwarded headers are ignored.
    trusted_proxies: str = ""
    rate_limit_per_minute: int = Field(default=20, ge=1)
    content_poll_seconds: float = Field(default=1.0, gt=0)
