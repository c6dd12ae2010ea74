"""`make dev`'s demo county, loaded through the gateway into a stack of its own (so its ~2,400
outbox events stay out of the shared stack's restart tests): everything the generator makes
arrives, a restart finds it loaded with one query, and a forced full retry changes nothing."""

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


def test_the_first_load_creates_every_entity(first: DemoSummary, county: DemoCounty,
                                             demo_stack: DevStack) -> None:
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


def test_a_restart_finds_the_demo_loaded_with_one_query(first: DemoSummary,
                                                        demo_stack: DevStack) -> None:
    again = load_demo(demo_stack.gateway_url, demo_stack.token())

    assert again.already_loaded and again.requests == 1 and again.counts == first.counts
    assert "already loaded" in str(again)


def test_a_forced_full_retry_changes_nothing(first: DemoSummary, demo_stack: DevStack) -> None:
    before = pages(demo_stack, STATE, ("orgUnit", "unpairedHouseholds"))

    retry = load_demo(demo_stack.gateway_url, demo_stack.token(), force=True)

    assert not retry.already_loaded and retry.counts == first.counts
    assert pages(demo_stack, STATE, ("orgUnit", "unpairedHouseholds")) == before
    history = post_graphql(demo_stack.gateway_url, "query($id: ID!) { orgUnit(id: $id) { "
                           "history { version } } }", {"id": COUNTY}, demo_stack.token())
    assert history["data"]["orgUnit"]["history"] == [{"version": 1}]


def test_a_refused_input_stops_the_load_quoting_code_field_and_input(
        first: DemoSummary, county: DemoCounty, demo_stack: DevStack) -> None:
    bad = Op("registerHousehold", {"id": demo_id("household", "test/at-the-county"),
                                   "orgUnitId": COUNTY, "householdNo": "test-1", "address": "县城"},
             "household test/at-the-county")
    broken = dataclasses.replace(county, households=[bad], residents=[], needs_tags=[],
                                 cadres=[], campaigns=[], pairings=[], visits=[])

    with pytest.raises(DemoLoadError) as refused:
        load_demo(demo_stack.gateway_url, demo_stack.token(), broken, force=True)

    message = str(refused.value)
    assert "could not load household test/at-the-county: InvalidInputError BAD_USER_INPUT" in message
    assert "(field orgUnitId)" in message and '"householdNo": "test-1"' in message
