"""`apply_people_events` writes runs of one kind of row at once, in event order: a run ends at
another kind of write, not at an event without a read model; single events go one by one."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from lianxin.assessment.app.people_projection import apply_people_events
from lianxin.events.v1 import people_pb2 as pb
from lianxin.kit.auth import SYSTEM
from lianxin.kit.envelope import PendingEvent, wrap


class FakePeople:
    """Records every write as (method, ids) in call order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[uuid.UUID]]] = []

    async def put_org_unit(self, unit: Any) -> None:
        self.calls.append(("org_unit", [unit.id]))

    async def put_households(self, rows: Sequence[tuple[Any, dt.datetime]]) -> None:
        self.calls.append(("households", [h.id for h, _ in rows]))

    async def put_cadres(self, rows: Sequence[Any]) -> None:
        self.calls.append(("cadres", [c.id for c in rows]))

    async def put_visits(self, rows: Sequence[Any]) -> None:
        self.calls.append(("visits", [v.id for v in rows]))


class FakeUow:
    def __init__(self) -> None:
        self.people: Any = FakePeople()


def uid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def item(msg: Any) -> tuple[Any, Any]:
    return wrap(PendingEvent("people", "x", 1, msg), SYSTEM,
                occurred_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)), msg


def household(n: int, changed: bool = False) -> tuple[Any, Any]:
    cls = pb.HouseholdChanged if changed else pb.HouseholdRegistered
    return item(cls(household_id=str(uid(n)), org_unit_id=str(uid(1)), org_path=[str(uid(1))]))


def cadre(n: int) -> tuple[Any, Any]:
    return item(pb.CadreRegistered(cadre_id=str(uid(n)), org_path=[str(uid(1))]))


async def test_runs_of_one_kind_are_written_at_once_in_event_order() -> None:
    uow = FakeUow()
    resident = item(pb.ResidentRegistered(resident_id=str(uid(50)), household_id=str(uid(10))))
    unit = item(pb.OrgUnitCreated(org_unit_id=str(uid(2)), parent_id=str(uid(1)), name="村",
                                  path=[str(uid(1)), str(uid(2))]))
    visit = item(pb.VisitLogged(visit_id=str(uid(70)), cadre_id=str(uid(30)),
                                visited_on="2026-03-02"))
    await apply_people_events(uow, [
        household(10), household(11, changed=True), resident, household(10, changed=True),
        cadre(30), cadre(31), unit, household(12), visit])
    assert uow.people.calls == [
        ("households", [uid(10), uid(11), uid(10)]),   # the resident did not end the run
        ("cadres", [uid(30), uid(31)]),
        ("org_unit", [uid(2)]),
        ("households", [uid(12)]),
        ("visits", [uid(70)]),
    ]


async def test_no_write_without_events_with_a_read_model() -> None:
    uow = FakeUow()
    await apply_people_events(uow, [])
    await apply_people_events(uow, [item(pb.NeedsTagAdded(tag_id=str(uid(5))))])
    assert uow.people.calls == []
