"""The store's tables.

Entries keep their published content and an optional draft as JSON documents (the shape of
``intents.FaqEntry``): the engine needs the whole entry at once, and admins edit it as a whole.
Every change is a revision row, so nothing an admin does can lose content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, created_at, intpk, json_data, short_text, utcnow

# What an inbox row is: a question the content lacks, or a complaint (a grievance about a school,
# a petition, a request that something be built or fixed) that the bot sent elsewhere.
InboxKind = Literal["question", "complaint"]
INBOX_KINDS: tuple[InboxKind, ...] = get_args(InboxKind)


class Entry(Base):
    """A content entry: published state, optional draft, version for optimistic locking."""

    __tablename__ = "entries"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), index=True)
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)  # changed by an admin: seed keeps off
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    publish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[str] = mapped_column(String(80), default="seed")


class EntryRevision(Base):
    """One saved state of an entry: who, when, what action, the whole data."""

    __tablename__ = "entry_revisions"

    id: Mapped[intpk]
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), index=True)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # seed, edit, publish, revert, delete, restore
    data: Mapped[json_data]
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[created_at]


class Exchange(Base):
    """One question and its reply. The text is redacted; the user is a salted hash."""

    __tablename__ = "exchanges"

    id: Mapped[intpk]
    channel: Mapped[str] = mapped_column(String(32), index=True)
    user_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    intent: Mapped[str | None] = mapped_column(String(120), index=True)
    confidence: Mapped[float]
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # crisis follow-up
    latency_ms: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[created_at]


class UnansweredQuestion(Base):
    """A redacted question the bot could not answer, counted by its normalised form.

    ``kind`` says which part of the inbox it belongs to: ``question`` (content to write) or
    ``complaint`` (the bot told the person where to take it; staff only read and dismiss it).
    """

    __tablename__ = "unanswered"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in INBOX_KINDS)})", name="kind"),
    )

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(300), unique=True)
    text: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=1)
    best_intent: Mapped[str | None] = mapped_column(String(120))
    best_score: Mapped[float] = mapped_column(default=0.0)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[InboxKind] = mapped_column(String(16), default="question",
                                            server_default="question")
    first_seen: Mapped[created_at]
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Feedback(Base):
    """A 👍/👎 vote on an exchange: one per user per exchange, changeable."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("exchange_id", "user_hash"),)

    id: Mapped[intpk]
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id"), index=True)
    user_hash: Mapped[str] = mapped_column(String(64))
    value: Mapped[int]  # +1 or -1
    created_at: Mapped[created_at]


class Meta(Base):
    """Small key/value facts of the store: the content version, the user-id salt."""

    __tablename__ = "meta"

    key: Mapped[short_text] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AdminUser(Base):
    """A member of staff who edits content: role editor, publisher or admin; argon2 hash only."""

    __tablename__ = "admin_users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[created_at]


class AdminSession(Base):
    """A login (web cookie or API bearer token), kept as a hash so a database leak is no login."""

    __tablename__ = "admin_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("admin_users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # web | api
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginThrottle(Base):
    """Failed and in-flight logins of one (account, client address) pair: the login limit.

    ``key`` is a hash of the pair, so a password typed into the username field is never kept.
    Every attempt first reserves a check with one conditional UPDATE (services/staff/
    login_limit.py): the database, not the process, decides, so parallel guesses cannot slip past.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)  # checks under way
    blocked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertDelivery(Base):
    """One staff alert of one crisis-flagged exchange through one channel: the alert outbox.

    UNIQUE(exchange_id, channel) is what keeps an alert to one delivery: every worker inserts with
    ON CONFLICT DO NOTHING, and only the worker whose UPDATE claims the row sends it
    (services/alerts/outbox.py). No message text here: the alert is built from the exchange,
    which is redacted, when it is sent; ``last_error`` is a status line, never a response body.
    """

    __tablename__ = "alert_outbox"
    __table_args__ = (UniqueConstraint("exchange_id", "channel"),)

    id: Mapped[intpk]
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id"))
    channel: Mapped[str] = mapped_column(String(16))  # webhook | telegram | email
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[created_at]


class AuditLog(Base):
    """One admin action: who, what, on which target, from where (login failures included)."""

    __tablename__ = "audit_log"

    id: Mapped[intpk]
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), index=True
    )
