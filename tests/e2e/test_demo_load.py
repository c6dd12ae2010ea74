"""`make dev`'s demo county, loaded through the gateway into a stack of its own (so its ~2,600
outbox events stay out of the shared stack's restart tests): everything the generator makes
arrives — its tickets in every state of the workflow — a restart finds it loaded with one
query, and a forced full retry changes nothing (no ticket gains a history line)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lianxin.kit.devstack.demo import (
    DemoLoadError,
    DemoSummary,
    build_county,
    demo_id,
    load_demo,
    post_graphql,
    unit_id,
)
from lianxin.kit.devstack.demo.county import DemoCounty, Op
from lianxin.kit.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
COUNTY = unit_id(("墨江哈尼族自治县",))

STATE = """query($id: ID!, $after: String) { orgUnit(id: $id) {
  unpairedHouseholds(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
} }"""
CADRES = """query($id: ID!, $after: String) { cadres(orgUnitId: $id, first: 100, after: $after) {
  nodes { id rank quota { required actual met } } pageInfo { hasNextPage endCursor } } }"""
# What PLAN in demo/tickets.py leaves each ticket in.
STATES = {"RECEIVED": 15, "ACCEPTED": 6, "ASSIGNED": 9, "IN_PROGRESS": 7, "RESOLVED": 10,
          "CLOSED": 12, "MERGED": 1}
BY_STATUS = "query($id: ID!) { orgUnit(id: $id) { " + " ".join(
    f"{s.lower()}: tickets(first: 100, filter: {{statuses: [{s}]}}) {{ totalCount nodes {{ id "
    "status paused outcome reopenCount closeReason satisfaction ratedByStaff answer master { id } "
    "whistles { status tasks { status } } assignments { role status } } }"
    for s in STATES) + " } }"
TICKETS = """query($id: ID!) { orgUnit(id: $id) { tickets(first: 100) { nodes {
  id status handlingUnit { id } history { actor action toStatus } } } } }"""


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    from lianxin.kit.devstack.processes import free_port

    stack = DevStack(Path(tmp_path_factory.mktemp("demo")), gateway_port=free_port())
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return build_county()


@pytest.fixture(scope="module")
def first(demo_stack: DevStack, county: DemoCounty) -> DemoSummary:
    return load_demo(demo_stack.gateway_url, demo_stack.token(), county)


def pages(stack: DevStack, query: str, path: tuple[str, ...]) -> list[dict[str, Any]]:
    nodes, after = [], None
    while True:
        result = post_graphql(stack.gateway_url, query, {"id": COUNTY, "after": after},
                              stack.token())
        assert "errors" not in result, result
        page = result["data"]
        for key in path:
            page = page[key]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def tickets(stack: DevStack) -> list[dict[str, Any]]:
    """Every ticket of the demo county, by id, with its history."""
    result = post_graphql(stack.gateway_url, TICKETS, {"id": COUNTY}, stack.token())
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


def test_the_demo_tickets_show_every_state_of_the_workflow(first: DemoSummary, county: DemoCounty,
                                                           demo_stack: DevStack) -> None:
    result = post_graphql(demo_stack.gateway_url, BY_STATUS, {"id": COUNTY}, demo_stack.token())
    assert "errors" not in result, result
    lists = result["data"]["orgUnit"]
    found = {s: lists[s.lower()]["nodes"] for s in STATES}
    submitted = {op.input["id"] for story in county.tickets for op in story
                 if op.field == "submitTicket"}

    assert {s: len(nodes) for s, nodes in found.items()} == STATES
    assert {s: lists[s.lower()]["totalCount"] for s in STATES} == STATES
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


def test_a_forced_full_retry_changes_nothing(first: DemoSummary, demo_stack: DevStack) -> None:
    before = pages(demo_stack, STATE, ("orgUnit", "unpairedHouseholds"))
    tickets_before = tickets(demo_stack)

    retry = load_demo(demo_stack.gateway_url, demo_stack.token(), force=True)

    print(f"\nforced retry: {retry} — {retry.requests} requests")
    assert not retry.already_loaded and retry.counts == first.counts
    assert pages(demo_stack, STATE, ("orgUnit", "unpairedHouseholds")) == before
    after = tickets(demo_stack)
    assert [(t["id"], t["status"], t["handlingUnit"]) for t in after] == [
        (t["id"], t["status"], t["handlingUnit"]) for t in tickets_before]
    assert [by_hand(t) for t in after] == [by_hand(t) for t in tickets_before]
    history = post_graphql(demo_stack.gateway_url, "query($id: ID!) { orgUnit(id: $id) { "
                           "history { version } } }", {"id": COUNTY}, demo_stack.token())
    assert history["data"]["orgUnit"]["history"] == [{"version": 1}]


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
