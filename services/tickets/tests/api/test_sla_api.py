"""SLA policies, the working-day calendar and supervision notices through the subgraph."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.scheduler import sweep
from lianxin.tickets.domain.sla import DEFAULT_POLICY
from lianxin.tickets.domain.ticket import Deadline, Kind, Ticket
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN, end_of, execute
from tickets_helpers import add_ticket as store

pytestmark = pytest.mark.integration
DUE = end_of(2026, 9, 30)

POLICY = """mutation($input: SetSlaPolicyInput!) { setSlaPolicy(input: $input) {
  __typename ... on SlaPolicy { id category handleDays isDefault }
  ... on InvalidInputError { field message } } }"""
DELETE = """mutation($id: ID!) { deleteSlaPolicy(id: $id) { __typename
  ... on DeletedSlaPolicy { id } ... on InvalidInputError { message } } }"""
NOTICES = """query($unit: ID!, $first: Int! = 20, $after: String, $open: Boolean! = true) {
  supervisionNotices(orgUnitId: $unit, first: $first, after: $after, openOnly: $open) {
    nodes { clock level status due supervisingUnit { id } ticket { id } }
    pageInfo { hasNextPage endCursor } } }"""


def code(result: Any) -> str:
    assert result.errors, result.data
    return str(result.errors[0].extensions["code"])


async def test_policies_are_read_set_upserted_and_deleted(
        seeded_engine: AsyncEngine, graphql_context: Any) -> None:
    sup = graphql_context(seeded_engine, role="supervisor", org_scope=(str(COUNTY),))
    listed = await execute(sup, "{ slaPolicies { id isDefault acceptDays handleDays feedbackDays } }")
    assert listed.data["slaPolicies"] == [{"id": str(DEFAULT_POLICY.id), "isDefault": True,
                                           "acceptDays": 1, "handleDays": 10, "feedbackDays": 3}]
    base = {"category": "water.supply", "acceptDays": 1, "handleDays": 5, "feedbackDays": 2}
    first = (await execute(sup, POLICY, input=base)).data["setSlaPolicy"]
    again = (await execute(sup, POLICY, input={**base, "handleDays": 6})).data["setSlaPolicy"]
    assert first["__typename"] == "SlaPolicy" and again["id"] == first["id"]
    assert (again["handleDays"], again["isDefault"]) == (6, False)
    default = (await execute(sup, POLICY, input={"acceptDays": 2, "handleDays": 10,
                                             "feedbackDays": 3})).data["setSlaPolicy"]
    assert (default["id"], default["isDefault"]) == (str(DEFAULT_POLICY.id), True)

    for bad, field in (({"handleDays": 0}, "handleDays"), ({"category": "weather"}, "category"),
                       ({"dueSoonHours": 1000}, "dueSoonHours")):
        error = (await execute(sup, POLICY, input={**base, **bad})).data["setSlaPolicy"]
        assert (error["__typename"], error["field"]) == ("InvalidInputError", field)

    refused = (await execute(sup, DELETE, id=str(DEFAULT_POLICY.id))).data["deleteSlaPolicy"]
    assert refused["__typename"] == "InvalidInputError" and "default" in refused["message"]
    assert (await execute(sup, DELETE, id=first["id"])).data["deleteSlaPolicy"] == {
        "__typename": "DeletedSlaPolicy", "id": first["id"]}
    gone = await execute(sup, DELETE, id=first["id"])
    assert gone.data["deleteSlaPolicy"]["__typename"] == "NotFoundError"

    cadre = graphql_context(seeded_engine, role="cadre", org_scope=(str(COUNTY),))
    assert code(await execute(cadre, POLICY, input=base)) == "FORBIDDEN"


async def test_calendar_days_years_and_admin_changes(
        seeded_engine: AsyncEngine, graphql_context: Any) -> None:
    cadre = graphql_context(seeded_engine, role="cadre", org_scope=(str(COUNTY),))
    days = await execute(cadre, """{ calendarDays(from: "2026-10-01", to: "2026-10-11") {
        day workday name source } }""")
    by_day = {d["day"]: d for d in days.data["calendarDays"]}
    assert len(by_day) == 11
    assert by_day["2026-10-10"]["workday"] is True   # the make-up Saturday (调休)
    assert by_day["2026-10-10"]["source"] == "chinese-calendar" and by_day["2026-10-10"]["name"]
    assert by_day["2026-10-01"]["workday"] is False
    assert code(await execute(cadre, '{ calendarDays(from: "2026-01-01", to: "2027-02-05") '
                                 "{ day } }")) == "BAD_USER_INPUT"
    years = (await execute(cadre, "{ calendarYears { year source packageKnows } }")).data
    assert {"year": 2026, "source": "chinese-calendar", "packageKnows": True} in years[
        "calendarYears"]

    set_day = """mutation($input: SetCalendarDayInput!) { setCalendarDay(input: $input) {
        __typename ... on CalendarChange { daysChanged day { day workday source } } } }"""
    day = {"day": "2026-10-09", "workday": False, "name": "防汛停工"}
    assert code(await execute(cadre, set_day, input=day)) == "FORBIDDEN"
    admin = graphql_context(seeded_engine, role="admin")
    changed = (await execute(admin, set_day, input=day)).data["setCalendarDay"]
    assert changed == {"__typename": "CalendarChange", "daysChanged": 1,
                       "day": {"day": "2026-10-09", "workday": False, "source": "admin"}}

    load = """mutation($y: Int!) { loadCalendarYear(year: $y) { __typename
        ... on CalendarChange { daysChanged } ... on InvalidInputError { field message } } }"""
    refused = (await execute(admin, load, y=2099)).data["loadCalendarYear"]
    assert refused["field"] == "year" and "setCalendarDay" in refused["message"]
    reload = (await execute(admin, load, y=2026)).data["loadCalendarYear"]
    assert reload == {"__typename": "CalendarChange", "daysChanged": 0}  # Oct 9 set by hand stays


async def add_ticket(uow: TicketsUnitOfWork, code: str, **changes: Any) -> Ticket:
    return await store(uow, code=code, submitted_at=DUE - dt.timedelta(days=2),
                       accept_due=Deadline(DUE), **changes)


async def test_supervision_notices_by_unit_scope_and_clearance(
        seeded_engine: AsyncEngine, graphql_context: Any,
        make_uow: Callable[..., TicketsUnitOfWork]) -> None:
    first = await add_ticket(make_uow(seeded_engine), "S-1")
    second = await add_ticket(make_uow(seeded_engine), "S-2")
    risky = await add_ticket(make_uow(seeded_engine), "S-3", kind=Kind.STABILITY_RISK)
    await sweep(lambda: make_uow(seeded_engine), lambda: DUE + dt.timedelta(hours=1))

    sup = graphql_context(seeded_engine, role="supervisor", org_scope=(str(TOWN),))
    page1 = (await execute(sup, NOTICES, unit=str(TOWN), first=2)).data["supervisionNotices"]
    assert page1["pageInfo"]["hasNextPage"] is True
    page2 = (await execute(sup, NOTICES, unit=str(TOWN), first=2,
                       after=page1["pageInfo"]["endCursor"])).data["supervisionNotices"]
    nodes = page1["nodes"] + page2["nodes"]
    assert sorted(n["ticket"]["id"] for n in nodes) == sorted(
        str(t.id) for t in (first, second, risky))   # supervisors are cleared
    assert {(n["clock"], n["level"], n["status"], n["supervisingUnit"]["id"]) for n in nodes} == {
        ("ACCEPT", 1, "OPEN", str(TOWN))}

    cadre = graphql_context(seeded_engine, role="cadre", org_scope=(str(TOWN),))
    seen = (await execute(cadre, NOTICES, unit=str(TOWN))).data["supervisionNotices"]["nodes"]
    assert sorted(n["ticket"]["id"] for n in seen) == sorted(str(t.id) for t in (first, second))
    assert (await execute(cadre, NOTICES, unit=str(COUNTY))).errors[0].extensions["code"] == "FORBIDDEN"
    elsewhere = graphql_context(seeded_engine, role="cadre", org_scope=(str(OTHER_TOWN),))
    assert code(await execute(elsewhere, NOTICES, unit=str(TOWN))) == "FORBIDDEN"
    assert code(await execute(sup, NOTICES, unit=str(uuid.UUID(int=404)))) == "NOT_FOUND"
    resident = graphql_context(seeded_engine, role="resident", subject="r-1")
    assert code(await execute(resident, NOTICES, unit=str(TOWN))) == "FORBIDDEN"
