"""Persistence: models, engine set-up, migrations, locks and repository functions."""

from services.db import migrate
from services.db.base import Base
from services.db.engine import create_engine_and_sessionmaker, create_schema
from services.db.locks import hold_until_commit
from services.db.migrate import SchemaNotReady, ensure_schema
from services.db.models import INBOX_KINDS, InboxKind

__all__ = [
    "INBOX_KINDS",
    "Base",
    "InboxKind",
    "SchemaNotReady",
    "create_engine_and_sessionmaker",
    "create_schema",
    "ensure_schema",
    "hold_until_commit",
    "migrate",
]
