"""`make dev`'s demo county, loaded through the gateway into a stack of its own (so its ~2,600
outbox events stay out of the shared stack's restart tests): everything the generator makes
arrives — its tickets in every state of the workflow — a restart finds it loaded with one
query, and a forced full retry changes nothing (no ticket gains a history line). Its history
(a ledger of months of demands, imported) arrives with its dates, and loading it again adds
nothing."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

import pytest
from lianxin.kit.devstack.demo import (
    DemoLoadError,
    DemoSummary,
    demo_id,
    load_demo,
    post_graphql,
    unit_id,
)
from lianxin.kit.devstack.demo.county import DemoCounty, Op
from lianxin.kit.devstack.demo.history import (
    CHINA,
    DONE_FILE,
    LEDGER_FILE,
    HistorySummary,
    load_history,
)
from lianxin.kit.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
COUNTY = unit_id(("墨江哈尼族自治县",))

STATE = """query($id: ID!, $after: String) { orgUnit(id: $id) {
  unpairedHouseholds(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
} }"""
CADRES = """query($id: ID!, $after: String) { cadres(orgUnitId: $id, first: 100, after: $after) {
  nodes { id rank quota { required actual met } } pageInfo { hasNextPage endCursor } } }"""
# What PLAN in demo/tickets.py leaves each ticket in (the live tickets: submitted since the load
# began; the history's are older).
STATES = {"RECEIVED": 15, "ACCEPTED": 6, "ASSIGNED": 9, "IN_PROGRESS": 7, "RESOLVED": 10,
          "CLOSED": 12, "MERGED": 1}
# One request per status, as a front end's status board would page each column (all seven in one
# request would be over the gateway's cost limit: each is a page of 100 with nested lists).
BY_STATUS = """query($id: ID!, $since: DateTime!, $status: TicketStatus!) { orgUnit(id: $id) {
  tickets(first: 100, filter: {statuses: [$status], submittedFrom: $since}) { totalCount nodes { id
    status paused outcome reopenCount closeReason satisfaction ratedByStaff answer master { id }
    whistles { status tasks { status } } assignments { role status } } } } }"""
TICKETS = """query($id: ID!, $since: DateTime!) { orgUnit(id: $id) {
  tickets(first: 100, filter: {submittedFrom: $since}) { nodes {
  id status handlingUnit { id } history { actor action toStatus } } } } }"""
HISTORY = """query($id: ID!, $since: DateTime!, $after: String) { orgUnit(id: $id) {
  tickets(first: 100, after: $after, filter: {submittedTo: $since}) { totalCount
    nodes { status imported submittedAt } pageInfo { hasNextPage endCursor } } } }"""
# The ledger's 状态 → the status its import leaves (已办结 with 不满意: reopened).
LEDGER_STATES = {"已关闭": "CLOSED", "已办结": "RESOLVED", "办理中": "IN_PROGRESS",
                 "已受理": "ACCEPTED", "待受理": "RECEIVED"}


def pages(stack: DevStack, query: str, path: tuple[str, ...],
          **variables: str) -> list[dict[str, Any]]:
    nodes, after = [], None
    while True:
        result = post_graphql(stack.gateway_url, query,
                              {"id": COUNTY, "after": after, **variables}, stack.token())
        assert "errors" not in result, result
        page = result["data"]
        for key in path:
            page = page[key]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def tickets(stack: DevStack, since: str) -> list[dict[str, Any]]:
    """Every live ticket of the demo county, by id, with its history."""
    result = post_graphql(stack.gateway_url, TICKETS, {"id": COUNTY, "since": since},
                          stack.token())
    assert "errors" not in result, result
    return sorted(result["data"]["orgUnit"]["tickets"]["nodes"], key=lambda t: t["id"])


def by_hand(ticket: dict[str, Any]) -> list[tuple[str, str]]:
    """The history lines the loader wrote (not the SLA scheduler's alarms, which come on their
    own time)."""
    return [(h["action"], h["toStatus"]) for h in ticket["history"] if h["actor"] != "system"]


def test_the_first_load_creates_every_entity(first: DemoSummary, county: DemoCounty,
                                             demo_stack: DevStack) -> None:
    print(f"\n{first} — {first.requests} requests")
    unpaired = pages(demo_stack, STATE, ("orgUnit", "unpairedHouseholds"))
    cadres = pages(demo_stack, CADRES, ("cadres",))
    expected_unpaired = ({op.input["id"] for op in county.households} -
                         {op.input.get("householdId") for op in county.pairings})

    assert not first.already_loaded and first.counts == county.counts()
    assert str(first).startswith("墨江哈尼族自治县: 78 org units")
    assert {h["id"] for h in unpaired} == expected_unpaired
    assert {c["id"] for c in cadres} == {op.input["id"] for op in county.cadres}
    met = [c["quota"]["met"] for c in cadres]
    assert met.count(True) > met.count(False) > 0


def test_the_demo_tickets_show_every_state_of_the_workflow(
        first: DemoSummary, history: HistorySummary, county: DemoCounty, demo_stack: DevStack,
        since: str) -> None:
    found, counted = {}, {}
    for status in STATES:
        result = post_graphql(demo_stack.gateway_url, BY_STATUS,
                              {"id": COUNTY, "since": since, "status": status}, demo_stack.token())
        assert "errors" not in result, result
        found[status] = result["data"]["orgUnit"]["tickets"]["nodes"]
        counted[status] = result["data"]["orgUnit"]["tickets"]["totalCount"]
    submitted = {op.input["id"] for story in county.tickets for op in story
                 if op.field == "submitTicket"}

    assert {s: len(nodes) for s, nodes in found.items()} == STATES
    assert counted == STATES
    assert {t["id"] for nodes in found.values() for t in nodes} == submitted
    assert all(t["status"] == s for s, nodes in found.items() for t in nodes)
    working = found["IN_PROGRESS"]
    assert [t["paused"] for t in working].count(True) == 1
    assert any(a["role"] == "CO" for t in found["ASSIGNED"] for a in t["assignments"])
    assert any(a["role"] == "LOCAL" for t in found["ASSIGNED"] for a in t["assignments"])
    resolved = found["RESOLVED"]
    assert sorted(t["outcome"] for t in resolved).count("EXPLAINED") == 3
    assert {t["outcome"] for t in resolved} == {"SOLVED", "PARTIALLY_SOLVED", "EXPLAINED"}
    assert 0 < sum(t["answer"] is None for t in resolved) < len(resolved)
    closed = found["CLOSED"]
    assert all(t["closeReason"] == "RATED" and t["ratedByStaff"] for t in closed)
    assert {t["satisfaction"] for t in closed} == {"SATISFIED", "BASICALLY_SATISFIED"}
    assert [t["reopenCount"] for t in closed].count(1) == 1
    assert any(a["role"] == "CO" and a["status"] == "DONE" for t in closed for a in t["assignments"])
    [merged] = found["MERGED"]
    assert merged["master"]["id"] in {t["id"] for t in working}
    [whistle] = [w for nodes in found.values() for t in nodes for w in t["whistles"]]
    assert whistle == {"status": "CLOSED", "tasks": [{"status": "COMPLETED"}] * 2}


def test_a_restart_finds_the_demo_loaded_with_one_query(first: DemoSummary,
                                                        demo_stack: DevStack) -> None:
    again = load_demo(demo_stack.gateway_url, demo_stack.token())

    assert again.already_loaded and again.requests == 1 and again.counts == first.counts
    assert "already loaded" in str(again)


def test_a_forced_full_retry_changes_nothing(first: DemoSummary, history: HistorySummary,
                                             demo_stack: DevStack, since: str) -> None:
    before = pages(demo_stack, STATE, ("orgUnit", "unpairedHouseholds"))
    tickets_before = tickets(demo_stack, since)

    retry = load_demo(demo_stack.gateway_url, demo_stack.token(), force=True)

    print(f"\nforced retry: {retry} — {retry.requests} requests")
    assert not retry.already_loaded and retry.counts == first.counts
    assert pages(demo_stack, STATE, ("orgUnit", "unpairedHouseholds")) == before
    after = tickets(demo_stack, since)
    assert [(t["id"], t["status"], t["handlingUnit"]) for t in after] == [
        (t["id"], t["status"], t["handlingUnit"]) for t in tickets_before]
    assert [by_hand(t) for t in after] == [by_hand(t) for t in tickets_before]
    history = post_graphql(demo_stack.gateway_url, "query($id: ID!) { orgUnit(id: $id) { "
                           "history { version } } }", {"id": COUNTY}, demo_stack.token())
    assert history["data"]["orgUnit"]["history"] == [{"version": 1}]


def ledger(stack: DevStack) -> list[dict[str, str]]:
    """The rows of the history's ledger, as kept in the data folder."""
    with (stack.data.root / LEDGER_FILE).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_the_history_arrives_as_imported_tickets_on_their_days(
        history: HistorySummary, demo_stack: DevStack, since: str) -> None:
    rows = ledger(demo_stack)
    found = pages(demo_stack, HISTORY, ("orgUnit", "tickets"), since=since)
    submitted = Counter(dt.datetime.fromisoformat(t["submittedAt"]).astimezone(CHINA)
                        .strftime("%Y-%m-%d %H:%M") for t in found)
    expected = Counter("ASSIGNED" if r["满意度"] == "不满意" else LEDGER_STATES[r["状态"]]
                       for r in rows)
    statuses = Counter(t["status"] for t in found)
    today = dt.datetime.now(CHINA).date()
    month_before_last = (today.replace(day=1) - dt.timedelta(days=32)).replace(day=1)

    print(f"\n{history}")
    assert not history.already_loaded and history.tickets == len(rows) == len(found)
    assert all(t["imported"] for t in found)
    assert submitted == Counter(r["登记日期"] for r in rows)
    assert min(submitted) >= f"{month_before_last:%Y-%m}" and max(submitted) < f"{today}"
    # The SLA scheduler closes an answer left unrated for 7 days (NO_RATING) on its own time.
    assert statuses["CLOSED"] + statuses["RESOLVED"] == expected["CLOSED"] + expected["RESOLVED"]
    assert {s: n for s, n in statuses.items() if s not in ("CLOSED", "RESOLVED")} == {
        s: n for s, n in expected.items() if s not in ("CLOSED", "RESOLVED")}


def test_loading_the_history_again_adds_nothing(history: HistorySummary, demo_stack: DevStack,
                                                since: str) -> None:
    again = load_history(demo_stack)
    (demo_stack.data.root / DONE_FILE).unlink()
    reimported = load_history(demo_stack)  # the whole ledger, imported a second time
    log = (demo_stack.logs_dir / "tickets.import.log").read_text()

    print(f"\nagain: {again}; re-imported: {reimported}")
    assert again.already_loaded and "already imported" in str(again)
    assert not reimported.already_loaded and reimported.tickets == history.tickets
    assert f"created 0, unchanged {history.tickets}, skipped 0" in log
    assert len(pages(demo_stack, HISTORY, ("orgUnit", "tickets"), since=since)) == history.tickets


def test_a_refused_input_stops_the_load_quoting_code_field_and_input(
        first: DemoSummary, county: DemoCounty, demo_stack: DevStack) -> None:
    bad = Op("registerHousehold", {"id": demo_id("household", "test/at-the-county"),
                                   "orgUnitId": COUNTY, "householdNo": "test-1", "address": "县城"},
             "household test/at-the-county")
    broken = dataclasses.replace(county, households=[bad], residents=[], needs_tags=[],
                                 cadres=[], campaigns=[], pairings=[], visits=[], tickets=[])

    with pytest.raises(DemoLoadError) as refused:
        load_demo(demo_stack.gateway_url, demo_stack.token(), broken, force=True)

    message = str(refused.value)
    assert "could not load household test/at-the-county: InvalidInputError BAD_USER_INPUT" in message
    assert "(field orgUnitId)" in message and '"householdNo": "test-1"' in message


def test_each_role_token_of_the_banner_sees_its_own_part_of_the_demo(
        first: DemoSummary, demo_stack: DevStack, county: DemoCounty) -> None:
    """`make dev` prints these tokens: each must work, and show what its user would see."""
    from lianxin.kit.devstack.demo.roles import demo_roles

    roles = {r.role: r for r in demo_roles(county)}
    assert set(roles) == {"resident", "cadre", "supervisor", "analyst", "screen", "admin"}

    def ask(role: str, query: str, **variables: Any) -> dict[str, Any]:
        r = roles[role]
        token = demo_stack.token(r.role, r.org_scope, r.subject)
        return post_graphql(demo_stack.gateway_url, query, variables, token)

    mine = ask("resident", "{ myTickets(first: 50) { nodes { id } } }")
    assert "errors" not in mine and mine["data"]["myTickets"]["nodes"], mine
    township = county.tree.townships[0].id
    other = county.tree.townships[1].id
    listed = "query($id: ID!) { orgUnit(id: $id) { tickets(first: 1) { nodes { id } } } }"
    own = ask("cadre", listed, id=township)
    assert "errors" not in own and own["data"]["orgUnit"]["tickets"]["nodes"], own
    assert ask("cadre", listed, id=other) == {"data": {"orgUnit": None}}   # another township: unseen
    dashboard = ask("screen", "query($id: ID!) { dashboard(orgUnitId: $id) { open } }",
                    id=county.tree.county.id)
    assert "errors" not in dashboard, dashboard
