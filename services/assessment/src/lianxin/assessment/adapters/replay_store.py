"""The database side of a replay (app/replay.py): the rebuild schema `proj_next`, batches
projected into it by the live consumer's own code (through `schema_translate_map`), the swap
under the projection lock, and the comparison a dry run prints.

The swap is DDL inside one transaction — DROP SCHEMA proj, ALTER SCHEMA proj_next RENAME TO
proj, the BI views re-created (a view is bound to tables, not names) — so PostgreSQL's
transactional DDL makes it atomic: a reader blocks on the old tables' locks for the moment
of the swap and then reads the new ones (names are looked up again after a lock wait).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Protocol, Self

import sqlalchemy as sa
from google.protobuf.message import Message
from lianxin.assessment.adapters import live
from lianxin.assessment.adapters.projection_diff import diff
from lianxin.assessment.adapters.schema import (
    PROJECTION_LOCK,
    create_projection_schema,
    drop_projection_schema,
    translate,
)
from lianxin.assessment.adapters.tables import PROJ, proj_metadata
from lianxin.assessment.app.replay import Event, Failure, TableDiff
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.consumer import is_transient
from lianxin.kit.db import make_sessions
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

NEXT = "proj_next"
REPLAY_LOCK = PROJECTION_LOCK + 1   # held for a whole replay: one at a time
CONSUMER = "assessment"              # the live consumer's name in claims


class ReplayUnitOfWork(Protocol):
    session: AsyncSession

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...
    async def claim_events(self, envs: Sequence[Envelope], consumer: str,
                           outcome: str = "applied") -> set[str]: ...
    async def commit(self) -> None: ...


Project = Callable[[Any, Sequence[tuple[Envelope, Message]]], Awaitable[object]]
UowFactory = Callable[[async_sessionmaker[AsyncSession]], ReplayUnitOfWork]
Views = Callable[[sa.Connection], None]


class ReplayBusy(Exception):
    """Another replay holds the replay lock."""


class SqlReplayTarget:
    """Target of app/replay.py on PostgreSQL; an async context manager holding REPLAY_LOCK.
    `project` is app.projection.project (a test may inject another); `interested` filters
    event types as the live consumer does; `views` re-creates the BI views after the swap."""

    def __init__(self, engine: AsyncEngine, project: Project, uow_factory: UowFactory, *,
                 interested: Callable[[str], bool] = lambda _type: True,
                 views: Views | None = None) -> None:
        self._engine = engine
        self._project = project
        self._uow_factory = uow_factory
        self._interested = interested
        self._views = views
        self._next = make_sessions(engine.execution_options(schema_translate_map=translate(NEXT)))
        self._guard: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        guard = await self._engine.connect()
        got = await guard.scalar(sa.select(sa.func.pg_try_advisory_lock(REPLAY_LOCK)))
        await guard.commit()   # the session-level lock stays; no transaction stays open
        if not got:
            await guard.close()
            raise ReplayBusy("another replay is running on this database; wait for it to end")
        self._guard = guard
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._guard is not None:
            with contextlib.suppress(Exception):
                await self._guard.execute(sa.select(sa.func.pg_advisory_unlock(REPLAY_LOCK)))
            await self._guard.close()

    async def prepare(self) -> None:
        async with self._engine.begin() as conn:
            await conn.run_sync(drop_projection_schema, NEXT)
            await conn.run_sync(create_projection_schema, NEXT)

    async def discard(self) -> None:
        async with self._engine.begin() as conn:
            await conn.run_sync(drop_projection_schema, NEXT)

    async def apply(self, events: Sequence[Event]) -> list[Failure]:
        async with self._uow_factory(self._next) as uow:
            failures = await _apply(uow, events, self._project, self._interested)
            await uow.commit()
        return failures

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[_Locked]:
        async with self._uow_factory(self._next) as uow:
            await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock(PROJECTION_LOCK)))
            yield _Locked(self, uow)


class _Locked:
    def __init__(self, target: SqlReplayTarget, uow: ReplayUnitOfWork) -> None:
        self._t = target
        self._uow = uow

    async def apply(self, events: Sequence[Event]) -> list[Failure]:
        return await _apply(self._uow, events, self._t._project, self._t._interested)

    async def compare(self) -> list[TableDiff]:
        conn = await self._uow.session.connection()
        return [await diff(conn, table, NEXT) for table in proj_metadata.sorted_tables]

    async def swap(self) -> None:
        conn = await self._uow.session.connection()
        await conn.run_sync(_swap, self._t._views)
        await self._uow.commit()


def _swap(bind: sa.Connection, views: Views | None) -> None:
    bind.execute(sa.text(f'DROP SCHEMA "{PROJ}" CASCADE'))   # CASCADE: the BI views
    bind.execute(sa.text(f'ALTER SCHEMA "{NEXT}" RENAME TO "{PROJ}"'))
    if views is not None:
        views(bind)
    # Every screen wall reads its figures again once the new schema is in.
    bind.execute(sa.select(sa.func.pg_notify(live.CHANNEL, live.ALL)))


async def _claim_and_project(uow: ReplayUnitOfWork, events: Sequence[Event],
                             project: Project) -> None:
    claimed = set(await uow.claim_events([e.env for e in events], CONSUMER))
    items = []
    for e in events:   # each once, in order (as the live consumer hands them over)
        if e.env.event_id in claimed:
            claimed.discard(e.env.event_id)
            items.append((e.env, e.payload))
    if items:
        await project(uow, items)


async def _apply(uow: ReplayUnitOfWork, events: Sequence[Event], project: Project,
                 interested: Callable[[str], bool]) -> list[Failure]:
    """Claim and project `events` under a savepoint; if that fails, event by event, marking
    the ones that fail dead-lettered as the live consumer does."""
    wanted = [e for e in events if interested(e.env.event_type)]
    if not wanted:
        return []
    try:
        async with uow.session.begin_nested():
            await _claim_and_project(uow, wanted, project)
        return []
    except Exception as exc:
        if is_transient(exc):
            raise
        log.warning("replay: a batch of %d failed (%r); applying it event by event",
                    len(wanted), exc)
    failures = []
    for e in wanted:
        try:
            async with uow.session.begin_nested():
                await _claim_and_project(uow, [e], project)
        except Exception as exc:
            if is_transient(exc):
                raise
            failures.append(Failure(e.where, e.env.event_id, e.env.event_type,
                                    f"{type(exc).__name__}: {exc}"[:500]))
            async with uow.session.begin_nested():
                await uow.claim_events([e.env], CONSUMER, "dead_lettered")
    return failures
