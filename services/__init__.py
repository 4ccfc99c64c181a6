"""Application services, by responsibility: ``dialogue`` (a message in, a reply out),
``content`` (the curated entries and their lifecycle), ``staff`` (accounts, inbox, reports),
``alerts`` (staff told of every crisis-flagged exchange), ``platform`` (shared state, limits,
metrics, time, backup), ``db`` (the SQLAlchemy store), and :mod:`services.runtime`, which
starts them in one place for every entry point.

``bot`` imports these packages' public APIs only (checked by import-linter).
"""

from services.dialogue import DialogService, IncomingMessage, Option, Reply
from services.runtime import Services, current_entries, seed_store, start_services

__all__ = ["DialogService", "IncomingMessage", "Option", "Reply", "Services", "current_entries",
           "seed_store", "start_services"]
