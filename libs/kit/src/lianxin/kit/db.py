"""Async engine and session factory, built in the app lifespan (never at import time)."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary

from lianxin.kit.admission import Overloaded
from lianxin.kit.metrics import OVERLOAD_REJECTIONS
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

# SQLAlchemy quiets its own loggers ("sqlalchemy.*") to WARNING; a pool subclass logs under our
# module's name instead, and its INFO lines ("Pool disposed …") ended the CLI tools' output.
logging.getLogger(f"{__name__}.OverloadPool").setLevel(logging.WARNING)

# SQLAlchemy's own default: workers and command-line tools keep it (a consumer that waited
# longer is better than one that sends a message to the DLQ); the API passes its setting.
DEFAULT_POOL_TIMEOUT_S = 30.0


class OverloadPool(AsyncAdaptedQueuePool):
    """The async queue pool, except that a checkout timing out raises the kit's coded
    `Overloaded` (a GraphQL error OVERLOADED, counted) instead of SQLAlchemy's TimeoutError,
    which the API would answer as an INTERNAL_SERVER_ERROR."""

    service = "lianxin"

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        except exc.TimeoutError:
            OVERLOAD_REJECTIONS.labels(self.service, "pool_timeout").inc()
            raise Overloaded(f"the {self.service} service is busy (no database connection "
                             f"within {self._timeout:g} s); retry shortly",
                             retryAfter=1) from None

    def recreate(self) -> Any:
        pool = super().recreate()  # after an invalidation: keep the label
        pool.service = self.service  # type: ignore[attr-defined]
        return pool


def make_engine(url: str, *, pool_size: int = 20, application_name: str = "lianxin",
                pool_timeout: float = DEFAULT_POOL_TIMEOUT_S) -> AsyncEngine:
    """An asyncpg engine holding at most `pool_size` connections, kept open once made.

    No overflow: SQLAlchemy closes an overflow connection as soon as it is returned, so a load
    above the pool's size opened and closed a connection every dozen requests (each a new
    PostgreSQL backend and its prepared statements again; bench/RESULTS.md, P1). A request
    beyond `pool_size` concurrent sessions waits for a connection instead.

    No pre-ping: pinging each connection as it leaves the pool cost a round trip (BEGIN;
    ROLLBACK) per request, about a tenth of a small read's time (bench/RESULTS.md, P2). A pooled
    connection the server closed (a restart) is replaced at checkout instead, for free
    (`_refuse_closed`); the requests in flight when the server goes away fail, coded
    SERVICE_UNAVAILABLE (tests/faults/test_outages.py).

    A checkout that waits `pool_timeout` seconds fails with OVERLOADED (`OverloadPool`)."""
    engine = create_async_engine(
        url,
        poolclass=OverloadPool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": application_name}},
    )
    engine.pool.service = application_name  # type: ignore[attr-defined]
    event.listen(engine.sync_engine.pool, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Hand out no connection the server already closed (PostgreSQL restarted): asyncpg knows
    without a round trip, and the pool replaces it. Without this, a connection left idle in
    the pool across a restart failed the first request that took it, minutes or hours later
    (tests/faults, scenarios 5 then 11). A connection cut without a word (a network drop) is
    still found only by using it; the first such failure invalidates the older ones."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise exc.DisconnectionError("the server closed this pooled connection")


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (we return them from mutations)."""
    return Sessions(engine, expire_on_commit=False)


# True while a GraphQL query (not a mutation or subscription) executes: its sessions read
# without BEGIN/ROLLBACK (operations.py sets it). Two of a small read's four round trips were
# BEGIN and ROLLBACK (bench/RESULTS.md, P2); a query's statements each see committed data, and
# a read that needs one snapshot asks for it explicitly (the dashboard: REPEATABLE READ). A
# write made while reading (an audit row) commits by itself.
READ_ONLY: ContextVar[bool] = ContextVar("lianxin_read_only", default=False)
_autocommit: WeakKeyDictionary[AsyncEngine, AsyncEngine] = WeakKeyDictionary()


class Sessions(async_sessionmaker[AsyncSession]):
    """The session factory; inside a GraphQL query its sessions use autocommit connections."""

    def __call__(self, **local_kw: object) -> AsyncSession:
        engine = self.kw.get("bind")
        if READ_ONLY.get() and "bind" not in local_kw and isinstance(engine, AsyncEngine):
            if (reading := _autocommit.get(engine)) is None:
                reading = engine.execution_options(isolation_level="AUTOCOMMIT")
                _autocommit[engine] = reading
            local_kw["bind"] = reading
        return super().__call__(**local_kw)
