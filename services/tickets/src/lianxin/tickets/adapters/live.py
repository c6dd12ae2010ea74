"""The live ticket feed (for alarms on screens and desks): committed ticket events pushed over
PostgreSQL NOTIFY, fanned out in each process to the GraphQL subscriptions.

Writing: the unit of work collects one compact payload per event it records and sends them with
`pg_notify` just before it commits. NOTIFY is transactional, so a feed never shows an event
whose transaction rolled back, and shows each one after its state is readable. Payloads carry
ids, the code, the type and status, where the ticket reaches and whether it is a stability-risk
item — never personal data (PostgreSQL caps a payload at 8000 bytes; ours are a few hundred).

Reading: one LISTEN connection per process and engine (`hub_for`), opened with the first
subscriber and closed with the last; every subscriber has its own bounded queue. NOTIFY is
fire-and-forget: what happens while nobody listens is not replayed (the scheduler's alarms and
the outbox are the durable record; the feed is for "now").
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import uuid
import weakref
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from lianxin.kit.errors import CodedError
from lianxin.tickets.app.common import utcnow
from lianxin.tickets.app.queries import LiveTicketEvent
from lianxin.tickets.domain import events as ev
from lianxin.tickets.domain.ticket import Status, Ticket
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

log = logging.getLogger(__name__)

CHANNEL = "lianxin_ticket_events"
QUEUE_SIZE = 1000  # per subscriber; a subscriber that falls this far behind loses events

_NOTIFY = sa.text(f"SELECT pg_notify('{CHANNEL}', p) FROM unnest(CAST(:ps AS text[])) AS p")


def encode(event: LiveTicketEvent) -> str:
    return json.dumps({
        "ticket_id": str(event.ticket_id), "code": event.code, "type": event.type,
        "status": event.status.value, "reach": [str(u) for u in event.reach],
        "sensitive": event.sensitive, "at": event.at.isoformat()}, separators=(",", ":"))


def decode(payload: str) -> LiveTicketEvent | None:
    try:
        d = json.loads(payload)
        return LiveTicketEvent(
            ticket_id=uuid.UUID(d["ticket_id"]), code=d["code"], type=d["type"],
            status=Status(d["status"]), reach=tuple(uuid.UUID(u) for u in d["reach"]),
            sensitive=bool(d["sensitive"]), at=dt.datetime.fromisoformat(d["at"]))
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring a malformed payload on %s: %.200r", CHANNEL, payload)
        return None


class LiveBatch:
    """The live payloads of one transaction, sent by `flush` right before it commits."""

    def __init__(self) -> None:
        self._found: list[LiveTicketEvent] = []

    def add(self, event: ev.Event, occurred_at: dt.datetime | None,
            about: Ticket | None = None) -> None:
        """Queue the event's payload. A whistle event's ticket is `about`: every whistle step is
        a transition of its ticket, which hands the ticket over (no lookup at commit)."""
        ticket: Ticket | None = getattr(event, "ticket", None) or about
        if ticket is None:
            raise ValueError(f"{type(event).__name__} needs the ticket it concerns (`about`)")
        self._found.append(LiveTicketEvent(ticket.id, ticket.code, type(event).__name__,
                                           ticket.status, ticket.reach, ticket.sensitive,
                                           occurred_at or utcnow()))

    async def flush(self, session: AsyncSession) -> None:
        found, self._found = self._found, []
        if found:
            await session.execute(_NOTIFY, {"ps": [encode(e) for e in found]})


class FeedLost(CodedError):
    """The LISTEN connection ended (database restart, network): subscribe again."""

    code = "SERVICE_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__("the live ticket feed lost its database connection; subscribe again")


_Item = LiveTicketEvent | FeedLost


class LiveHub:
    """One LISTEN connection fanned out to every subscriber's queue in this process."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queues: set[asyncio.Queue[_Item]] = set()
        self._conn: AsyncConnection | None = None
        self._raw: Any = None
        self._lock = asyncio.Lock()
        self._joined = asyncio.Condition()
        self.listening = asyncio.Event()

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    async def wait_for_subscribers(self, count: int) -> None:
        """Until at least `count` subscribers listen (a subscription's generator registers on
        its first read; tests wait for it before committing what it must hear)."""
        async with self._joined:
            await self._joined.wait_for(lambda: len(self._queues) >= count)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[LiveTicketEvent]]:
        """Events committed from now on, until the context ends; FeedLost if the connection
        drops."""
        queue: asyncio.Queue[_Item] = asyncio.Queue(QUEUE_SIZE)
        async with self._lock:
            if self._conn is None or not self.listening.is_set():
                await self._stop()  # a connection that was lost is closed first
                await self._start()
            self._queues.add(queue)
        async with self._joined:
            self._joined.notify_all()
        try:
            yield self._drain(queue)
        finally:
            async with self._lock:
                self._queues.discard(queue)
                if not self._queues:
                    await self._stop()

    @staticmethod
    async def _drain(queue: asyncio.Queue[_Item]) -> AsyncIterator[LiveTicketEvent]:
        while True:
            item = await queue.get()
            if isinstance(item, FeedLost):
                raise item
            yield item

    async def _start(self) -> None:
        conn = await self._engine.connect()
        try:
            raw = (await conn.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.add_listener(CHANNEL, self._on_notify)
            raw.add_termination_listener(self._on_lost)
            # Notifications are delivered between transactions: never sit in an open one.
            await conn.commit()
        except BaseException:
            await conn.invalidate()
            await conn.close()
            raise
        self._conn, self._raw = conn, raw
        self.listening.set()

    async def _stop(self) -> None:
        conn, raw, self._conn, self._raw = self._conn, self._raw, None, None
        self.listening.clear()
        if conn is None:
            return
        with contextlib.suppress(Exception):
            raw.remove_termination_listener(self._on_lost)
            await raw.remove_listener(CHANNEL, self._on_notify)
        # Never hand a LISTENing connection back to the pool.
        with contextlib.suppress(Exception):
            await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()

    def _fan_out(self, item: _Item) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:
                log.warning("a ticket-events subscriber is %d events behind; dropping", QUEUE_SIZE)
                if isinstance(item, FeedLost):  # the end of the feed must arrive
                    queue.get_nowait()
                    queue.put_nowait(item)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        event = decode(payload)
        if event is not None:
            self._fan_out(event)

    def _on_lost(self, _conn: object) -> None:
        log.warning("the live ticket feed lost its LISTEN connection")
        self.listening.clear()
        self._fan_out(FeedLost())


_hubs: weakref.WeakKeyDictionary[AsyncEngine, LiveHub] = weakref.WeakKeyDictionary()


def hub_for(engine: AsyncEngine) -> LiveHub:
    """The process's hub for this engine (created on first use; it connects with its first
    subscriber)."""
    hub = _hubs.get(engine)
    if hub is None:
        hub = _hubs[engine] = LiveHub(engine)
    return hub
