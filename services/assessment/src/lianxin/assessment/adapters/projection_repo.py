"""Storage of the ticket and whistle projection: facts, the projected-event log, cubes, alarms.

Core SQL on the Table objects only (a replay session renames `proj` by schema_translate_map).
Cube deltas are added with INSERT … ON CONFLICT DO UPDATE in ascending key order, cube by cube
in a fixed order, so two writers touching the same rows lock them in the same order and
cannot deadlock.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from google.protobuf.message import Message
from lianxin.assessment.adapters import tables as t
from lianxin.assessment.adapters.decode import decode, decode_logged
from lianxin.assessment.adapters.fact_state import from_dict, ticket_from_state, to_state
from lianxin.assessment.app.projection import Alarm
from lianxin.assessment.domain import ticket_events as ev
from lianxin.assessment.domain.cubes import CUBES, Delta
from lianxin.assessment.domain.facts import TicketFact
from lianxin.assessment.domain.late import Stamps
from lianxin.assessment.domain.measures import COUNTERS
from lianxin.assessment.domain.whistle_facts import WhistleTaskFact
from lianxin.events.v1.envelope_pb2 import Envelope
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

CHUNK = 500   # rows per statement: ~45 parameters each, far below asyncpg's 32767


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)]


def _ticket_row(f: TicketFact) -> dict[str, Any]:
    lead = f.lead
    return {
        "ticket_id": f.ticket_id, "code": f.code, "org_unit_id": f.org_unit_id,
        "org_path": list(f.org_path), "handling_unit_id": f.handling_unit_id,
        "department_id": lead.department_id if lead else None,
        "cadre_id": lead.cadre_id if lead else None, "category": f.category, "kind": f.kind,
        "channel": f.channel, "ledger": f.ledger, "urgency": f.urgency, "status": f.status,
        "outcome": f.outcome, "klass": f.klass, "day": f.day, "submitted_at": f.submitted_at,
        "accepted_at": f.accepted_at, "resolved_at": f.resolved_at, "closed_at": f.closed_at,
        "accept_due": f.accept_due, "handle_due": f.handle_due, "rated_at": f.rated_at,
        "accepted_on_time": f.response, "resolved_on_time": f.resolved_on_time,
        "handling_days": f.handling_days, "overdue": f.overdue, "overdue_now": f.overdue_now,
        "solved": f.solved, "satisfaction": f.satisfaction, "reopen_count": f.reopen_count,
        "master_id": f.master_id, "imported": f.imported, "state": to_state(f),
        "version": f.version, "updated_at": f.updated_at}


def _task_row(task: WhistleTaskFact) -> dict[str, Any]:
    row = {f.name: getattr(task, f.name) for f in dataclasses.fields(task)}
    return {**row, "blower_path": list(task.blower_path)}


async def _upsert(session: AsyncSession, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    keys = [c.name for c in table.primary_key.columns]
    for chunk in _chunks(rows):
        stmt = insert(table).values(chunk)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=keys,
            set_={c: stmt.excluded[c] for c in chunk[0] if c not in keys}))


class SqlProjectionStore:
    """ProjectionStore (app/projection.py) on an open session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def decode(self, env: Envelope, payload: Message) -> ev.Event | None:
        return decode(env, payload)

    async def ticket_facts(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, TicketFact]:
        rows = await self._session.execute(
            sa.select(t.ticket_fact.c.state).where(t.ticket_fact.c.ticket_id.in_(list(ids))))
        facts = [ticket_from_state(r.state) for r in rows]
        return {f.ticket_id: f for f in facts}

    async def whistle_tasks(self, whistle_ids: Collection[uuid.UUID]
                            ) -> dict[uuid.UUID, list[WhistleTaskFact]]:
        rows = await self._session.execute(sa.select(t.whistle_task_fact).where(
            t.whistle_task_fact.c.whistle_id.in_(list(whistle_ids))))
        out: dict[uuid.UUID, list[WhistleTaskFact]] = defaultdict(list)
        for r in rows.mappings():
            task: WhistleTaskFact = from_dict(WhistleTaskFact, {
                **r, "blower_path": tuple(r["blower_path"])})
            out[task.whistle_id].append(task)
        return out

    async def logged(self, aggregate_type: str, ids: Collection[uuid.UUID]
                     ) -> dict[uuid.UUID, list[ev.Event]]:
        e = t.event
        rows = await self._session.execute(
            sa.select(e.c.envelope).where(
                e.c.aggregate_type == aggregate_type, e.c.outcome == "applied",
                e.c.aggregate_id.in_([str(i) for i in ids]), e.c.envelope.is_not(None))
            .order_by(e.c.aggregate_id, e.c.aggregate_version))
        out: dict[uuid.UUID, list[ev.Event]] = defaultdict(list)
        for (envelope,) in rows:
            event = decode_logged(envelope)
            if event is not None:
                out[event.meta.aggregate_id].append(event)
        return out

    async def save_tickets(self, facts: Sequence[TicketFact]) -> None:
        await _upsert(self._session, t.ticket_fact,
                      [_ticket_row(f) for f in sorted(facts, key=lambda f: f.ticket_id)])

    async def save_whistle_tasks(self, tasks: Sequence[WhistleTaskFact]) -> None:
        await _upsert(self._session, t.whistle_task_fact,
                      [_task_row(x) for x in sorted(tasks, key=lambda x: x.task_id)])

    async def add_to_cubes(self, delta: Delta, stamps: Stamps) -> None:
        for cube in CUBES:   # always in this order: lock ordering across writers
            rows = delta.get(cube.name)
            if not rows:
                continue
            table = t.cube_tables[cube.name]
            values = [{**dict(zip(cube.dims, key, strict=True)),
                       **{c: rows[key].get(c, 0) for c in COUNTERS},
                       "updated_at": stamps.get((cube.name, key))} for key in sorted(rows)]
            for chunk in _chunks(values):
                stmt = insert(table).values(chunk)
                await self._session.execute(stmt.on_conflict_do_update(
                    index_elements=list(cube.dims),
                    set_={**{c: table.c[c] + stmt.excluded[c] for c in COUNTERS},
                          "updated_at": sa.func.greatest(table.c.updated_at,
                                                         stmt.excluded.updated_at)}))

    async def add_alarms(self, alarms: Sequence[Alarm]) -> int:
        rows = [{"event_id": a.event_id, "ticket_id": a.ticket_id, "code": a.code,
                 "clock": a.clock, "level": a.level, "due": a.due, "org_path": list(a.org_path),
                 "occurred_at": a.occurred_at} for a in alarms]
        added = 0
        for chunk in _chunks(rows):
            result = await self._session.execute(
                insert(t.alarm).values(chunk).on_conflict_do_nothing()
                .returning(t.alarm.c.event_id))
            added += len(result.all())
        return added
