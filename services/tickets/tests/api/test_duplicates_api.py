"""Duplicate suggestions, hot spots and repeat requesters through GraphQL against a real
database: limited by area, category, time, state and scope; spikes across weeks; requesters
without personal data."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import tickets_helpers as helpers
from lianxin.tickets.app.common import utcnow
from lianxin.tickets.domain.hotspots import week_start, week_start_at
from lianxin.tickets.domain.ticket import (
    Contact,
    Kind,
    Ledger,
    OrgUnitRef,
    Status,
    Ticket,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, GRID, OTHER_TOWN, TOWN, VILLAGE, codes

pytestmark = pytest.mark.integration
NEAR_VILLAGE, FAR_VILLAGE = uuid.UUID(int=6), uuid.UUID(int=7)   # added below
PATH = {**helpers.PATH, NEAR_VILLAGE: (COUNTY, TOWN, NEAR_VILLAGE),
        FAR_VILLAGE: (COUNTY, OTHER_TOWN, FAR_VILLAGE)}
NOW = utcnow()   # the API reads the real clock
PHONE = "13800000001"


def ticket(n: int, place: uuid.UUID = VILLAGE, text: str = "村里停水三天了",
           age: dt.timedelta = dt.timedelta(days=2), **changes: Any) -> Ticket:
    """resident-n's ticket D-n at `place`, submitted `age` ago."""
    return helpers.ticket(**{
        "id": uuid.UUID(int=5000 + n), "code": f"D-{n}", "org_unit_id": place,
        "org_path": PATH[place], "handling_path": PATH[place], "category": "water.supply",
        "text": text, "submitted_by": f"resident-{n}", "submitted_at": NOW - age, **changes})


@pytest.fixture
def store(seeded_engine: AsyncEngine, make_uow: Callable[..., Any]) -> Callable[..., Any]:
    """Store tickets, with two more villages in the read model: 新河村 (in the town) and 坝卡村
    (in the other township)."""
    async def run(*tickets: Ticket) -> None:
        uow = make_uow(seeded_engine)
        async with uow:
            await uow.org_units.upsert(OrgUnitRef(NEAR_VILLAGE, TOWN, "新河村", "village",
                                                  PATH[NEAR_VILLAGE]))
            await uow.org_units.upsert(OrgUnitRef(FAR_VILLAGE, OTHER_TOWN, "坝卡村", "village",
                                                  PATH[FAR_VILLAGE]))
            await uow.commit()
        await helpers.add_tickets(make_uow(seeded_engine), *tickets)
    return run


SIMILAR = """query($text: String!, $unit: ID!, $category: String!, $first: Int! = 5) {
  similarTickets(text: $text, orgUnitId: $unit, category: $category, first: $first) {
    score ticket { code } } }"""


async def similar(ask: Any, unit: uuid.UUID = VILLAGE, text: str = "村里自来水停了三天",
                  category: str = "water.supply", **who: Any) -> list[str]:
    result = await ask(SIMILAR, text=text, unit=str(unit), category=category, **who)
    assert result.errors is None, result.errors
    found = result.data["similarTickets"]
    assert [s["score"] for s in found] == sorted((s["score"] for s in found), reverse=True)
    assert all(0.5 <= s["score"] <= 1 for s in found)
    return [s["ticket"]["code"] for s in found]


async def test_similar_tickets_are_limited_by_area_category_time_state_and_scope(
        store: Any, ask: Any) -> None:
    day = dt.timedelta(days=1)
    await store(
        ticket(1, GRID, "我们村停水三天了"),                          # in the village (its grid)
        ticket(2, text="停水三天了，没水吃", status=Status.ACCEPTED, age=5 * day),
        ticket(3, text="村里停水三天了", category="power.outage"),    # another category
        ticket(4, NEAR_VILLAGE),                                      # another village
        ticket(5, age=100 * day),                                     # too old
        ticket(6, status=Status.CLOSED),
        ticket(7, status=Status.RESOLVED, resolved_at=NOW - 10 * day),
        ticket(8, status=Status.RESOLVED, resolved_at=NOW - 40 * day),
        ticket(9, text="水费收得太贵了"),                              # another problem
        ticket(10, kind=Kind.STABILITY_RISK),                         # 涉稳: cleared only
        ticket(11, text="村里自来水停了三天", category="water.quality", status=Status.MERGED),
    )
    everything = await similar(ask, role="admin", scope=())
    assert sorted(everything) == ["D-1", "D-10", "D-2", "D-7"]
    assert sorted(await similar(ask)) == ["D-1", "D-2", "D-7"]                  # town cadre
    assert await similar(ask, scope=(OTHER_TOWN,)) == []
    assert await similar(ask, role="resident", subject="resident-2", scope=()) == ["D-2"]
    assert sorted(await similar(ask, unit=GRID)) == ["D-1", "D-2", "D-7"]        # grid → village
    assert sorted(await similar(ask, unit=TOWN)) == ["D-1", "D-2", "D-4", "D-7"]  # township
    assert await similar(ask, category="power") == ["D-3"]
    assert await similar(ask, text="路灯不亮，晚上很黑") == []
    one = await ask(SIMILAR, text="村里自来水停了三天", unit=str(VILLAGE),
                    category="water", first=1)
    assert len(one.data["similarTickets"]) == 1


@pytest.mark.parametrize(("variables", "code"), [
    ({"category": "weather"}, "BAD_USER_INPUT"),
    ({"unit": str(uuid.UUID(int=404))}, "UNKNOWN_ORG_UNIT"),
    ({"unit": "4"}, "BAD_USER_INPUT"),
    ({"first": 0}, "BAD_USER_INPUT"),
    ({"first": 21}, "BAD_USER_INPUT"),
    ({"text": "  "}, "BAD_USER_INPUT"),
])
async def test_similar_tickets_reject_bad_input(ask: Any, variables: dict[str, Any],
                                                code: str) -> None:
    values = {"text": "村里停水了", "unit": str(VILLAGE), "category": "water", **variables}
    assert codes(await ask(SIMILAR, **values)) == [code]


HOT = """query($unit: ID!, $weeks: Int! = 8, $category: String) {
  hotSpots(orgUnitId: $unit, weeks: $weeks, category: $category) {
    category place { id } week weekStart count spike } }"""


def in_week(weeks_ago: int, hour: int) -> dt.timedelta:
    """The age of a ticket submitted `hour` hours into the week `weeks_ago` weeks back."""
    start = week_start_at(week_start(NOW) - dt.timedelta(weeks=weeks_ago))
    return NOW - (start + dt.timedelta(hours=hour))


async def test_hot_spots_count_by_category_place_and_week_and_flag_spikes(
        store: Any, ask: Any) -> None:
    tickets = [ticket(20 + i, age=in_week(1, 10 + i)) for i in range(3)]       # 3 after nothing
    tickets.append(ticket(23, age=in_week(1, 20), ledger=Ledger.STABILITY_RISK))
    tickets += [ticket(30 + 10 * w + i, FAR_VILLAGE, "路坏了", category="road.village",
                       age=in_week(w, 5 + i)) for w in range(2, 6) for i in range(2)]  # 2 a week
    tickets += [ticket(90 + i, FAR_VILLAGE, "路坏了", category="road",
                       age=in_week(1, 5 + i)) for i in range(3)]                 # then 3
    tickets.append(ticket(99, age=in_week(20, 1)))                               # long ago
    await store(*tickets)
    last = week_start(NOW) - dt.timedelta(weeks=1)
    label = f"{last.isocalendar()[0]}-W{last.isocalendar()[1]:02d}"

    result = await ask(HOT, unit=str(COUNTY), weeks=2, scope=(COUNTY,))
    assert result.errors is None, result.errors
    assert result.data["hotSpots"] == [
        {"category": "road", "place": {"id": str(OTHER_TOWN)}, "week": label,
         "weekStart": last.isoformat(), "count": 3, "spike": False},      # 3 < 2 × 2
        {"category": "water", "place": {"id": str(TOWN)}, "week": label,
         "weekStart": last.isoformat(), "count": 3, "spike": True}]
    cleared = await ask(HOT, unit=str(COUNTY), weeks=2, role="supervisor", scope=(COUNTY,))
    assert cleared.data["hotSpots"][0]["count"] == 4                       # the 涉稳 one too
    wide = await ask(HOT, unit=str(COUNTY), weeks=6, scope=(COUNTY,), category="road")
    assert {(h["week"], h["count"]) for h in wide.data["hotSpots"]} >= {(label, 3)}
    assert len(wide.data["hotSpots"]) == 5 and {h["category"] for h in wide.data["hotSpots"]} == {
        "road"}
    town = await ask(HOT, unit=str(TOWN), weeks=2)
    assert [(h["place"]["id"], h["count"]) for h in town.data["hotSpots"]] == [(str(VILLAGE), 3)]
    screen = await ask(HOT, unit=str(TOWN), role="screen")
    assert screen.errors is None


@pytest.mark.parametrize(("who", "variables", "code"), [
    ({"scope": (OTHER_TOWN,)}, {}, "FORBIDDEN"),
    ({"role": "resident", "scope": ()}, {}, "FORBIDDEN"),
    ({}, {"weeks": 0}, "BAD_USER_INPUT"),
    ({}, {"weeks": 53}, "BAD_USER_INPUT"),
    ({}, {"category": "weather"}, "BAD_USER_INPUT"),
    ({}, {"unit": str(uuid.UUID(int=404))}, "UNKNOWN_ORG_UNIT"),
])
async def test_hot_spots_are_scope_checked(ask: Any, who: dict[str, Any],
                                           variables: dict[str, Any], code: str) -> None:
    assert codes(await ask(HOT, **{"unit": str(TOWN), **variables}, **who)) == [code]


REPEAT = """query($unit: ID!, $since: DateTime!, $min: Int! = 3) {
  repeatRequesters(orgUnitId: $unit, since: $since, minTickets: $min) {
    requesterKey ticketCount lastTicketAt tickets { code } } }"""


async def test_repeat_requesters_group_by_requester_without_personal_data(
        store: Any, ask: Any) -> None:
    resident, day = uuid.UUID(int=777), dt.timedelta(days=1)
    phone = Contact(name="张三", phone=PHONE, address="玉溪村3组")
    await store(
        *(ticket(40 + i, age=(i + 1) * day, contact=phone) for i in range(3)),
        ticket(43, contact=phone, anonymous=True),                   # anonymous: never counted
        ticket(44, age=60 * day, contact=phone),                     # before `since`
        ticket(45, FAR_VILLAGE, contact=phone),                      # outside the unit
        *(ticket(50 + i, contact=Contact(resident_id=resident)) for i in range(2)),
        ticket(52, contact=Contact(resident_id=resident), kind=Kind.STABILITY_RISK),
        *(ticket(60 + i, contact=Contact(phone="13900000002")) for i in range(2)))
    since = (NOW - 30 * day).isoformat()
    result = await ask(REPEAT, unit=str(TOWN), since=since)
    assert result.errors is None, result.errors
    [group] = result.data["repeatRequesters"]
    assert group["ticketCount"] == 3 and [t["code"] for t in group["tickets"]] == [
        "D-40", "D-41", "D-42"]
    assert len(group["requesterKey"]) == 16
    text = json.dumps(result.data, ensure_ascii=False)
    assert PHONE not in text and "张三" not in text and str(resident) not in text

    cleared = await ask(REPEAT, unit=str(TOWN), since=since, role="supervisor")
    groups = cleared.data["repeatRequesters"]
    assert [g["ticketCount"] for g in groups] == [3, 3]
    assert group["requesterKey"] in {g["requesterKey"] for g in groups}     # stable
    two = await ask(REPEAT, unit=str(TOWN), since=since, min=2)
    assert sorted(g["ticketCount"] for g in two.data["repeatRequesters"]) == [2, 2, 3]


@pytest.mark.parametrize(("who", "variables", "code"), [
    ({"scope": (OTHER_TOWN,)}, {}, "FORBIDDEN"),
    ({"role": "analyst", "scope": (COUNTY,)}, {}, "FORBIDDEN"),       # staff only
    ({"role": "resident", "scope": ()}, {}, "FORBIDDEN"),
    ({}, {"min": 1}, "BAD_USER_INPUT"),
])
async def test_repeat_requesters_are_for_staff_in_scope(ask: Any, who: dict[str, Any],
                                                        variables: dict[str, Any],
                                                        code: str) -> None:
    values = {"unit": str(TOWN), "since": NOW.isoformat(), **variables}
    assert codes(await ask(REPEAT, **values, **who)) == [code]
