"""Admission control (限流) of an API process: at most `max_in_flight` GraphQL requests execute
at once; one that finds no free slot within a short wait is refused at once with HTTP 503, a
GraphQL error coded OVERLOADED and `Retry-After`.

Why: without it, a process offered more than it can take accepted every request and let them
queue for the connection pool (up to its 30 s timeout) while the gateway's clients gave up;
goodput fell to a seventh of capacity (bench/RESULTS.md, P3 overload). A refusal costs well under
a millisecond and tells the client when to come back; the requests let in keep their ordinary
latency. Health, readiness, metrics and websockets (long-lived subscriptions) are not counted.
Sizing: docs/operations.md, "Overload".
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from lianxin.kit.errors import CodedError
from lianxin.kit.metrics import IN_FLIGHT, OVERLOAD_REJECTIONS
from lianxin.kit.responses import error_response, response_media_type

OVERLOADED = "OVERLOADED"
PACE_TTL_S = 2.0


class Overloaded(CodedError):
    """The service is saturated; nothing was done. Retry after `retryAfter` seconds."""

    code = OVERLOADED


class Slots:
    """A counting limiter with a bounded first-come, first-served queue: `acquire(wait)` takes
    one of `limit` slots, waiting at most `wait` seconds for one, behind at most `queue` others;
    `release` hands the slot to the oldest waiter (a late arrival never overtakes one already
    waiting).

    A request is refused at once, not after its wait, when the queue is full or when the queue
    ahead of it is not expected to move within `wait` (its length × the recent time between
    hand-overs): under sustained overload that is nearly every refusal, so refusals cost no
    waiting — measured on a starved box, waiting out the full wait made them ~1 s."""

    def __init__(self, limit: int, queue: int | None = None) -> None:
        if limit < 1:
            raise ValueError("a limit needs at least one slot")
        self.limit = limit
        self.queue = limit if queue is None else queue
        self.active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        # Seconds between slots handed to waiters (a moving average), i.e. how fast the queue
        # moves while there is one; 0 until measured (no refusal on a guess). A measure older
        # than PACE_TTL_S is not used: a slow moment must not refuse every later burst.
        self.handover_s = 0.0
        self._last_handover: float | None = None
        self._measured_at = 0.0

    @property
    def waiting(self) -> int:
        return sum(not w.done() for w in self._waiters)

    async def acquire(self, wait: float) -> bool:
        """True once a slot is held (the caller must `release` it); False after `wait` seconds
        without one."""
        if self.active < self.limit and not self.waiting:
            self.active += 1
            return True
        ahead = self.waiting
        pace = self.handover_s if time.monotonic() - self._measured_at < PACE_TTL_S else 0.0
        if wait <= 0 or ahead >= self.queue or (ahead + 1) * pace > wait:
            return False
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(granted)
        try:
            async with asyncio.timeout(wait):
                await granted
            return True
        except TimeoutError:
            # The slot may have been handed over in the same tick as the timeout fired.
            return granted.done() and not granted.cancelled()
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release()  # handed over just as the caller went away: pass it on
            raise
        finally:
            if not granted.done():
                granted.cancel()
            with contextlib.suppress(ValueError):  # already handed its slot by `release`
                self._waiters.remove(granted)

    def release(self) -> None:
        """Give a slot back: to the oldest waiter still waiting, else to the pool of free ones."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot changes hands; `active` stays the same
                self._handed_over()
                return
        self.active -= 1
        self._last_handover = None  # the queue is empty: the next one starts a new measure

    def _handed_over(self) -> None:
        now = time.monotonic()
        if self._last_handover is not None:
            interval = now - self._last_handover
            self.handover_s = (0.8 * self.handover_s + 0.2 * interval if self.handover_s
                               else interval)
            self._measured_at = now
        self._last_handover = now


class AdmissionControl:
    """ASGI middleware: HTTP requests under `prefixes` need one of `max_in_flight` slots
    (waiting at most `wait_s`, behind at most `queue` others) or are answered 503 OVERLOADED with
    `Retry-After: retry_after_s`."""

    def __init__(self, app: Any, *, service: str, max_in_flight: int, queue: int, wait_s: float,
                 retry_after_s: int, prefixes: Iterable[str] = ("/graphql",)) -> None:
        self.app = app
        self.service = service
        self.slots = Slots(max_in_flight, queue)
        self.wait_s = wait_s
        self.retry_after_s = retry_after_s
        self.prefixes = tuple(prefixes)
        self._in_flight = IN_FLIGHT.labels(service)
        self._rejected = OVERLOAD_REJECTIONS.labels(service, "busy")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        if not await self.slots.acquire(self.wait_s):
            self._rejected.inc()
            await self._refuse(scope, receive, send)
            return
        self._in_flight.set(self.slots.active)
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()
            self._in_flight.set(self.slots.active)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), None)
        response = error_response(
            503, f"the {self.service} service is busy; nothing was done: retry after "
            f"{self.retry_after_s} s", OVERLOADED, response_media_type(accept),
            {"retry-after": str(self.retry_after_s)}, {"retryAfter": self.retry_after_s})
        await response(scope, receive, send)
