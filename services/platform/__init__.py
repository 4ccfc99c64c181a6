"""What every other part of services stands on: short-lived shared state (one bounded TTL store,
in memory or Redis, behind one fall-back wrapper), de-duplication, rate limits, metrics, time,
backup and retention, and the two cross-cutting records of who acts (roles) and what they did
(the audit log), which the content lifecycle and the staff services both write.

Nothing here imports the dialogue, the content or staff: ``dialogue -> content -> platform``.
"""

from services.platform import audit, retention, telemetry
from services.platform.backup import BackupError, sqlite_path
from services.platform.backup import backup as backup_sqlite
from services.platform.backup import restore as restore_sqlite
from services.platform.dedup import Dedup
from services.platform.ratelimit import (
    MemoryRateLimiter,
    RateDecision,
    RateLimiter,
    RedisRateLimiter,
    WindowRateLimiter,
)
from services.platform.redis_guard import RedisGuard, redis_down
from services.platform.roles import CLI, ROLE_LABELS, ROLES, Principal, require
from services.platform.timeutil import as_utc, local, parse_local
from services.platform.ttl_store import FallbackTtlStore, MemoryTtlStore, RedisTtlStore, TtlStore

__all__ = [
    "CLI",
    "ROLES",
    "ROLE_LABELS",
    "BackupError",
    "Dedup",
    "FallbackTtlStore",
    "MemoryRateLimiter",
    "MemoryTtlStore",
    "Principal",
    "RateDecision",
    "RateLimiter",
    "RedisGuard",
    "RedisRateLimiter",
    "RedisTtlStore",
    "TtlStore",
    "WindowRateLimiter",
    "as_utc",
    "audit",
    "backup_sqlite",
    "local",
    "parse_local",
    "redis_down",
    "require",
    "restore_sqlite",
    "retention",
    "sqlite_path",
    "telemetry",
]
