"""Issue 4's acceptance, through the gateway as the cadre app, the mini-program and the
command centre would call it — the seeds' flow of one demand:

a village cadre records a villager's demand on a home visit; the village branch cannot solve it
and escalates; the township dispatches it to the water bureau with a 10-working-day plan
deadline that skips National Day and counts the make-up Saturday; it goes overdue (the service
clock is moved forward) and a supervision notice appears once; a whistle summons two
departments who report in, one late; the resolution is answered, the resident rates it
dissatisfied, it reopens, is solved, rated satisfied and closed. A duplicate submitted in other
words is suggested and merged, and both submitters see the answer. Every step is in the history.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import websockets

pytestmark = pytest.mark.e2e
CST = dt.timezone(dt.timedelta(hours=8))
ROOT = uuid.uuid4()
IDS = {name: str(uuid.uuid5(ROOT, name)) for name in (
    "county", "town", "village", "water", "housing", "t1", "t2", "r1", "r2", "visit")}
FIELDS = """id code status reopenCount handleDue { at provisional overdue } answer
  history { action } supervisionNotices { level clock status }
  whistles { id status tasks { department { id } late lateSeconds status } }"""
TICKET = f"... on Ticket {{ {FIELDS} }} ... on UserError {{ code message field }}"


def at(text: str) -> str:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST).isoformat()


class Journey:
    """The actors of the story, each with a token of their role and org scope."""

    def __init__(self, stack: Any, gql: Any) -> None:
        self.gql = gql
        self.admin = stack.token()
        self.village = stack.token("cadre", [IDS["village"]], "cadre-village")
        self.town = stack.token("cadre", [IDS["town"]], "cadre-town")
        self.water = stack.token("cadre", [IDS["water"]], "cadre-water")
        self.housing = stack.token("cadre", [IDS["housing"]], "cadre-housing")
        self.r1 = stack.token("resident", [], IDS["r1"])
        self.r2 = stack.token("resident", [], IDS["r2"])

    def step(self, field: str, value: dict[str, Any], token: str, select: str = TICKET,
             input_type: str | None = None) -> dict[str, Any]:
        kind = input_type or field[0].upper() + field[1:] + "Input"
        result = self.gql(f"mutation($i: {kind}!) {{ {field}(input: $i) {{ __typename {select} }} }}",
                          token=token, i=value)
        assert "errors" not in result, result
        answer: dict[str, Any] = result["data"][field]
        assert not answer["__typename"].endswith("Error"), answer
        return answer

    def clock(self, when: str) -> None:
        result = self.gql("mutation($at: DateTime!) { setServiceClock(at: $at) { now } }",
                          token=self.admin, at=when)
        assert "errors" not in result, result

    def sweep(self) -> dict[str, Any]:
        result = self.gql("mutation { runSlaSweep { overdue noticesOpened } }", token=self.admin)
        assert "errors" not in result, result
        sweep: dict[str, Any] = result["data"]["runSlaSweep"]
        return sweep

    def ticket(self, ticket_id: str, token: str) -> dict[str, Any]:
        result = self.gql(f"query($id: ID!) {{ ticket(id: $id) {{ {FIELDS} }} }}",
                          token=token, id=ticket_id)
        assert "errors" not in result, result
        found: dict[str, Any] = result["data"]["ticket"]
        return found


@pytest.fixture(scope="module")
def journey(stack: Any, gql: Any) -> Iterator[Journey]:
    j = Journey(stack, gql)
    for key, parent, name, kind in [
            ("county", None, "流程县", "COUNTY"), ("town", "county", "流程镇", "TOWNSHIP"),
            ("village", "town", "流程村", "VILLAGE"), ("water", "county", "流程县水务局", "DEPARTMENT"),
            ("housing", "county", "流程县住建局", "DEPARTMENT")]:
        j.step("createOrgUnit", {"id": IDS[key], "name": name, "kind": kind,
                                 "parentId": IDS[parent] if parent else None}, j.admin,
               "... on OrgUnit { id } ... on UserError { code message field }")
    try:
        yield j
    finally:  # other end-to-end tests share the stack: give it back the real time
        j.clock(dt.datetime.now(dt.UTC).isoformat())


def submit(j: Journey, value: dict[str, Any], token: str) -> dict[str, Any]:
    """The tickets service learns new org units from people's events: retry while unknown."""
    deadline = time.monotonic() + 20
    while True:
        result = j.gql("mutation($i: SubmitTicketInput!) { submitTicket(input: $i) {"
                       f" __typename {TICKET} }} }}",
                       token=token, i=value)
        answer = result.get("data", {}).get("submitTicket") or {}
        if answer.get("__typename") != "NotFoundError" or time.monotonic() > deadline:
            assert answer.get("__typename") == "Ticket", result
            return answer
        time.sleep(0.2)


def test_the_seeds_flow_of_one_demand(journey: Journey) -> None:
    j = journey
    # 1. On a home visit (Mon 28 Sep 2026) the village cadre records the villager's demand.
    j.clock(at("2026-09-28T09:00:00"))
    first = submit(j, {
        "id": IDS["t1"], "orgUnitId": IDS["village"], "channel": "HOME_VISIT",
        "category": "water.supply", "text": "村里自来水停了三天，老人孩子吃水困难",
        "visitId": IDS["visit"], "contact": {"residentId": IDS["r1"], "name": "王秀兰",
                                            "phone": "13912345678"}}, j.village)
    assert first["status"] == "RECEIVED" and first["code"].startswith("流程县-2026-")
    j.step("acceptTicket", {"ticketId": IDS["t1"]}, j.village)
    # 2. The village branch cannot solve it: escalate to the township.
    j.step("escalateTicket", {"ticketId": IDS["t1"], "reason": "村级无力解决，需水务部门"},
           j.village)

    # 3. A neighbour reports the same problem in other words from the mini-program; the
    #    township is shown the first ticket as a likely duplicate and merges the two.
    submit(j, {"id": IDS["t2"], "orgUnitId": IDS["village"], "channel": "MINI_PROGRAM",
               "category": "water.supply", "text": "我们村停水三天了"}, j.r2)
    similar = j.gql("""query($t: String!, $o: ID!, $c: String!) {
        similarTickets(text: $t, orgUnitId: $o, category: $c) { ticket { id } score } }""",
                    token=j.town, t="我们村停水三天了", o=IDS["village"], c="water.supply")
    assert IDS["t1"] in [s["ticket"]["id"] for s in similar["data"]["similarTickets"]], similar
    merged = j.step("mergeTicket", {"ticketId": IDS["t2"], "masterId": IDS["t1"]}, j.town)
    assert merged["status"] == "MERGED"

    # 4. Tue 29 Sep 10:00 the township dispatches it to the water bureau: 10 working days skip
    #    National Day (1–7 Oct) and count the make-up Saturday 10 Oct → end of Mon 19 Oct.
    j.clock(at("2026-09-29T10:00:00"))
    dispatched = j.step("dispatchTicket", {"ticketId": IDS["t1"], "lead": {
        "departmentId": IDS["water"], "responsibleName": "水务局 张工", "task": "排查管网，恢复供水",
        "standard": "恢复正常供水并回访", "dueWorkingDays": 10}}, j.town)
    assert dispatched["status"] == "ASSIGNED"
    assert dispatched["handleDue"] == {"at": "2026-10-19T16:00:00+00:00", "provisional": False,
                                       "overdue": False}

    # 5. Tue 20 Oct: overdue. The scheduler opens one supervision notice, however often it runs.
    j.clock(at("2026-10-20T10:00:00"))
    assert j.sweep()["noticesOpened"] >= 1
    j.sweep()
    overdue = j.ticket(IDS["t1"], j.town)
    assert overdue["handleDue"]["overdue"] is True
    assert overdue["supervisionNotices"] == [{"level": 1, "clock": "HANDLE", "status": "OPEN"}]
    assert [h["action"] for h in overdue["history"]].count("OVERDUE") == 1

    # 6. The township blows the whistle (urgent: report in within 2 hours): the water bureau
    #    reports in at once, the housing bureau three hours later — late.
    whistle = j.gql("""mutation($i: BlowWhistleInput!) { blowWhistle(input: $i) {
        ... on Whistle { id } ... on UserError { code message } } }""", token=j.town, i={
        "ticketId": IDS["t1"], "urgency": "URGENT", "reason": "供水管线跨村，需多部门协同",
        "tasks": [{"departmentId": IDS["water"], "task": "抢修主管"},
                  {"departmentId": IDS["housing"], "task": "核查施工损坏"}]})
    whistle_id = whistle["data"]["blowWhistle"]["id"]
    select = "... on Whistle { status } ... on UserError { code message }"
    for department, token, when in ((IDS["water"], j.water, "2026-10-20T10:20:00"),
                                    (IDS["housing"], j.housing, "2026-10-20T13:00:00")):
        j.clock(at(when))
        task = {"whistleId": whistle_id, "departmentId": department}
        j.step("reportIn", task, token, select)
        j.step("startWhistleTask", task, token, select)
        closed = j.step("completeWhistleTask", {**task, "report": "已完成"}, token, select)
    assert closed["status"] == "CLOSED"
    tasks = {t["department"]["id"]: t for t in j.ticket(IDS["t1"], j.town)["whistles"][0]["tasks"]}
    assert (tasks[IDS["water"]]["late"], tasks[IDS["housing"]]["late"]) == (False, True)
    assert tasks[IDS["housing"]]["lateSeconds"] == 3600

    # 7. The water bureau resolves it, the township answers, the resident is dissatisfied.
    j.step("startTicket", {"ticketId": IDS["t1"]}, j.water)
    j.step("resolveTicket", {"ticketId": IDS["t1"], "outcome": "SOLVED",
                             "report": "更换破损主管，已恢复供水"}, j.water)
    j.step("answerTicket", {"ticketId": IDS["t1"], "reply": "已恢复供水", "channel": "HOTLINE"},
           j.town)
    reopened = j.step("rateTicket", {"ticketId": IDS["t1"], "solved": False,
                                     "satisfaction": "DISSATISFIED"}, j.r1)
    assert (reopened["status"], reopened["reopenCount"]) == ("ASSIGNED", 1)

    # 8. Solved again, answered, rated satisfied: closed.
    j.clock(at("2026-10-22T10:00:00"))
    j.step("startTicket", {"ticketId": IDS["t1"]}, j.water)
    j.step("resolveTicket", {"ticketId": IDS["t1"], "outcome": "SOLVED",
                             "report": "水压恢复，入户检查正常"}, j.water)
    reply = "管网已修复，水压正常，欢迎监督"
    j.step("answerTicket", {"ticketId": IDS["t1"], "reply": reply, "channel": "HOME_VISIT"}, j.town)
    closed_ticket = j.step("rateTicket", {"ticketId": IDS["t1"], "solved": True,
                                          "satisfaction": "SATISFIED"}, j.r1)
    assert closed_ticket["status"] == "CLOSED"

    # Both submitters see the answer: the villager on their ticket, the neighbour on the merged one.
    assert j.ticket(IDS["t1"], j.r1)["answer"] == reply
    theirs = j.ticket(IDS["t2"], j.r2)
    assert (theirs["status"], theirs["answer"]) == ("MERGED", reply)
    assert j.ticket(IDS["t1"], j.r2) is None     # but not the villager's own ticket

    # Every step is in the history (the "five haves": problem, acceptance, handling, feedback).
    actions = [h["action"] for h in j.ticket(IDS["t1"], j.town)["history"]]
    for expected in ("SUBMIT", "ACCEPT", "ESCALATE", "DISPATCH", "OVERDUE", "BLOW_WHISTLE",
                     "WHISTLE", "START", "RESOLVE", "ANSWER", "REOPEN", "RATE"):
        assert expected in actions, (expected, actions)
    assert actions.index("ESCALATE") < actions.index("DISPATCH") < actions.index("OVERDUE")


def test_the_command_centre_sees_ticket_events_live_through_the_gateway(
        stack: Any, journey: Journey) -> None:
    """`ticketEvents` over graphql-transport-ws through the gateway: a township cadre's screen
    receives the events of its tickets as they commit (ids and codes only)."""
    url = stack.gateway_url.replace("http://", "ws://")
    submitted: list[str] = []
    # The tickets service learns the new units from people's events: wait until it knows them.
    submit(journey, {"id": str(uuid.uuid4()), "orgUnitId": IDS["village"], "channel": "APP",
                     "category": "road.light", "text": "村口路灯不亮"}, journey.village)

    async def watch() -> dict[str, Any]:
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"authorization": f"Bearer {journey.town}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                "query": "subscription($o: ID!) { ticketEvents(orgUnitId: $o) {"
                         " ticketId code type status } }",
                "variables": {"o": IDS["town"]}}}))
            # The gateway opens its upstream subscription asynchronously: keep submitting
            # until the first event arrives (each submit is a new ticket in the village).
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                ticket_id = str(uuid.uuid4())
                submitted.append(ticket_id)
                await asyncio.to_thread(submit, journey, {
                    "id": ticket_id, "orgUnitId": IDS["village"], "channel": "APP",
                    "category": "road.light", "text": "村口路灯不亮"}, journey.village)
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
                except TimeoutError:
                    continue
                assert message["type"] == "next" and message["payload"].get("data"), message
                event: dict[str, Any] = message["payload"]["data"]["ticketEvents"]
                return event
            raise AssertionError("no ticket event arrived through the gateway in 20 s")

    event = asyncio.run(watch())
    assert event["ticketId"] in submitted
    assert (event["type"], event["status"]) == ("TicketSubmitted", "RECEIVED")
