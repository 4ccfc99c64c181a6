"""The outbox's guarantees: one delivery per exchange and channel with several dispatchers on one
database (a SQLite file and PostgreSQL), a dead worker's lease taken over, the backfill of
exchanges nobody queued, and retention; plus the checks of the configured targets.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services import start_services
from services.alerts import AlertDispatcher, AlertPolicy, AlertTargets, outbox
from services.alerts.targets import SmtpServer
from services.db import create_engine_and_sessionmaker
from services.db.base import utcnow
from services.db.models import AlertDelivery, Exchange
from services.platform import retention
from services.platform.roles import Principal
from services.staff import ReportService
from tests import databases
from tests.alerts_support import CRISIS, FAST, QUESTION, say, until, webhook  # noqa: F401
from tests.conftest import FAQ_DIR, PLAN_YEAR_DAY, SHELF

CRISES = 12


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_url(request, tmp_path):
    """One database that several engines (workers) open: a SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    url = request.getfixturevalue("postgres_url")
    databases.run_sync(databases.truncate_all(url))
    return url


@pytest.fixture
async def quiet(database_url):
    """Services that store exchanges but alert nobody (a worker without alerts, or the CLI)."""
    running = await start_services(database_url, FAQ_DIR, today=PLAN_YEAR_DAY, shelf=SHELF)
    yield running
    await running.close()


async def rows(sessionmaker):
    async with sessionmaker() as session:
        return (await session.scalars(select(AlertDelivery).order_by(AlertDelivery.id))).all()


async def test_two_dispatchers_on_one_database_send_each_alert_once(shared_url, webhook):
    receiver, url = webhook
    receiver.delay = 0.01  # widen the window between claim and record
    writer = await start_services(shared_url, FAQ_DIR, today=PLAN_YEAR_DAY, shelf=SHELF)
    ids = [await say(writer, CRISIS, user=f"kid{i}") for i in range(CRISES)]
    workers = [create_engine_and_sessionmaker(shared_url) for _ in range(2)]
    targets = AlertTargets(webhook_url=url)
    dispatchers = [AlertDispatcher(maker, targets, policy=FAST) for _, maker in workers]
    try:
        for exchange_id in ids:  # both workers hear of every exchange, at the same moment
            for d in dispatchers:
                d.notify(exchange_id)
        await asyncio.gather(*(d.run_once() for d in dispatchers))
        for d in dispatchers:
            d.start()
        await asyncio.sleep(0.5)  # several more polls of both
        assert Counter(receiver.ids()) == Counter(ids)  # each exactly once
        assert {r.status for r in await rows(writer.sessionmaker)} == {"sent"}
    finally:
        for d in dispatchers:
            await d.close()
        for engine, _ in workers:
            await engine.dispose()
        await writer.close()


async def test_of_two_workers_claiming_one_row_at_once_exactly_one_gets_it(shared_url):
    writer = await start_services(shared_url, FAQ_DIR, today=PLAN_YEAR_DAY, shelf=SHELF)
    exchange_id = await say(writer, CRISIS)
    (first_engine, first), (second_engine, second) = (
        create_engine_and_sessionmaker(shared_url) for _ in range(2))
    lease = timedelta(minutes=1)

    async def claim_in(maker):
        async with maker.begin() as session:
            return await outbox.claim(session, row_id, utcnow(), lease)

    try:
        async with first.begin() as session:
            await outbox.enqueue(session, [exchange_id], ["webhook"], utcnow())
        [row_id] = [r.id for r in await rows(first)]
        async with first.begin() as session:
            assert await outbox.claim(session, row_id, utcnow(), lease) is not None
            # The second worker's claim starts while the first one's is not yet committed:
            # it waits (PostgreSQL: the row lock; SQLite: the write lock), then finds it taken.
            late = asyncio.create_task(claim_in(second))
            await asyncio.sleep(0.3)
        assert await late is None
        assert [(r.status, r.attempts) for r in await rows(first)] == [("sending", 1)]
    finally:
        for engine in (first_engine, second_engine):
            await engine.dispose()
        await writer.close()


async def test_an_exchange_nobody_queued_is_alerted_by_the_backfill(quiet, webhook):
    receiver, url = webhook
    fresh = await say(quiet, CRISIS, user="a")
    handled = await say(quiet, CRISIS, user="b")
    old = await say(quiet, CRISIS, user="c")
    await say(quiet, QUESTION)
    await ReportService(quiet.sessionmaker, quiet.catalog).mark_handled(
        Principal("erin", "editor"), handled)
    async with quiet.sessionmaker.begin() as session:
        await session.execute(update(Exchange).where(Exchange.id == old)
                              .values(created_at=utcnow() - timedelta(days=2)))
    dispatcher = AlertDispatcher(quiet.sessionmaker, AlertTargets(webhook_url=url), policy=FAST)
    try:
        await dispatcher.run_once()
        await dispatcher.run_once()
    finally:
        await dispatcher.close()
    assert receiver.ids() == [fresh]


async def test_a_dead_workers_lease_is_taken_over_and_a_sent_alert_never_resent(quiet, webhook):
    receiver, url = webhook
    dead, busy, done = [await say(quiet, CRISIS, user=u) for u in "xyz"]
    now = utcnow()
    async with quiet.sessionmaker.begin() as session:
        for exchange_id, status, lease in ((dead, "sending", now - timedelta(seconds=1)),
                                           (busy, "sending", now + timedelta(minutes=1)),
                                           (done, "sent", None)):
            session.add(AlertDelivery(exchange_id=exchange_id, channel="webhook", status=status,
                                      attempts=1, next_attempt_at=now, claimed_until=lease))
    dispatcher = AlertDispatcher(quiet.sessionmaker, AlertTargets(webhook_url=url), policy=FAST)
    try:
        await dispatcher.run_once()
        await dispatcher.run_once()
    finally:
        await dispatcher.close()
    assert receiver.ids() == [dead]
    states = {r.exchange_id: (r.status, r.attempts) for r in await rows(quiet.sessionmaker)}
    assert states == {dead: ("sent", 2), busy: ("sending", 1), done: ("sent", 1)}


async def test_a_dispatcher_closed_before_its_first_pass_leaves_the_alert_to_the_next(
        quiet, webhook):
    receiver, url = webhook
    first = AlertDispatcher(quiet.sessionmaker, AlertTargets(webhook_url=url), policy=FAST)
    quiet.dialog.on_flagged(first.notify)
    exchange_id = await say(quiet, CRISIS)
    await first.close()  # never started: the worker went away
    second = AlertDispatcher(quiet.sessionmaker, AlertTargets(webhook_url=url), policy=FAST)
    second.start()
    try:
        assert await until(lambda: receiver.ids() == [exchange_id])
    finally:
        await second.close()


async def test_purge_takes_the_alert_records_with_their_exchange(quiet, webhook):
    _, url = webhook
    await say(quiet, CRISIS)
    dispatcher = AlertDispatcher(quiet.sessionmaker, AlertTargets(webhook_url=url), policy=FAST)
    await dispatcher.run_once()
    await dispatcher.close()
    assert len(await rows(quiet.sessionmaker)) == 1
    async with quiet.sessionmaker.begin() as session:
        report = await retention.purge(session, utcnow() + timedelta(days=1))
    assert report.exchanges >= 1 and await rows(quiet.sessionmaker) == []


def test_half_configured_channels_are_refused_at_start():
    with pytest.raises(ValueError, match="WENJIAO_TELEGRAM_TOKEN"):
        AlertTargets(telegram_chat="-100")
    with pytest.raises(ValueError, match="go together"):
        AlertTargets(smtp_url="smtp://mail.example")
    with pytest.raises(ValueError, match="go together"):
        AlertTargets(email_to=("duty@jyj.example",))
    with pytest.raises(ValueError, match="smtp://") as refused:
        AlertTargets(smtp_url="imap://duty:hunter2@mail.example", email_to=("duty@jyj.example",))
    with pytest.raises(ValueError, match="http"):
        AlertTargets(webhook_url="ftp://hook.example")
    assert AlertTargets().channels == ()
    assert "hunter2" not in str(refused.value)


def test_smtp_urls_and_the_bot_api_url_are_read_as_documented():
    server = SmtpServer.parse("smtps://duty%40jyj.example:p%40ss@mail.example")
    assert (server.host, server.port, server.tls) == ("mail.example", 465, True)
    assert (server.username, server.password) == ("duty@jyj.example", "p@ss")
    assert "p@ss" not in repr(server)
    assert SmtpServer.parse("smtp://mail.example:587").port == 587
    assert SmtpServer.parse("smtp://mail.example").port == 25
    targets = AlertTargets(telegram_token="1:T", telegram_chat="-1")
    assert targets.telegram_method_url("sendMessage") == (
        "https://api.telegram.org/bot1:T/sendMessage")
    local = AlertTargets(telegram_token="1:T", telegram_chat="-1",
                         telegram_base_url="http://127.0.0.1:8081/x/{token}/y")
    assert local.telegram_method_url("sendMessage") == "http://127.0.0.1:8081/x/1:T/y/sendMessage"
    assert "1:T" not in repr(targets)


def test_backoff_doubles_up_to_its_cap_and_honours_retry_after():
    policy = AlertPolicy(base_delay=5, max_delay=60)
    assert [policy.delay(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert policy.delay(1, retry_after=30) == 30
    with pytest.raises(ValueError):
        AlertPolicy(send_timeout=10, lease=5)
