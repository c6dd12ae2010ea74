"""Project a batch of claimed events: people.v1 into the people read models (people_projection),
tickets.v1 into ticket and whistle-task facts, the cubes and the overdue alarms — all in the
caller's transaction.

Per aggregate: when every new event is newer than the stored fact, the fact moves on from
where it stood; otherwise (an event arrived out of order, or a sibling of one already applied
shares its version) the fact is re-folded from the aggregate's logged events, so the result
is the in-order one. The cubes receive the difference between the fact's old and new
contributions, plus `late_events` for events that changed a closed month; each cube row is
stamped with the newest event that changed it (domain/late.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf.message import Message
from lianxin.assessment.app.people_projection import PeopleUnitOfWork, apply_people_events
from lianxin.assessment.domain import ticket_events as ev
from lianxin.assessment.domain.cubes import CUBE_BY_NAME, Delta, deltas
from lianxin.assessment.domain.facts import TicketFact, apply, contributions, point
from lianxin.assessment.domain.late import Stamps, Walked, walk
from lianxin.assessment.domain.whistle_facts import (
    WhistleTaskFact,
    apply_whistle,
    task_point,
    tasks_contributions,
)
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope


@dataclass(frozen=True, slots=True)
class Alarm:
    """An overdue alarm (TicketOverdue) for screens and desks."""

    event_id: uuid.UUID
    ticket_id: uuid.UUID
    code: str
    clock: str
    level: int
    due: dt.datetime | None
    org_path: tuple[uuid.UUID, ...]
    occurred_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Projected:
    units: set[uuid.UUID]   # every org unit whose figures or alarms changed
    alarms: int


class ProjectionStore(Protocol):
    def decode(self, env: Envelope, payload: Message) -> ev.Event | None: ...
    async def ticket_facts(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, TicketFact]: ...
    async def whistle_tasks(self, whistle_ids: Collection[uuid.UUID]
                            ) -> dict[uuid.UUID, list[WhistleTaskFact]]: ...
    async def logged(self, aggregate_type: str, ids: Collection[uuid.UUID]
                     ) -> dict[uuid.UUID, list[ev.Event]]:
        """The applied events of each aggregate in the projected-event log."""
        ...
    async def save_tickets(self, facts: Sequence[TicketFact]) -> None: ...
    async def save_whistle_tasks(self, tasks: Sequence[WhistleTaskFact]) -> None: ...
    async def add_to_cubes(self, delta: Delta, stamps: Stamps) -> None: ...
    async def add_alarms(self, alarms: Sequence[Alarm]) -> int:
        """Store new alarms; how many were not stored before."""
        ...


class ProjectionUnitOfWork(PeopleUnitOfWork, Protocol):
    projection: ProjectionStore


class _Changes:
    """The batch's cube deltas summed over its aggregates, with each row's newest event."""

    def __init__(self) -> None:
        self.delta: Delta = {}
        self.stamps: Stamps = {}

    @property
    def units(self) -> set[uuid.UUID]:
        """The org units of the rows changed (every unit on a changed fact's path)."""
        unit = CUBE_BY_NAME["unit_day"].dims.index("unit_id")
        return {k[unit] for k in self.delta.get("unit_day", {})}  # type: ignore[misc]

    def add(self, delta: Delta, walked: Walked[Any], new: Sequence[ev.Event]) -> None:
        """An aggregate's net change plus its late events. Rows a step changed and changed
        back are still written (with nothing to add) for their stamp, as one event per
        batch would; a row only a re-fold moved takes the newest new event's time."""
        newest = max(e.meta.occurred_at for e in new)
        for part in (delta, walked.late):
            for cube, rows in part.items():
                into = self.delta.setdefault(cube, {})
                for key, counters in rows.items():
                    row = into.setdefault(key, {})
                    for name, value in counters.items():
                        row[name] = row.get(name, 0.0) + value
                    self._stamp(cube, key, walked.stamps.get((cube, key), newest))
        for (cube, key), at in walked.stamps.items():
            self.delta.setdefault(cube, {}).setdefault(key, {})
            self._stamp(cube, key, at)

    def _stamp(self, cube: str, key: tuple[object, ...], at: dt.datetime) -> None:
        self.stamps[(cube, key)] = max(at, self.stamps.get((cube, key), at))


async def _tickets(store: ProjectionStore, groups: Mapping[uuid.UUID, list[ev.Event]],
                   changes: _Changes) -> list[Alarm]:
    stored = await store.ticket_facts(list(groups))
    refold = {t for t, evs in groups.items() if t in stored
              and any(e.meta.version <= stored[t].version for e in evs)}
    logged = await store.logged("ticket", refold) if refold else {}
    facts, alarms = [], []
    for ticket_id, new in groups.items():
        old = stored.get(ticket_id)
        again = ticket_id in refold
        start = TicketFact(ticket_id) if again or old is None else old
        fresh = {e.meta.event_id for e in new}
        walked = walk(start, [*logged.get(ticket_id, []), *new] if again else new, fresh,
                      apply, contributions, lambda f, e: point(f) if f.day is not None else None)
        fact = walked.state
        facts.append(fact)
        changes.add(deltas(contributions(old) if old else [], contributions(fact)), walked, new)
        alarms += [Alarm(uuid.UUID(e.meta.event_id), ticket_id, fact.code, e.clock, e.level,
                         e.due, e.org_path or fact.org_path, e.meta.occurred_at)
                   for e in new if isinstance(e, ev.TicketOverdue)]
    await store.save_tickets(facts)
    return alarms


async def _whistles(store: ProjectionStore, groups: Mapping[uuid.UUID, list[ev.Event]],
                    changes: _Changes) -> None:
    stored = await store.whistle_tasks(list(groups))
    logged = await store.logged("whistle", list(groups))
    saved: list[WhistleTaskFact] = []
    for whistle_id, new in groups.items():
        fresh = {e.meta.event_id for e in new}
        empty: dict[uuid.UUID, WhistleTaskFact] = {}
        walked = walk(empty, [*logged.get(whistle_id, []), *new], fresh, apply_whistle,
                      lambda s: tasks_contributions(s.values()),
                      lambda s, e: task_point(s[e.task_id])
                      if getattr(e, "task_id", None) in s else None)
        saved += walked.state.values()
        changes.add(deltas(tasks_contributions(stored.get(whistle_id, [])),
                           tasks_contributions(walked.state.values())), walked, new)
    await store.save_whistle_tasks(saved)


_PEOPLE_FILE = people_pb2.DESCRIPTOR.name
_WHISTLE = (ev.WhistleBlown, ev.WhistleReportedIn, ev.WhistleTaskCompleted, ev.WhistleClosed)


async def project(uow: ProjectionUnitOfWork, items: Sequence[tuple[Envelope, Message]]
                  ) -> Projected:
    """Apply claimed (deduplicated) events in the caller's transaction; the caller commits."""
    tickets: dict[uuid.UUID, list[ev.Event]] = defaultdict(list)
    whistles: dict[uuid.UUID, list[ev.Event]] = defaultdict(list)
    people = []
    for env, payload in items:
        if payload.DESCRIPTOR.file.name == _PEOPLE_FILE:
            people.append((env, payload))
            continue
        event = uow.projection.decode(env, payload)
        if event is not None:
            (whistles if isinstance(event, _WHISTLE) else tickets)[event.meta.aggregate_id] \
                .append(event)
    if people:
        await apply_people_events(uow, people)
    changes = _Changes()
    alarms = await _tickets(uow.projection, tickets, changes) if tickets else []
    if whistles:
        await _whistles(uow.projection, whistles, changes)
    if changes.delta:
        await uow.projection.add_to_cubes(changes.delta, changes.stamps)
    added = await uow.projection.add_alarms(alarms) if alarms else 0
    units = changes.units | {u for a in alarms for u in a.org_path}
    return Projected(units, added)
