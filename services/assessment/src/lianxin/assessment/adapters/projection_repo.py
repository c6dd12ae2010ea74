"""Storage of the ticket and whistle projection: facts, the projected-event log, cubes, alarms.

Core SQL on the Table objects only (a replay session renames `proj` by schema_translate_map).
Cube deltas are added with INSERT … ON CONFLICT DO UPDATE in ascending key order, cube by cube
in a fixed order, so two writers touching the same rows lock them in the same order and
cannot deadlock. A cube's rows go in one INSERT … SELECT FROM unnest (adapters/unnest.py), facts
by one statement executed for each row (an asyncpg executemany, one round trip): neither is
built and compiled anew per batch (what the profile of a replay found: bench/p6_replay.py).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from google.protobuf.message import Message
from lianxin.assessment.adapters import tables as t
from lianxin.assessment.adapters.decode import decode, decode_logged
from lianxin.assessment.adapters.fact_state import from_dict, ticket_from_state, to_state
from lianxin.assessment.adapters.unnest import unnest_insert
from lianxin.assessment.app.projection import Alarm
from lianxin.assessment.domain import ticket_events as ev
from lianxin.assessment.domain.cubes import CUBES, Cube, Delta
from lianxin.assessment.domain.facts import TicketFact
from lianxin.assessment.domain.late import Stamps
from lianxin.assessment.domain.measures import COUNTERS, FLOAT_COUNTERS
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


@cache
def _upsert_stmt(table: sa.Table, columns: tuple[str, ...]) -> Any:
    keys = [c.name for c in table.primary_key.columns]
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={c: stmt.excluded[c] for c in columns if c not in keys})


async def _upsert(session: AsyncSession, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """One statement, executed for every row (asyncpg pipelines an executemany)."""
    if rows:
        await session.execute(_upsert_stmt(table, tuple(rows[0])), rows)


@cache
def _add_stmt(cube: Cube) -> Any:
    table = t.cube_tables[cube.name]
    stmt = unnest_insert(table, (*cube.dims, *COUNTERS, "updated_at"))
    return stmt.on_conflict_do_update(
        index_elements=list(cube.dims),
        set_={**{c: table.c[c] + stmt.excluded[c] for c in COUNTERS},
              "updated_at": sa.func.greatest(table.c.updated_at, stmt.excluded.updated_at)})


_WHOLE = tuple(c not in FLOAT_COUNTERS for c in COUNTERS)   # BIGINT counters take ints
_IDS = frozenset({"unit_id", "department_id", "cadre_id"})


@cache
def _row_order(cube: Cube) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Sort key of a cube's row keys: their own order (ids compare as their integers), but
    with the ids' integers in place — UUID's Python-level comparison made sorting a batch's
    rows a tenth of a replay's time."""
    ids = [i for i, d in enumerate(cube.dims) if d in _IDS]

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(row)
        for i in ids:
            out[i] = out[i].int
        return tuple(out)
    return key


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
                      [_ticket_row(f) for f in sorted(facts, key=lambda f: f.ticket_id.int)])

    async def save_whistle_tasks(self, tasks: Sequence[WhistleTaskFact]) -> None:
        await _upsert(self._session, t.whistle_task_fact,
                      [_task_row(x) for x in sorted(tasks, key=lambda x: x.task_id.int)])

    async def add_to_cubes(self, delta: Delta, stamps: Stamps) -> None:
        for cube in CUBES:   # always in this order: lock ordering across writers
            rows = delta.get(cube.name)
            if not rows:
                continue
            keys = sorted(rows, key=_row_order(cube))
            counters = [rows[k] for k in keys]
            params: dict[str, list[Any]] = {
                d: list(v) for d, v in zip(cube.dims, zip(*keys, strict=True), strict=True)}
            present: set[str] = set()   # a row moves few counters: zeros for the rest
            for r in counters:
                present.update(r)
            for c, whole in zip(COUNTERS, _WHOLE, strict=True):
                if c not in present:
                    params[c] = [0 if whole else 0.0] * len(keys)
                elif whole:
                    params[c] = [int(r.get(c, 0)) for r in counters]
                else:
                    params[c] = [r.get(c, 0.0) for r in counters]
            params["updated_at"] = [stamps.get((cube.name, k)) for k in keys]
            await self._session.execute(_add_stmt(cube), params)

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
