"""The dispatcher: one asyncio task per process that takes crisis alerts from the outbox and sends
them, off the request path.

:meth:`AlertDispatcher.notify` is the dialogue's ``on_flagged`` listener: it only notes the id and
wakes the task, so the reply to the user never waits for a mail server. Each pass of the task, in
one short transaction, queues outbox rows for the noted exchanges and for any recent flagged
exchange that has none (the backfill: a worker that stopped between storing an exchange and
queuing it, another worker's exchange), then claims due rows one by one and sends each in its own
task. The task also wakes every ``poll_seconds``, which is how retries and other workers' rows are
picked up. What makes each alert go out once is in ``outbox.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts import outbox
from services.alerts.message import Alert
from services.alerts.senders import DeliveryError, Sender
from services.alerts.targets import EMAIL, TELEGRAM, WEBHOOK, AlertPolicy, AlertTargets
from services.db.base import utcnow
from services.db.models import Exchange

log = logging.getLogger(__name__)

CLOSE_GRACE = 5.0  # seconds a shutdown waits for alerts being sent; the rest resume elsewhere
RECORD_TRIES = 3


def build_senders(targets: AlertTargets, timeout: float) -> list[Sender]:
    """One sender per configured channel (their clients are imported here, when one is)."""
    from services.alerts.http_senders import TelegramSender, WebhookSender
    from services.alerts.mail import EmailSender

    makers: dict[str, Callable[[], Sender]] = {
        WEBHOOK: lambda: WebhookSender(targets.webhook_url or "", timeout),
        TELEGRAM: lambda: TelegramSender(targets, timeout),
        EMAIL: lambda: EmailSender(targets, timeout),
    }
    return [makers[channel]() for channel in targets.channels]


class AlertDispatcher:
    """Sends each crisis-flagged exchange's alerts through every configured channel, once."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], targets: AlertTargets,
                 *, policy: AlertPolicy | None = None, senders: Sequence[Sender] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessionmaker = sessionmaker
        self._targets = targets
        self._policy = policy or AlertPolicy()
        made = build_senders(targets, self._policy.send_timeout) if senders is None else senders
        self._senders = {s.channel: s for s in made}
        self._clock = clock
        self._noted: set[int] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sending: dict[int, asyncio.Task[None]] = {}  # outbox row id -> its delivery
        self._slots = asyncio.Semaphore(self._policy.concurrency)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels this dispatcher sends through."""
        return tuple(self._senders)

    def start(self) -> None:
        """Start the background task (inside the running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="wenjiao-alerts")

    def notify(self, exchange_id: int) -> None:
        """A crisis-flagged exchange was stored: alert staff soon. Never blocks."""
        self._noted.add(exchange_id)
        self._wake.set()

    async def run_once(self) -> None:
        """One pass, waiting for the sends it started (tests; the task does not wait)."""
        await self._pass()
        while self._sending:
            await asyncio.gather(*self._sending.values(), return_exceptions=True)

    async def close(self) -> None:
        """Stop the task; give alerts being sent a moment, then leave them to their lease."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        pending = list(self._sending.values())
        if pending:
            _, late = await asyncio.wait(pending, timeout=CLOSE_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for sender in self._senders.values():
            await sender.aclose()

    # -- the task --------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._pass()
            except (SQLAlchemyError, OSError) as exc:  # the store is away: the next pass retries
                log.warning("alert pass failed", extra={"error": type(exc).__name__})
            except Exception:  # a bug must not end every later alert: log it, keep polling
                log.exception("alert pass failed unexpectedly")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._policy.poll_seconds):
                    await self._wake.wait()

    async def _pass(self) -> None:
        noted, self._noted = self._noted, set()
        now = self._clock()
        since = now - timedelta(hours=self._policy.backfill_hours)
        try:
            async with self._sessionmaker.begin() as session:
                missing = await outbox.unalerted(session, self.channels, since)
                await outbox.enqueue(session, sorted(noted | set(missing)), self.channels, now)
                due = await outbox.due(session, self.channels, now)
        except BaseException:
            self._noted |= noted
            raise
        for row_id in due:
            if row_id not in self._sending:
                self._sending[row_id] = asyncio.create_task(self._deliver(row_id))

    async def _deliver(self, row_id: int) -> None:
        try:
            await self._attempt(row_id)
        except (SQLAlchemyError, OSError) as exc:  # unclaimed, or left to its lease: retried
            log.warning("alert attempt failed", extra={"row": row_id,
                                                       "error": type(exc).__name__})
        finally:
            self._sending.pop(row_id, None)

    async def _attempt(self, row_id: int) -> None:
        async with self._slots:
            async with self._sessionmaker.begin() as session:
                claim = await outbox.claim(session, row_id, self._clock(),
                                           timedelta(seconds=self._policy.lease))
                exchange = await session.get(Exchange, claim.exchange_id) if claim else None
            if claim is None:
                return  # another worker has it, or it is done
            error = await self._send(claim, exchange)
            await self._record(claim, error)

    async def _send(self, claim: outbox.Claim, exchange: Exchange | None) -> DeliveryError | None:
        if exchange is None:
            return DeliveryError("exchange no longer stored")
        alert = Alert.of(exchange.id, exchange.channel, exchange.created_at, exchange.text,
                         self._targets.link(exchange.id))
        try:
            async with asyncio.timeout(self._policy.send_timeout):
                await self._senders[claim.channel].send(alert)
        except DeliveryError as exc:
            return exc
        except TimeoutError:
            return DeliveryError("timeout")
        except Exception as exc:  # a sender's bug must not keep the row in 'sending' forever
            return DeliveryError(f"unexpected {type(exc).__name__}")
        return None

    async def _record(self, claim: outbox.Claim, error: DeliveryError | None) -> None:
        """Write the outcome; a store that blinks is tried again, since a delivered alert left
        in ``sending`` would be sent again once its lease ran out."""
        facts = {"exchange_id": claim.exchange_id, "alert_channel": claim.channel,
                 "attempt": claim.attempts}
        for attempt in range(1, RECORD_TRIES + 1):
            try:
                async with self._sessionmaker.begin() as session:
                    if error is None:
                        await outbox.mark_sent(session, claim.row_id, self._clock())
                    else:
                        await outbox.mark_failed(session, claim.row_id, error.reason,
                                                 self._retry_at(claim, error))
                break
            except (SQLAlchemyError, OSError):
                if attempt == RECORD_TRIES:
                    log.error("alert outcome not recorded", extra=facts)
                    return
                await asyncio.sleep(attempt)
        if error is None:
            log.info("alert sent", extra=facts)
        else:
            log.warning("alert not delivered", extra=facts | {"reason": error.reason})

    def _retry_at(self, claim: outbox.Claim, error: DeliveryError) -> datetime | None:
        if claim.attempts >= self._policy.max_attempts:
            return None
        delay = self._policy.delay(claim.attempts, error.retry_after)
        return self._clock() + timedelta(seconds=delay)
