"""Unit of work: one database transaction, in which the events a use case raises are written to
the outbox — so a state change and its event commit together or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import ClassVar, Self

import sqlalchemy as sa
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.auth import SYSTEM, Principal
from lianxin.kit.envelope import PendingEvent, wrap
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Lightweight table clauses: DML only, the DDL lives in lianxin.kit.tables.
OUTBOX = sa.table(
    "outbox",
    sa.column("event_id", UUID(as_uuid=True)),
    sa.column("topic"),
    sa.column("key"),
    sa.column("event_type"),
    sa.column("envelope", sa.LargeBinary),
)
PROCESSED = sa.table(
    "processed_event",
    sa.column("event_id", UUID(as_uuid=True)),
    sa.column("consumer"),
    sa.column("event_type"),
    sa.column("outcome"),
)
NOTIFY_CHANNEL = "lianxin_outbox"
CLAIM_CHUNK = 1000   # rows per INSERT: 4 parameters each stay far below asyncpg's 32767


class SqlUnitOfWork:
    """Base unit of work; a service subclass sets `topic` and adds its repositories in `_open`."""

    topic: ClassVar[str]

    def __init__(self, sessions: async_sessionmaker[AsyncSession], actor: Principal = SYSTEM,
                 traceparent: str = "") -> None:
        self._sessions = sessions
        self.actor = actor
        self.traceparent = traceparent
        self._pending: list[PendingEvent] = []

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._pending = []
        self._open()
        return self

    def _open(self) -> None:
        """Hook for subclasses: build repositories on `self.session`."""

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        # Anything not explicitly committed is rolled back: nothing half-written stays behind.
        await self.session.rollback()
        await self.session.close()

    def emit(self, event: PendingEvent) -> None:
        """Queue an event; it is written to the outbox by `commit`, in the same transaction."""
        self._pending.append(event)

    async def flush_events(self) -> None:
        """Write queued events to the outbox now (still inside the open transaction)."""
        if not self._pending:
            return
        rows = []
        for event in self._pending:
            env = wrap(event, self.actor, occurred_at=event.occurred_at,
                       traceparent=self.traceparent)
            rows.append({
                "event_id": uuid.UUID(env.event_id),
                "topic": self.topic,
                "key": event.aggregate_id,
                "event_type": env.event_type,
                "envelope": env.SerializeToString(),
            })
        await self.session.execute(sa.insert(OUTBOX), rows)
        # NOTIFY is transactional: the relay is woken only if this transaction commits.
        await self.session.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, "")))
        self._pending = []

    async def commit(self) -> None:
        """Write queued events to the outbox and commit them with the state change at once."""
        await self.flush_events()
        await self.session.commit()

    async def claim_event(self, event_id: str, consumer: str, event_type: str,
                          outcome: str = "applied") -> bool:
        """Record that `consumer` handled `event_id`; False if it already had (a redelivery)."""
        stmt = (
            insert(PROCESSED)
            .values(event_id=uuid.UUID(event_id), consumer=consumer, event_type=event_type,
                    outcome=outcome)
            .on_conflict_do_nothing()
            .returning(PROCESSED.c.event_id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def claim_events(self, envs: Sequence[Envelope], consumer: str,
                           outcome: str = "applied") -> set[str]:
        """Record a batch as handled by `consumer` in one statement per chunk; the ids of the
        events not recorded before (a redelivered batch yields only what is new in it)."""
        rows = list({e.event_id: {"event_id": uuid.UUID(e.event_id), "consumer": consumer,
                                  "event_type": e.event_type, "outcome": outcome}
                     for e in envs}.values())
        claimed: set[str] = set()
        for start in range(0, len(rows), CLAIM_CHUNK):
            stmt = (insert(PROCESSED).values(rows[start:start + CLAIM_CHUNK])
                    .on_conflict_do_nothing().returning(PROCESSED.c.event_id))
            claimed.update(str(r[0]) for r in await self.session.execute(stmt))
        return claimed
