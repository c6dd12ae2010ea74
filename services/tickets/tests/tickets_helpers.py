"""What the tickets tests share: the seeded county's org units, China wall-clock times, a clock
the test moves by hand, a Ticket (and an Assignment) with plausible defaults, storing them as
they stand, reading the outbox, and running GraphQL against the subgraph's schema.
tests/conftest.py puts this folder on sys.path, so every test module imports it as
`tickets_helpers`.

    county 1 ─┬─ township 2 (联珠镇) ── village 4 (玉溪村) ── grid 5
              ├─ township 3 (通关镇)
              ├─ department 10 (水务局)   department 11 (住建局)   department 12 (交通运输局)
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from lianxin.events.v1 import envelope_pb2
from lianxin.kit.ids import uuid7
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.api.schema import build_schema
from lianxin.tickets.domain.assignment import Assignment, Role
from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import (
    Channel,
    Deadline,
    Kind,
    Ledger,
    OrgUnitRef,
    Status,
    Ticket,
    Urgency,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import ExecutionResult


def unit(i: int) -> uuid.UUID:
    return uuid.UUID(int=i)


COUNTY, TOWN, OTHER_TOWN, VILLAGE, GRID = (unit(i) for i in (1, 2, 3, 4, 5))
WATER, HOUSING, TRANSPORT = unit(10), unit(11), unit(12)
UNITS = [
    OrgUnitRef(COUNTY, None, "墨江县", "county", (COUNTY,)),
    OrgUnitRef(TOWN, COUNTY, "联珠镇", "township", (COUNTY, TOWN)),
    OrgUnitRef(OTHER_TOWN, COUNTY, "通关镇", "township", (COUNTY, OTHER_TOWN)),
    OrgUnitRef(VILLAGE, TOWN, "玉溪村", "village", (COUNTY, TOWN, VILLAGE)),
    OrgUnitRef(GRID, VILLAGE, "玉溪村第一网格", "grid", (COUNTY, TOWN, VILLAGE, GRID)),
    OrgUnitRef(WATER, COUNTY, "县水务局", "department", (COUNTY, WATER)),
    OrgUnitRef(HOUSING, COUNTY, "县住建局", "department", (COUNTY, HOUSING)),
    OrgUnitRef(TRANSPORT, COUNTY, "县交通运输局", "department", (COUNTY, TRANSPORT)),
]
PATH = {u.id: u.path for u in UNITS}

Uow = Callable[[], TicketsUnitOfWork]


def china(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
          second: int = 0) -> dt.datetime:
    """That wall-clock time in China, in UTC (as the services store times)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=CHINA).astimezone(dt.UTC)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    """24:00 China time of that day, in UTC (as working-day deadlines are stored)."""
    return china(year, month, day) + dt.timedelta(days=1)


class FakeClock:
    """A clock the test moves by hand: set `now`, or `at(...)` a wall-clock time in China."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> FakeClock:
        self.now = china(year, month, day, hour, minute)
        return self


# Monday 14 September 2026, 09:00 in China: a working week with no holiday near it.
SUBMITTED_AT = china(2026, 9, 14, 9)
_codes = itertools.count(1)


def ticket(**overrides: Any) -> Ticket:
    """A ticket as it stands, no workflow behind it: by default a routine water demand recorded
    on a home visit to 玉溪村 (VILLAGE) and held there; `overrides` set any field. The org and
    handling paths follow `org_unit_id` and `handling_unit_id` (the handling unit follows a
    given `handling_path`) unless given."""
    place = overrides.get("org_unit_id", VILLAGE)
    handling = overrides.get("handling_unit_id", (overrides.get("handling_path") or [place])[-1])
    values: dict[str, Any] = {
        "id": uuid7(), "code": f"T-{next(_codes)}", "org_unit_id": place,
        "channel": Channel.HOME_VISIT, "kind": Kind.DEMAND, "category": "water",
        "ledger": Ledger.LIVELIHOOD, "urgency": Urgency.ROUTINE, "text": "村里自来水停了三天",
        "submitted_by": "cadre-1", "submitted_at": SUBMITTED_AT, "handling_unit_id": handling,
        **overrides}
    if "org_path" not in values:
        values["org_path"] = PATH[place]
    if "handling_path" not in values:
        values["handling_path"] = PATH[handling]
    return Ticket(**values)


def assignment(t: Ticket, **overrides: Any) -> Assignment:
    """An assignment of `t`: by default the town's dispatch to 县水务局 (WATER) as the lead,
    made when it was submitted and due ten days later; `overrides` set any field (the
    department's path follows `department_id` unless given)."""
    department = overrides.get("department_id", WATER)
    values: dict[str, Any] = {
        "id": uuid7(), "ticket_id": t.id, "department_id": department, "role": Role.LEAD,
        "responsible_name": "李四", "task": "抢修供水管网",
        "due": Deadline(t.submitted_at + dt.timedelta(days=10)), "assigned_at": t.submitted_at,
        "assigned_by": "town-cadre", **overrides}
    if "department_path" not in values:
        values["department_path"] = PATH[department]
    return Assignment(**values)


async def add_tickets(uow: TicketsUnitOfWork, *tickets: Ticket, submitted: bool = False,
                      details: Mapping[str, Any] | None = None) -> None:
    """Store tickets as they stand in one transaction of a fresh unit of work; `submitted` adds
    the SUBMIT line intake writes (version 1, by whoever submitted it, with `details`)."""
    async with uow:
        for t in tickets:
            assert await uow.tickets.add(t)
            if submitted:
                await uow.history.add(HistoryEntry(
                    id=uuid7(), ticket_id=t.id, version=1, at=t.submitted_at,
                    actor=t.submitted_by, actor_role="resident", action=Action.SUBMIT,
                    from_status=None, to_status=Status.RECEIVED, note="recorded",
                    details=dict(details or {})))
        await uow.commit()


async def add_ticket(uow: TicketsUnitOfWork, **overrides: Any) -> Ticket:
    """`ticket(**overrides)`, stored."""
    t = ticket(**overrides)
    await add_tickets(uow, t)
    return t


async def add_assignments(uow: TicketsUnitOfWork, *assignments: Assignment) -> None:
    """Store assignments (of stored tickets) in one transaction of a fresh unit of work."""
    async with uow:
        for a in assignments:
            await uow.assignments.add(a)
        await uow.commit()


async def outbox(engine: AsyncEngine, t: Ticket | None = None) -> list[envelope_pb2.Envelope]:
    """The envelopes in the outbox, oldest first; only those of `t` when given."""
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT envelope FROM outbox ORDER BY id"))
        envelopes = [envelope_pb2.Envelope.FromString(r.envelope) for r in rows]
    return [e for e in envelopes if t is None or e.aggregate_id == str(t.id)]


SCHEMA = build_schema()


async def execute(ctx: Any, query: str, **variables: Any) -> ExecutionResult:
    """A GraphQL operation against the tickets subgraph, as `ctx`'s caller."""
    return await SCHEMA.execute(query, variable_values=variables, context_value=ctx)


async def single(ctx: Any, query: str, **variables: Any) -> Any:
    """The value of the one field an operation asks for; any top-level error fails the test."""
    result = await execute(ctx, query, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    [value] = result.data.values()
    return value


def codes(result: ExecutionResult) -> list[str]:
    """The `code` extensions of a result's errors, in order."""
    return [e.extensions["code"] for e in result.errors or []]
