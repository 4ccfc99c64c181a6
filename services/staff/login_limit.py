"""The login limit: a few free guesses per (account, client address), then growing delays.

Why this shape:
- **Atomic.** A password is checked only after the store has granted a *reservation* in one
  conditional UPDATE (``… WHERE failures + pending < free OR (pending = 0 AND blocked_until <=
  now)``). PostgreSQL locks the row and SQLite serialises writers, so a hundred parallel guesses
  get at most ``free_failures`` checks, however they are sent, in one process or many.
- **Not a weapon.** The count belongs to the pair (account, address), so nobody can lock a
  colleague at another address out of an account, nor every account behind one address (a
  school's shared NAT). Behind a reverse proxy the address is the client's own only when the
  proxy is trusted (``WENJIAO_TRUSTED_PROXIES``).
- **Delays, not a lock.** Past the free guesses each further try waits longer (30 s, 1 min,
  2 min … at most 15 min), and a quiet quarter of an hour forgets the failures; a right password
  clears the pair.
- **Nothing typed is kept.** The row's key is a hash of the pair.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.db import repositories as repo
from services.db.base import utcnow
from services.db.models import LoginThrottle
from services.platform.timeutil import as_utc


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """The limit's numbers, in one place."""

    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(minutes=15)  # quiet this long: failures forgotten
    check_lease: timedelta = timedelta(seconds=60)  # a check not finished by then is void

    def delay(self, failures: int) -> timedelta:
        """How long the pair waits after its ``failures``-th failure."""
        if failures < self.free_failures:
            return timedelta(0)
        steps = min(failures - self.free_failures, 30)
        return min(self.first_delay * float(2 ** steps), self.max_delay)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A granted check (``retry_after`` None), or a refusal saying in how many seconds the next
    check may be made."""

    key: str
    retry_after: int | None

    @property
    def granted(self) -> bool:
        """Whether the password may be checked now."""
        return self.retry_after is None


def pair_key(username: str, ip: str) -> str:
    """The row key of (account, address): a hash, so the typed username is not stored."""
    return hashlib.sha256(f"{username.casefold()}\0{ip}".encode()).hexdigest()


class LoginLimiter:
    """Reserve a password check, then report how it went."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 policy: LoginPolicy | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessionmaker = sessionmaker
        self.policy = policy or LoginPolicy()
        self._clock = clock

    async def reserve(self, username: str, ip: str) -> Reservation:
        """Grant one check for the pair, or say when the next may be made."""
        key, now, policy = pair_key(username, ip), self._clock(), self.policy
        row = LoginThrottle.__table__.c
        async with self._sessionmaker.begin() as session:
            await session.execute(repo.upsert_insert(session, LoginThrottle).values(
                key=key, failures=0, pending=0, blocked_until=now, last_at=now,
            ).on_conflict_do_nothing(index_elements=[row.key]))
            # A check that never reported back (its worker died) stops counting after the lease;
            # a pair quiet for forget_after starts afresh.
            await session.execute(update(LoginThrottle).where(
                row.key == key, row.last_at < now - policy.check_lease).values(pending=0))
            await session.execute(update(LoginThrottle).where(
                row.key == key, row.last_at < now - policy.forget_after,
                row.blocked_until <= now).values(failures=0))
            granted = await session.execute(update(LoginThrottle).where(
                row.key == key,
                or_(row.failures + row.pending < policy.free_failures,
                    (row.pending == 0) & (row.blocked_until <= now)),
            ).values(pending=row.pending + 1, last_at=now))
            if granted.rowcount == 1:  # type: ignore[attr-defined]
                return Reservation(key, None)
            blocked = await session.scalar(select(row.blocked_until).where(row.key == key))
        wait = (as_utc(blocked) - now).total_seconds() if blocked is not None else 0.0
        return Reservation(key, max(1, math.ceil(wait)))

    async def succeeded(self, reservation: Reservation) -> None:
        """The right password: the pair starts afresh."""
        async with self._sessionmaker.begin() as session:
            await session.execute(delete(LoginThrottle).where(
                LoginThrottle.key == reservation.key))

    async def failed(self, reservation: Reservation) -> None:
        """A wrong password: one more failure, and the wait it earns."""
        now = self._clock()
        row = LoginThrottle.__table__.c
        async with self._sessionmaker.begin() as session:
            await session.execute(update(LoginThrottle).where(row.key == reservation.key).values(
                failures=row.failures + 1,
                pending=case((row.pending > 0, row.pending - 1), else_=0), last_at=now))
            failures = await session.scalar(
                select(row.failures).where(row.key == reservation.key))
            wait = self.policy.delay(int(failures or 0))
            if wait:
                await session.execute(update(LoginThrottle).where(
                    row.key == reservation.key).values(blocked_until=now + wait))


__all__ = ["LoginLimiter", "LoginPolicy", "Reservation", "pair_key"]
