"""Journey 2 — the cadre app (干部端), through the gateway.

Yesterday Li Jianguo, a village cadre, visited the Chen household, where there was no signal.
His app recorded the visit offline and the two demands raised on it — a broken street lamp and
a pension question — choosing every id itself. Today, back in signal, it syncs: the visit
first (the answer is lost on the way, so the app sends it again, and then once more after a
restart: still one visit), then the two demands, each naming the visit. The visit now shows
both demands, each resolved through the tickets service.

Triage (分拣): the village accepts both. The lamp it handles itself (本级办理) with a named
person and a deadline. The pension question is beyond it: it escalates (上报) to the township,
whose cadre dispatches (派单) it to the county's human-resources and social-security bureau,
with a responsible person, a task, a completion standard and a deadline in working days."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from gql.transport.exceptions import TransportConnectionFailed
from journeys import operations as op
from journeys.flaky import LossyLink
from journeys.frontends import App, answer
from journeys.places import (
    china_today,
    create_area,
    register_cadre,
    register_household,
    wait_until_tickets_knows,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def area(admin: App) -> dict[str, str]:
    ids = create_area(admin, [("county", None, "干部端县", "COUNTY"),
                              ("town", "county", "干部端镇", "TOWNSHIP"),
                              ("village", "town", "干部端村", "VILLAGE"),
                              ("bureau", "county", "干部端县人社局", "DEPARTMENT")])
    ids["household"], _ = register_household(admin, ids["village"], "GB-007", "陈国栋", "13812340007")
    ids["subject"] = f"cadre-{uuid.uuid4()}"
    ids["cadre"] = register_cadre(admin, ids["village"], "李建国", ids["subject"])
    wait_until_tickets_knows(admin, ids["county"], ids["town"], ids["village"], ids["bureau"])
    return ids


@pytest.fixture
def link(stack: Any) -> Iterator[LossyLink]:
    with LossyLink(stack.gateway_url) as lossy:
        yield lossy


def test_a_cadre_syncs_an_offline_visit_records_two_demands_triages_and_dispatches(
        stack: Any, area: dict[str, str], link: LossyLink) -> None:
    app = App(link.url, stack.token("cadre", [area["village"]], area["subject"]))
    town_app = App(stack.gateway_url, stack.token("cadre", [area["town"]], f"town-{uuid.uuid4()}"))

    # 1. Offline, yesterday: the app keeps the visit and its two demands, with ids of its own.
    yesterday = (china_today() - dt.timedelta(days=1)).isoformat()
    visit_id, lamp_id, pension_id = (str(uuid.uuid4()) for _ in range(3))
    visit = {"id": visit_id, "kind": "HOME_VISIT", "cadreId": area["cadre"], "visitedOn": yesterday,
             "householdIds": [area["household"]], "notes": "陈家反映路灯坏了、养老金没到账",
             "ticketIds": [lamp_id, pension_id]}
    demands = [
        {"id": lamp_id, "orgUnitId": area["village"], "channel": "HOME_VISIT",
         "category": "road.light", "text": "陈家门口的路灯坏了一个月", "visitId": visit_id,
         "contact": {"householdId": area["household"], "name": "陈国栋"}},
        {"id": pension_id, "orgUnitId": area["village"], "channel": "HOME_VISIT",
         "category": "social_security.pension", "text": "老人的养老金这个月没到账", "visitId": visit_id,
         "contact": {"householdId": area["household"], "name": "陈国栋"}},
    ]

    # 2. Today it syncs the visit; the answer is lost, so it sends the same visit again.
    link.lose_next_answers(1)
    with pytest.raises(TransportConnectionFailed):
        app.run(op.LOG_VISIT, input=visit)
    synced = answer(app.run(op.LOG_VISIT, input=visit), "Visit")
    assert (synced["id"], synced["visitedOn"], synced["ticketIds"]) == (visit_id, yesterday,
                                                                        [lamp_id, pension_id])
    # An app restarted before it stored the answer sends it once more: nothing changes.
    assert answer(app.run(op.LOG_VISIT, input=visit), "Visit") == synced
    visits = app.run(op.MY_VISITS, cadre=area["cadre"])["cadre"]["visits"]["nodes"]
    assert [v["id"] for v in visits] == [visit_id]

    # 3. Then the two demands raised on the visit.
    for demand in demands:
        recorded = answer(app.run(op.RECORD_DEMAND, input=demand))
        assert (recorded["id"], recorded["status"]) == (demand["id"], "RECEIVED")
    shown = app.run(op.VISIT_WITH_DEMANDS, id=visit_id)["visit"]
    assert sorted(t["id"] for t in shown["tickets"]) == sorted([lamp_id, pension_id])
    assert {t["channel"] for t in shown["tickets"]} == {"HOME_VISIT"}

    # 4. Triage: accept both; the lamp is handled here, by a named person within 5 working days.
    for ticket_id in (lamp_id, pension_id):
        assert answer(app.run(op.ACCEPT, input={"ticketId": ticket_id}))["status"] == "ACCEPTED"
    here = answer(app.run(op.HANDLE_HERE, input={
        "ticketId": lamp_id, "responsibleName": "村电工 周师傅", "task": "更换路灯灯头",
        "dueWorkingDays": 5}))
    assert here["status"] == "ASSIGNED"
    [local] = here["assignments"]
    assert (local["role"], local["responsibleName"], local["department"]["id"]) == (
        "LOCAL", "村电工 周师傅", area["village"])

    # 5. The pension question goes up to the township…
    up = answer(app.run(op.ESCALATE, input={"ticketId": pension_id,
                                            "reason": "养老金发放归县人社局，村里无权处理"}))
    assert up["handlingUnit"]["id"] == area["town"]

    # 6. …whose cadre dispatches it to the bureau: responsible person, task, standard, deadline.
    dispatched = answer(town_app.run(op.DISPATCH, input={"ticketId": pension_id, "lead": {
        "departmentId": area["bureau"], "responsibleName": "人社局 养老保险股 刘科长",
        "task": "核查养老金未到账原因并补发", "standard": "补发到账并电话告知",
        "dueWorkingDays": 10}}))
    assert dispatched["status"] == "ASSIGNED"
    [lead] = dispatched["assignments"]
    assert (lead["role"], lead["status"], lead["department"]["id"], lead["responsibleName"]) == (
        "LEAD", "OPEN", area["bureau"], "人社局 养老保险股 刘科长")
    assert lead["due"] == dispatched["handleDue"]["at"]
    assert dt.datetime.fromisoformat(lead["due"]) > dt.datetime.now(dt.UTC) + dt.timedelta(days=10)

    # The village cadre still follows both from the visit.
    statuses = {t["id"]: (t["status"], t["handlingUnit"]["id"])
                for t in app.run(op.VISIT_WITH_DEMANDS, id=visit_id)["visit"]["tickets"]}
    assert statuses == {lamp_id: ("ASSIGNED", area["village"]),
                        pension_id: ("ASSIGNED", area["town"])}
