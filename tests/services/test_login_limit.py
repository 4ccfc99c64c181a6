"""The login limit holds however the guesses are sent: in parallel, from two processes, with
delays that grow, and without a lock that a stranger could put on a colleague."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.db import create_engine_and_sessionmaker, create_schema
from services.errors import AuthFailed, TooManyAttempts
from services.platform import audit
from services.platform.roles import CLI
from services.staff.auth import AuthService
from services.staff.login_limit import LoginLimiter, LoginPolicy
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import FAST_HASHER, PASSWORD


async def _outcomes(auth: AuthService, passwords: list[str], ip: str) -> list[str]:
    async def one(password: str) -> str:
        try:
            await auth.login("erin", password, ip=ip)
        except AuthFailed:
            return "wrong"
        except TooManyAttempts:
            return "refused"
        return "in"

    return list(await asyncio.gather(*(one(p) for p in passwords)))


async def test_a_hundred_parallel_guesses_get_at_most_five_checks(services, staff, users):
    """The finding: 100 parallel guesses were all checked and the 100th, right, got in."""
    outcomes = await _outcomes(staff.auth, [f"guess {n}" for n in range(99)] + [PASSWORD],
                               "10.1.1.1")
    assert outcomes.count("wrong") + outcomes.count("in") <= 5
    assert outcomes[-1] == "refused"
    async with services.sessionmaker() as session:
        failed = await audit.entries(session, action=audit.LOGIN_FAILED)
    assert len(failed) == outcomes.count("wrong") <= 5


async def test_two_workers_on_one_sqlite_file_share_the_limit(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    first, first_sessions = create_engine_and_sessionmaker(url)
    second, second_sessions = create_engine_and_sessionmaker(url)
    await create_schema(first)
    try:
        workers = [AuthService(s, hasher=FAST_HASHER) for s in (first_sessions, second_sessions)]
        await workers[0].create_user(CLI, "erin", PASSWORD, "editor")
        results = await asyncio.gather(*(_outcomes(w, [f"guess {n}" for n in range(30)],
                                                   "10.2.2.2") for w in workers))
        checked = sum(r.count("wrong") for r in results)
        assert checked <= 5 and sum(r.count("refused") for r in results) >= 55
    finally:
        await first.dispose()
        await second.dispose()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def limiter(services) -> tuple[LoginLimiter, Clock]:
    clock = Clock()
    return LoginLimiter(services.sessionmaker, LoginPolicy(), clock=clock), clock


async def _fail(limiter: LoginLimiter, who: str = "erin", ip: str = "10.3.3.3") -> int | None:
    """One attempt with a wrong password: None when it was checked, else the wait it got."""
    reservation = await limiter.reserve(who, ip)
    if reservation.granted:
        await limiter.failed(reservation)
    return reservation.retry_after


async def test_past_five_failures_each_try_waits_longer(limiter):
    limiter, clock = limiter
    for _ in range(5):
        assert await _fail(limiter) is None
    waits = []
    for _ in range(4):
        wait = await _fail(limiter)
        assert wait is not None  # refused, not checked
        waits.append(wait)
        clock.advance(wait)
        assert await _fail(limiter) is None  # after the wait: one more check
    assert waits == [30, 60, 120, 240]
    for _ in range(10):  # the wait stops growing at a quarter of an hour
        clock.advance(await _fail(limiter) or 0)
        await _fail(limiter)
    assert await _fail(limiter) == 15 * 60


async def test_a_quiet_quarter_hour_or_the_right_password_starts_afresh(limiter):
    limiter, clock = limiter
    for _ in range(4):
        await _fail(limiter)
    clock.advance(16 * 60)
    for _ in range(5):  # the four old failures are forgotten: five new checks
        assert await _fail(limiter) is None
    assert await _fail(limiter) is not None
    clock.advance(30)
    reservation = await limiter.reserve("erin", "10.3.3.3")
    await limiter.succeeded(reservation)
    for _ in range(5):
        assert await _fail(limiter) is None


async def test_a_check_that_never_reports_back_stops_counting(limiter):
    """A worker killed mid-check must not leave the pair held for ever."""
    limiter, clock = limiter
    for _ in range(5):
        assert (await limiter.reserve("erin", "10.4.4.4")).granted  # none report back
    assert not (await limiter.reserve("erin", "10.4.4.4")).granted
    clock.advance(61)
    assert (await limiter.reserve("erin", "10.4.4.4")).granted
