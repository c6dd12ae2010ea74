"""Async engine and session factory, built in the app lifespan (never at import time)."""

from __future__ import annotations

from contextvars import ContextVar
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def make_engine(url: str, *, pool_size: int = 20, application_name: str = "lianxin") -> AsyncEngine:
    """An asyncpg engine holding at most `pool_size` connections, kept open once made.

    No overflow: SQLAlchemy closes an overflow connection as soon as it is returned, so a load
    above the pool's size opened and closed a connection every dozen requests (each a new
    PostgreSQL backend and its prepared statements again; bench/RESULTS.md, P1). A request
    beyond `pool_size` concurrent sessions waits for a connection instead.

    No pre-ping: pinging each connection as it leaves the pool cost a round trip (BEGIN;
    ROLLBACK) per request, about a tenth of a small read's time (bench/RESULTS.md, P2). After
    PostgreSQL restarts, the requests that meet a dead connection fail instead; the first such
    failure invalidates every pooled connection opened before it, so the pool recovers at once
    and the errors are bounded by the requests in flight at that moment."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": application_name}},
    )


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
