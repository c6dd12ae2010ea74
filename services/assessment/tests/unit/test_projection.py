"""`project` with an in-memory store: cubes follow the facts (classes move counters), late
events are counted at their cohort, out-of-order batches end where in-order ones do, a
duplicate changes nothing, alarms and changed units come back, people events go to the
people read models."""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from google.protobuf.message import Message
from lianxin.assessment.adapters.decode import decode
from lianxin.assessment.app.projection import Alarm, Projected, ProjectionStore, project
from lianxin.assessment.domain import ticket_events as ev
from lianxin.assessment.domain.cubes import NIL, Delta
from lianxin.assessment.domain.facts import TicketFact, contributions
from lianxin.assessment.domain.late import Stamps
from lianxin.assessment.domain.whistle_facts import WhistleTaskFact, tasks_contributions
from lianxin.events.v1 import people_pb2
from lianxin.events.v1 import tickets_pb2 as pb
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.auth import SYSTEM
from lianxin.kit.envelope import PendingEvent, wrap

sys.path.insert(0, str(Path(__file__).parents[1]))
from projection_story import (
    COUNTY,
    HOUSING,
    PATH,
    TOWN,
    WATER,
    Item,
    TicketStory,
    WhistleStory,
    china,
    expected_cubes,
    without_late,
)


class FakeStore:
    """ProjectionStore in memory; the event log is filled by FakeUow.claim."""

    def __init__(self) -> None:
        self.facts: dict[uuid.UUID, TicketFact] = {}
        self.tasks: dict[uuid.UUID, WhistleTaskFact] = {}
        self.log: dict[str, tuple[str, Envelope, Message]] = {}
        self.cubes: dict[str, dict[Any, dict[str, float]]] = defaultdict(dict)
        self.stamps: Stamps = {}
        self.alarms: dict[uuid.UUID, Alarm] = {}

    def decode(self, env: Envelope, payload: Message) -> ev.Event | None:
        return decode(env, payload)

    async def ticket_facts(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, TicketFact]:
        return {i: self.facts[i] for i in ids if i in self.facts}

    async def whistle_tasks(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[WhistleTaskFact]]:
        out: dict[uuid.UUID, list[WhistleTaskFact]] = defaultdict(list)
        for t in self.tasks.values():
            if t.whistle_id in ids:
                out[t.whistle_id].append(t)
        return out

    async def logged(self, aggregate_type: str, ids: Collection[uuid.UUID]
                     ) -> dict[uuid.UUID, list[ev.Event]]:
        out: dict[uuid.UUID, list[ev.Event]] = defaultdict(list)
        for kind, env, payload in self.log.values():
            event = decode(env, payload)
            if kind == aggregate_type and event and event.meta.aggregate_id in ids:
                out[event.meta.aggregate_id].append(event)
        return out

    async def save_tickets(self, facts: Sequence[TicketFact]) -> None:
        self.facts.update({f.ticket_id: f for f in facts})

    async def save_whistle_tasks(self, tasks: Sequence[WhistleTaskFact]) -> None:
        self.tasks.update({t.task_id: t for t in tasks})

    async def add_to_cubes(self, delta: Delta, stamps: Stamps) -> None:
        for cube, rows in delta.items():
            for key, counters in rows.items():
                row = self.cubes[cube].setdefault(key, {})
                for name, value in counters.items():
                    row[name] = row.get(name, 0.0) + value
                at = stamps[(cube, key)]
                self.stamps[(cube, key)] = max(at, self.stamps.get((cube, key), at))

    async def add_alarms(self, alarms: Sequence[Alarm]) -> int:
        new = [a for a in alarms if a.event_id not in self.alarms]
        self.alarms.update({a.event_id: a for a in new})
        return len(new)


class FakePeople:
    def __init__(self) -> None:
        self.units: list[Any] = []

    async def put_org_unit(self, unit: Any) -> None:
        self.units.append(unit)


class FakeUow:
    def __init__(self) -> None:
        self.store = FakeStore()
        self.projection: ProjectionStore = self.store
        self.people: Any = FakePeople()

    async def run(self, items: Sequence[Item]) -> Projected:
        """What the consumer does: claim (log, dedupe), then project what was new."""
        fresh = [(env, msg) for env, msg in items if env.event_id not in self.store.log]
        for env, msg in fresh:
            self.store.log[env.event_id] = (env.aggregate_type, env, msg)
        unique = list({env.event_id: (env, msg) for env, msg in fresh}.values())
        return await project(self, unique)

    def expected(self) -> dict[str, dict[Any, dict[str, float]]]:
        facts = [c for f in self.store.facts.values() for c in contributions(f)]
        tasks = tasks_contributions(self.store.tasks.values())
        return expected_cubes(facts + tasks)

    def month_row(self, unit: uuid.UUID, month: dt.date, klass: str = "normal",
                  own: bool | None = None) -> dict[str, float]:
        own = unit == PATH[-1] if own is None else own
        return self.store.cubes["unit_month"].get((unit, own, month, klass), {})


def nonzero(cubes: dict[str, dict[Any, dict[str, float]]]) -> dict[str, Any]:
    rows = {c: {k: {n: v for n, v in row.items() if v} for k, row in r.items()}
            for c, r in cubes.items()}
    return {c: {k: row for k, row in r.items() if row} for c, r in rows.items()}


def _handled(s: TicketStory, at: dt.datetime, outcome: int = pb.OUTCOME_SOLVED) -> None:
    s.submitted(at)
    s.accepted(at + dt.timedelta(hours=1))
    s.dispatched(at + dt.timedelta(hours=2))
    s.resolved(at + dt.timedelta(days=1), outcome=outcome)


async def test_cubes_hold_the_sums_of_the_facts_contributions() -> None:
    uow, s, w = FakeUow(), TicketStory(), WhistleStory()
    _handled(s, china(2026, 9, 14))
    tasks = w.blown(china(2026, 9, 14, 12), s.id, [WATER, HOUSING])
    w.reported(china(2026, 9, 14, 13), tasks[0])
    projected = await uow.run(s.items + w.items)
    assert without_late(uow.store.cubes) == uow.expected()
    assert projected == Projected(set(PATH), 0)
    sept = dt.date(2026, 9, 1)
    assert uow.month_row(COUNTY, sept)["whistle_tasks"] == 2
    assert uow.month_row(TOWN, sept, own=True)["whistle_reported"] == 1
    assert uow.month_row(TOWN, sept)["resolved"] == 1
    assert uow.store.cubes["department_day"][(WATER, dt.date(2026, 9, 14), "water", "normal")][
        "assignments_done"] == 1
    assert (NIL, dt.date(2026, 9, 14), "", "normal") not in uow.store.cubes["department_day"]


async def test_a_rating_in_the_next_month_is_a_late_event_of_the_old_month() -> None:
    uow, s = FakeUow(), TicketStory()
    _handled(s, china(2026, 11, 27))
    s.answered(china(2026, 11, 30))
    await uow.run(s.items)
    rated_at = china(2026, 12, 2)
    late = [s.rated(rated_at), s.closed(rated_at)]
    await uow.run(late)
    nov = dt.date(2026, 11, 1)
    row = uow.month_row(TOWN, nov)
    assert (row["rated"], row["satisfied"], row["late_events"]) == (1, 1, 1)
    assert uow.store.stamps[("unit_month", (TOWN, False, nov, "normal"))] == rated_at
    assert uow.month_row(TOWN, dt.date(2026, 12, 1)) == {}
    # the same month, or an event that changes no figure, is not late
    inside = TicketStory()
    _handled(inside, china(2026, 11, 2))
    await uow.run(inside.items)
    await uow.run([inside.answered(china(2026, 12, 3))])
    assert uow.month_row(TOWN, nov)["late_events"] == 1


async def test_out_of_order_batches_end_where_in_order_delivery_does() -> None:
    s = TicketStory()
    _handled(s, china(2026, 9, 14))
    s.rated(china(2026, 9, 16), pb.SATISFACTION_DISSATISFIED, solved=False)
    s.reopened(china(2026, 9, 16))
    s.resolved(china(2026, 9, 18), days=3.5)
    in_order = FakeUow()
    await in_order.run(s.items)
    shuffled = FakeUow()
    for batch in (s.items[5:], s.items[2:4], s.items[:2], s.items[4:5]):
        await shuffled.run(batch)
    assert shuffled.store.facts == in_order.store.facts
    assert without_late(shuffled.store.cubes) == without_late(in_order.store.cubes)
    assert without_late(shuffled.store.cubes) == shuffled.expected()


async def test_a_duplicate_event_changes_nothing() -> None:
    uow, s = FakeUow(), TicketStory()
    _handled(s, china(2026, 9, 14))
    await uow.run(s.items + s.items[:2])
    before = {c: dict(rows) for c, rows in uow.store.cubes.items()}
    assert await uow.run(s.items) == Projected(set(), 0)
    assert uow.store.cubes == before


async def test_explaining_and_merging_move_the_counters_between_classes() -> None:
    uow, s, dup = FakeUow(), TicketStory(), TicketStory()
    s.submitted(china(2026, 9, 14))
    dup.submitted(china(2026, 9, 14, 11))
    await uow.run(s.items + dup.items)
    sept = dt.date(2026, 9, 1)
    assert uow.month_row(TOWN, sept)["submitted"] == 2
    await uow.run([s.accepted(china(2026, 9, 14, 12)), dup.merged(china(2026, 9, 14, 12), s.id)])
    await uow.run([s.resolved(china(2026, 9, 15), outcome=pb.OUTCOME_EXPLAINED)])
    assert uow.month_row(TOWN, sept) == {"submitted": 0, "open": 0, "accept_judged": 0,
                                         "accepted_on_time": 0}
    assert uow.month_row(TOWN, sept, "merged") == {"submitted": 1}
    assert uow.month_row(TOWN, sept, "explained")["resolved"] == 1
    assert without_late(uow.store.cubes) == uow.expected()


async def test_overdue_alarms_are_kept_once_and_name_their_units() -> None:
    uow, s = FakeUow(), TicketStory()
    s.submitted(china(2026, 9, 14), accept_due=china(2026, 9, 15, 0))
    alarm = s.overdue(china(2026, 9, 15, 0), pb.CLOCK_ACCEPT, china(2026, 9, 15, 0))
    assert await uow.run(s.items) == Projected(set(PATH), 1)
    [kept] = uow.store.alarms.values()
    assert (kept.clock, kept.level, kept.org_path, kept.code) == ("accept", 1, PATH,
                                                                   f"T-{s.id.hex[:6]}")
    assert uow.month_row(TOWN, dt.date(2026, 9, 1))["overdue_open"] == 1
    assert await uow.run([alarm]) == Projected(set(), 0)


async def test_a_late_report_in_next_month_counts_at_the_whistle() -> None:
    uow, w = FakeUow(), WhistleStory()
    [task] = w.blown(china(2026, 9, 30, 22), TicketStory().id, [WATER])
    await uow.run(w.items)
    await uow.run([w.reported(china(2026, 10, 1, 9), task, late=True)])
    row = uow.month_row(TOWN, dt.date(2026, 9, 1), own=True)   # the blower is the town
    assert (row["whistle_tasks"], row["whistle_reported"], row.get("whistle_on_time", 0),
            row["late_events"]) == (1, 1, 0, 1)
    # completing the task changes no figure: nothing to announce, nothing late
    assert await uow.run([w.completed(china(2026, 10, 2), task)]) == Projected(set(), 0)
    assert uow.month_row(TOWN, dt.date(2026, 9, 1), own=True)["late_events"] == 1


async def test_people_events_go_to_the_people_read_models() -> None:
    uow = FakeUow()
    unit = people_pb2.OrgUnitCreated(org_unit_id=str(TOWN), name="联珠镇",
                                     kind=people_pb2.ORG_UNIT_KIND_TOWNSHIP,
                                     parent_id=str(COUNTY), path=[str(COUNTY), str(TOWN)])
    env = wrap(PendingEvent("org_unit", str(TOWN), 1, unit), SYSTEM)
    assert await uow.run([(env, unit)]) == Projected(set(), 0)
    assert [u.id for u in uow.people.units] == [TOWN]


async def test_stamps_and_late_events_do_not_depend_on_batching() -> None:
    s, w = TicketStory(), WhistleStory()
    _handled(s, china(2026, 11, 27))
    s.answered(china(2026, 11, 30))
    s.rated(china(2026, 12, 2), pb.SATISFACTION_DISSATISFIED, solved=False)
    s.reopened(china(2026, 12, 2))
    s.resolved(china(2026, 12, 9), days=8.0)
    s.answered(china(2026, 12, 10))
    [task] = w.blown(china(2026, 11, 30, 22), s.id, [WATER])
    w.reported(china(2026, 12, 1, 9), task)
    w.closed(china(2026, 12, 3), s.id)
    items = s.items + w.items
    whole, single = FakeUow(), FakeUow()
    await whole.run(items)
    for item in items:
        await single.run([item])
    assert whole.store.stamps == single.store.stamps
    assert nonzero(whole.store.cubes) == nonzero(single.store.cubes)
    nov = dt.date(2026, 11, 1)
    # the rating, the reopening and the new resolution (the answers change no figure)
    assert whole.month_row(TOWN, nov)["late_events"] == 3
    assert whole.month_row(TOWN, nov, own=True)["late_events"] == 1   # the report-in
