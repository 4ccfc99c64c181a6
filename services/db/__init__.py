"""Persistence: models, engine set-up and repository functions."""

from services.db.base import Base
from services.db.engine import create_engine_and_sessionmaker, create_schema

__all__ = ["Base", "create_engine_and_sessionmaker", "create_schema"]
