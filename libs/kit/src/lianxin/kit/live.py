"""Live feeds over PostgreSQL LISTEN/NOTIFY, for GraphQL subscriptions (tickets' alarm feed,
assessment's screen wall).

A writer sends `pg_notify(channel, payload)` inside its transaction: NOTIFY is transactional,
so a listener never hears of a rolled-back change and hears of a committed one only once it is
readable. A reader process keeps one LISTEN connection per engine and channel (`Feed.hub`),
opened with the first subscriber and closed with the last, and fans every decoded payload out
to each subscriber's bounded queue. NOTIFY is fire-and-forget: what is sent while nobody
listens is not replayed, so feeds are for "now"; durable records live elsewhere (outbox,
projections). A lost connection (database restart, network) ends every subscription with
`FeedLost`; subscribing again reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, TypeVar

from lianxin.kit.errors import CodedError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

T = TypeVar("T")
QUEUE_SIZE = 1000  # per subscriber; a subscriber that falls this far behind loses items


class FeedLost(CodedError):
    """The LISTEN connection ended (database restart, network): subscribe again."""

    code = "SERVICE_UNAVAILABLE"

    def __init__(self, feed: str = "live feed") -> None:
        super().__init__(f"the {feed} lost its database connection; subscribe again")


class _Lost:
    """Queued after the last item when the connection dropped (raised as FeedLost)."""


_LOST = _Lost()


class Subscription(Generic[T]):
    """One subscriber's items, in order: iterate to wait for the next; `drain` takes what is
    already waiting without waiting (for coalescing bursts)."""

    def __init__(self, queue: asyncio.Queue[T | _Lost], feed: str) -> None:
        self._queue = queue
        self._feed = feed

    def __aiter__(self) -> Subscription[T]:
        return self

    async def __anext__(self) -> T:
        return self._checked(await self._queue.get())

    def drain(self) -> list[T]:
        """Every item queued now (possibly none); FeedLost if the connection dropped."""
        items: list[T] = []
        while not self._queue.empty():
            items.append(self._checked(self._queue.get_nowait()))
        return items

    def _checked(self, item: T | _Lost) -> T:
        if isinstance(item, _Lost):
            raise FeedLost(self._feed)
        return item


class LiveHub(Generic[T]):
    """One LISTEN connection on `channel` fanned out to every subscriber's queue in this
    process. `decode` turns a payload into an item, or None to ignore it (malformed)."""

    def __init__(self, engine: AsyncEngine, channel: str, decode: Callable[[str], T | None],
                 *, name: str = "live feed", queue_size: int = QUEUE_SIZE) -> None:
        self._engine = engine
        self.channel = channel
        self._decode = decode
        self._name = name
        self._queue_size = queue_size
        self._queues: set[asyncio.Queue[T | _Lost]] = set()
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
    async def subscribe(self) -> AsyncIterator[Subscription[T]]:
        """Items committed from now on, until the context ends; FeedLost if the connection
        drops."""
        queue: asyncio.Queue[T | _Lost] = asyncio.Queue(self._queue_size)
        async with self._lock:
            if self._conn is None or not self.listening.is_set():
                await self._stop()  # a connection that was lost is closed first
                await self._start()
            self._queues.add(queue)
        async with self._joined:
            self._joined.notify_all()
        try:
            yield Subscription(queue, self._name)
        finally:
            async with self._lock:
                self._queues.discard(queue)
                if not self._queues:
                    await self._stop()

    async def _start(self) -> None:
        conn = await self._engine.connect()
        try:
            raw = (await conn.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.add_listener(self.channel, self._on_notify)
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
            await raw.remove_listener(self.channel, self._on_notify)
        # Never hand a LISTENing connection back to the pool.
        with contextlib.suppress(Exception):
            await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()

    def _fan_out(self, item: T | _Lost) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:
                log.warning("a %s subscriber is %d items behind; dropping", self._name,
                            self._queue_size)
                if isinstance(item, _Lost):  # the end of the feed must arrive
                    queue.get_nowait()
                    queue.put_nowait(item)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        item = self._decode(payload)
        if item is not None:
            self._fan_out(item)

    def _on_lost(self, _conn: object) -> None:
        log.warning("the %s lost its LISTEN connection", self._name)
        self.listening.clear()
        self._fan_out(_LOST)


class Feed(Generic[T]):
    """A NOTIFY channel and how to read it; hands out the process's hub per engine (created on
    first use; it connects with its first subscriber)."""

    def __init__(self, channel: str, decode: Callable[[str], T | None], *,
                 name: str = "live feed", queue_size: int = QUEUE_SIZE) -> None:
        self.channel = channel
        self._decode = decode
        self._name = name
        self._queue_size = queue_size
        self._hubs: weakref.WeakKeyDictionary[AsyncEngine, LiveHub[T]] = \
            weakref.WeakKeyDictionary()

    def hub(self, engine: AsyncEngine) -> LiveHub[T]:
        hub = self._hubs.get(engine)
        if hub is None:
            hub = self._hubs[engine] = LiveHub(engine, self.channel, self._decode,
                                               name=self._name, queue_size=self._queue_size)
        return hub
