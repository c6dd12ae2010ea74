"""Journey 3 — the screen wall (大屏) of a county's command centre, through the gateway.

The wall logs in with a screen token scoped to its county and subscribes to the county's
dashboard over graphql-transport-ws. The first message is the figures as they stand; each
later one arrives when they change. It watches, without asking again:

a. the counters move when a demand is recorded in West township;
b. an overdue alarm arrives when that demand passes its acceptance deadline unaccepted (in
   this test stack the tickets service's clock is moved past the deadline and the SLA sweep
   run — then the clock is put back: other tests share the stack);
c. the ranking of the townships (赛马) changes: West, ranked alone on its late response, drops
   to second when East resolves a demand on the spot and the resident is satisfied."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from journeys import operations as op
from journeys.frontends import App, Wall, answer
from journeys.places import create_area, wait_until_assessment_knows, wait_until_tickets_knows

pytestmark = pytest.mark.e2e

SCREEN_WALL = """subscription ScreenWall($unit: ID!) {
  dashboard(orgUnitId: $unit) {
    today submittedToday resolvedToday open overdueOpen
    responseRate { value numerator denominator }
    satisfactionRate { value numerator denominator }
    alarms { ticketId code clock level due at }
    ranking { orgUnitId name score rank rankChange }
    updatedAt
  }
}"""


@pytest.fixture(scope="module")
def county(admin: App) -> dict[str, str]:
    ids = create_area(admin, [("county", None, "大屏县", "COUNTY"),
                              ("east", "county", "东镇", "TOWNSHIP"),
                              ("east_village", "east", "东村", "VILLAGE"),
                              ("west", "county", "西镇", "TOWNSHIP"),
                              ("west_village", "west", "西村", "VILLAGE")])
    wait_until_tickets_knows(admin, *ids.values())
    wait_until_assessment_knows(admin, ids["county"])
    return ids


@contextlib.contextmanager
def service_clock(admin: App, at: str) -> Iterator[None]:
    """The tickets service's clock at `at` (dev and test stacks only), then real time again."""
    admin.run(op.SET_SERVICE_CLOCK, at=at)
    try:
        yield
    finally:
        admin.run(op.SET_SERVICE_CLOCK, at=dt.datetime.now(dt.UTC).isoformat())


def ranks(dashboard: dict[str, Any]) -> dict[str, int | None]:
    return {entry["orgUnitId"]: entry["rank"] for entry in dashboard["ranking"]}


def test_the_wall_sees_counters_an_overdue_alarm_and_a_ranking_change_arrive(
        stack: Any, admin: App, county: dict[str, str]) -> None:
    staff = App(stack.gateway_url, stack.token("cadre", [county["county"]], f"cc-{uuid.uuid4()}"))
    east, west = county["east"], county["west"]

    with Wall(stack.gateway_url, stack.token("screen", [county["county"]], "screen-wall-1"),
              SCREEN_WALL, "dashboard", unit=county["county"]) as wall:
        # The figures as they stand: nothing yet.
        start = wall.latest
        assert (start["submittedToday"], start["open"], start["alarms"]) == (0, 0, [])
        assert all(rank is None for rank in ranks(start).values())

        # a. A demand is recorded in West township: the counters move.
        lamp = answer(staff.run(op.RECORD_DEMAND, input={
            "id": str(uuid.uuid4()), "orgUnitId": county["west_village"], "channel": "HOTLINE",
            "category": "road.light", "text": "西村村口路灯不亮"}))
        counted = wall.until(lambda d: d["submittedToday"] == 1 and d["open"] == 1,
                             "the new demand counted")
        assert counted["alarms"] == []

        # b. Nobody accepts it in time: past its acceptance deadline the SLA sweep raises an
        #    alarm, and the wall shows it.
        deadline = dt.datetime.fromisoformat(lamp["acceptDue"]["at"])
        with service_clock(admin, (deadline + dt.timedelta(minutes=1)).isoformat()):
            assert admin.run(op.RUN_SLA_SWEEP)["runSlaSweep"]["overdue"] >= 1
        alarmed = wall.until(lambda d: any(a["ticketId"] == lamp["id"] for a in d["alarms"]),
                             "the overdue alarm")
        [alarm] = [a for a in alarmed["alarms"] if a["ticketId"] == lamp["id"]]
        assert (alarm["code"], alarm["level"]) == (lamp["code"], 1)
        assert dt.datetime.fromisoformat(alarm["due"]) == deadline

        # West's response rate is now judged (0 of 1 on time): ranked, alone, first.
        wall.until(lambda d: ranks(d).get(west) == 1 and ranks(d).get(east) is None,
                   "West ranked first on its only rate")

        # c. East resolves a demand on the spot, answers it, and the resident is satisfied on
        #    the return visit: East takes first place, West drops to second.
        leak = answer(staff.run(op.RECORD_DEMAND, input={
            "id": str(uuid.uuid4()), "orgUnitId": county["east_village"], "channel": "WALK_IN",
            "category": "water.supply", "text": "东村水管接口漏水"}))
        answer(staff.run(op.RESOLVE_ON_THE_SPOT, input={"ticketId": leak["id"],
                                                        "report": "当场紧固接口"}))
        answer(staff.run(op.ANSWER, input={"ticketId": leak["id"], "reply": "已当场修好",
                                           "channel": "WALK_IN"}))
        answer(staff.run(op.RETURN_VISIT, input={
            "ticketId": leak["id"], "solved": True, "satisfaction": "SATISFIED",
            "channel": "HOTLINE", "note": "电话回访，群众满意"}))
        # (One dashboard may show part of a change and the next the rest: wait for all of it.)
        changed = wall.until(lambda d: ranks(d).get(east) == 1 and ranks(d).get(west) == 2
                             and (d["submittedToday"], d["resolvedToday"]) == (2, 1),
                             "East first, West second, East's demand resolved")
        scores = {e["orgUnitId"]: e["score"] for e in changed["ranking"]}
        assert scores[east] > scores[west]

    # Every message was a whole dashboard, in order; the wall never had to ask.
    assert len(wall.seen) >= 4
