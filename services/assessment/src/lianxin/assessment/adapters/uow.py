"""The assessment service's SQL unit of work: it emits no events; it projects others'.

One projection batch is one transaction: the events are claimed in `proj.event` (the dedupe
lives in `proj` so a replay's swap carries it along), projected, and committed with a NOTIFY
naming the org units whose figures changed (the live dashboards listen). The batch holds the
projection lock shared, so a replay's swap (which holds it exclusively) never interleaves.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection, Sequence
from typing import Self

import sqlalchemy as sa
from lianxin.assessment.adapters.people_repo import PeopleRepo
from lianxin.assessment.adapters.projection_repo import SqlProjectionStore
from lianxin.assessment.adapters.schema import PROJECTION_LOCK
from lianxin.assessment.adapters.tables import event
from lianxin.assessment.adapters.unnest import columns, unnest_insert
from lianxin.assessment.app.people_projection import PeopleReadModels
from lianxin.assessment.app.projection import ProjectionStore
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.uow import SqlUnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

CHANGES_CHANNEL = "lianxin_assessment_changes"
MAX_NOTIFY_BYTES = 7000   # PostgreSQL's limit is 8000; beyond this listeners refresh all
_CLAIMED = ("event_id", "event_type", "aggregate_type", "aggregate_id", "aggregate_version",
            "occurred_at", "outcome", "envelope")
_CLAIM = (unnest_insert(event, _CLAIMED).on_conflict_do_nothing()
          .returning(event.c.event_id))


def changes_payload(units: Collection[uuid.UUID]) -> str:
    """`{"units": [ids]}`, or `{"units": "*"}` when that is too long for one notification."""
    payload = json.dumps({"units": sorted(str(u) for u in units)})
    return payload if len(payload.encode()) <= MAX_NOTIFY_BYTES else json.dumps({"units": "*"})


class AssessmentUnitOfWork(SqlUnitOfWork):
    """`lock=False` for a replay, which holds the projection lock itself (exclusively)."""

    topic = "assessment.v1"

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, lock: bool = True) -> None:
        super().__init__(sessions)
        self._lock = lock

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self._locked = False
        self._changed: set[uuid.UUID] = set()
        return self

    def _open(self) -> None:
        self.projection: ProjectionStore = SqlProjectionStore(self.session)
        self.people: PeopleReadModels = PeopleRepo(self.session)

    async def hold_projection_lock(self) -> None:
        """Take the projection lock (shared) once per transaction, before touching `proj`."""
        if self._lock and not self._locked:
            await self.session.execute(
                sa.select(sa.func.pg_advisory_xact_lock_shared(PROJECTION_LOCK)))
            self._locked = True

    async def claim_events(self, envs: Sequence[Envelope], consumer: str,
                           outcome: str = "applied") -> set[str]:
        """Log the events in `proj.event` with their envelopes; the ids not logged before.
        (`consumer` is unused: the log belongs to the projections as a whole.)"""
        await self.hold_projection_lock()
        rows = list({e.event_id: (
            uuid.UUID(e.event_id), e.event_type, e.aggregate_type, e.aggregate_id,
            e.aggregate_version, e.occurred_at.ToDatetime(tzinfo=dt.UTC), outcome,
            e.SerializeToString()) for e in envs}.values())
        if not rows:
            return set()
        found = await self.session.execute(_CLAIM, columns(_CLAIMED, rows))
        return {str(r[0]) for r in found}

    def changed(self, units: Collection[uuid.UUID]) -> None:
        """Org units whose figures changed in this transaction: announced at commit."""
        self._changed.update(units)

    async def commit(self) -> None:
        if self._changed:
            # NOTIFY is transactional: listeners hear of the change only if it commits.
            await self.session.execute(sa.select(sa.func.pg_notify(
                CHANGES_CHANNEL, changes_payload(self._changed))))
            self._changed = set()
        await super().commit()
