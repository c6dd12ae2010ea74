"""Residents see their own tickets and register record — and nobody else's, whichever way they
ask: a root field through the gateway, `myTickets`, or `_entities` sent straight to a subgraph
(which is what the gateway sends, so a subgraph reached directly must check as carefully).

Two residents of the register (tokens: role resident, subject = their resident id) in two
households of the test's own village; A submits a demand from the mini-program. B, even with
an org scope in the token (a misissued token must not widen what a resident sees), gets nothing
of A's; A gets all of it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from lianxin.kit.devstack.demo import post_graphql
from lianxin.kit.devstack.stack import DevStack

pytestmark = pytest.mark.e2e

Ask = Callable[..., dict[str, Any]]

CREATE_UNIT = ("mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) {"
               " ... on OrgUnit { id } ... on UserError { code message } } }")
HOUSEHOLD = ("mutation($i: RegisterHouseholdInput!) { registerHousehold(input: $i) {"
             " ... on Household { id } ... on UserError { code message } } }")
RESIDENT = ("mutation($i: RegisterResidentInput!) { registerResident(input: $i) {"
            " ... on Resident { id } ... on UserError { code message } } }")
SUBMIT = ("mutation($i: SubmitTicketInput!) { submitTicket(input: $i) {"
          " ... on Ticket { id status } ... on UserError { code message field } } }")
TICKET = "query($id: ID!) { ticket(id: $id) { id text } }"
MY_TICKETS = "{ myTickets(first: 100) { nodes { id } } }"
ENTITIES = ("query($r: [_Any!]!) { _entities(representations: $r) {"
            " ... on Ticket { id text }"
            " ... on Household { id tickets(first: 100) { nodes { id } } } } }")
UNIT_TICKETS = ("query($r: [_Any!]!) { _entities(representations: $r) {"
                " ... on OrgUnit { id tickets(first: 100) { nodes { id } } } } }")
PEOPLE_ENTITIES = ("query($r: [_Any!]!) { _entities(representations: $r) {"
                   " ... on Resident { id name } ... on Household { id householdNo } } }")


def ok(result: dict[str, Any], field: str) -> dict[str, Any]:
    answer = (result.get("data") or {}).get(field)
    assert answer and "code" not in answer, result
    return answer


def wait_for(check: Callable[[], Any], timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


@pytest.fixture(scope="module")
def world(stack: DevStack, gql: Ask) -> dict[str, Any]:
    """A county › township › village, households H_A and H_B with residents A and B, and one
    demand A submitted through the gateway (the mini-program's way)."""
    ids = {k: str(uuid.uuid4()) for k in ("county", "town", "village", "h_a", "h_b", "a", "b",
                                          "ticket")}
    for unit, kind, parent in (("county", "COUNTY", None), ("town", "TOWNSHIP", "county"),
                               ("village", "VILLAGE", "town")):
        ok(gql(CREATE_UNIT, i={"id": ids[unit], "name": f"隐私{kind}", "kind": kind,
                              **({"parentId": ids[parent]} if parent else {})}), "createOrgUnit")
    for household, resident, name in (("h_a", "a", "甲"), ("h_b", "b", "乙")):
        ok(gql(HOUSEHOLD, i={"id": ids[household], "orgUnitId": ids["village"],
                             "householdNo": f"P-{ids[household][:8]}", "address": f"{name}家"}),
           "registerHousehold")
        ok(gql(RESIDENT, i={"id": ids[resident], "householdId": ids[household], "name": name,
                            "gender": "FEMALE", "birthYear": 1970, "relation": "HEAD"}),
           "registerResident")
    tokens = {"a": stack.token(role="resident", subject=ids["a"]),
              "b": stack.token(role="resident", subject=ids["b"]),
              "b_scoped": stack.token(role="resident", subject=ids["b"],
                                      org_scope=[ids["county"]])}
    demand = {"id": ids["ticket"], "orgUnitId": ids["village"], "channel": "WECHAT",
              "category": "water", "text": "甲家的私事：自来水停了",
              "contact": {"householdId": ids["h_a"], "name": "甲", "phone": "13812345678"}}

    def submitted() -> dict[str, Any] | None:  # the village reaches tickets by event
        result = gql(SUBMIT, token=tokens["a"], i=demand)
        answer = (result.get("data") or {}).get("submitTicket") or {}
        return None if answer.get("code") == "UNKNOWN_ORG_UNIT" else result

    result = wait_for(submitted)
    assert result and ok(result, "submitTicket")["id"] == ids["ticket"], result
    return {"ids": ids, "tokens": tokens}


def direct(stack: DevStack, service: str, token: str) -> Ask:
    """Ask one subgraph directly (bypassing the gateway), as the gateway itself does."""
    def ask(query: str, **variables: Any) -> dict[str, Any]:
        return post_graphql(stack.service_url(service), query, variables, token)
    return ask


def ticket_entities(stack: DevStack, ids: dict[str, str], token: str) -> list[Any]:
    result = direct(stack, "tickets", token)(ENTITIES, r=[
        {"__typename": "Ticket", "id": ids["ticket"]},
        {"__typename": "Household", "id": ids["h_a"]}])
    assert "errors" not in result, result
    entities: list[Any] = result["data"]["_entities"]
    return entities


def unit_lists_are_staff_only(stack: DevStack, ids: dict[str, str], token: str) -> None:
    """A unit's ticket list is for staff: a resident, owner or not, is refused outright."""
    result = direct(stack, "tickets", token)(UNIT_TICKETS, r=[
        {"__typename": "OrgUnit", "id": ids["village"]}])
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"], result
    assert ids["ticket"] not in str(result)


def test_the_owner_reads_her_ticket_every_way(stack: DevStack, gql: Ask,
                                               world: dict[str, Any]) -> None:
    ids, token = world["ids"], world["tokens"]["a"]
    assert gql(TICKET, token=token, id=ids["ticket"])["data"]["ticket"]["id"] == ids["ticket"]
    mine = gql(MY_TICKETS, token=token)["data"]["myTickets"]["nodes"]
    assert {"id": ids["ticket"]} in mine
    ticket, household = ticket_entities(stack, ids, token)
    assert ticket == {"id": ids["ticket"], "text": "甲家的私事：自来水停了"}
    assert household["tickets"]["nodes"] == [{"id": ids["ticket"]}]
    unit_lists_are_staff_only(stack, ids, token)


@pytest.mark.parametrize("who", ["b", "b_scoped"])
def test_another_resident_cannot_read_it_any_way(stack: DevStack, gql: Ask,
                                                  world: dict[str, Any], who: str) -> None:
    ids, token = world["ids"], world["tokens"][who]
    answer = gql(TICKET, token=token, id=ids["ticket"])
    assert answer == {"data": {"ticket": None}}, answer
    mine = gql(MY_TICKETS, token=token)["data"]["myTickets"]["nodes"]
    assert {"id": ids["ticket"]} not in mine
    ticket, household = ticket_entities(stack, ids, token)
    assert ticket is None and household["tickets"]["nodes"] == []
    unit_lists_are_staff_only(stack, ids, token)


@pytest.mark.parametrize("who", ["b", "b_scoped"])
def test_a_resident_reads_only_her_own_register_record(stack: DevStack, gql: Ask,
                                                       world: dict[str, Any], who: str) -> None:
    ids, tokens = world["ids"], world["tokens"]
    people_a = direct(stack, "people", tokens["a"])
    people_b = direct(stack, "people", tokens[who])
    representations = [{"__typename": "Resident", "id": ids["a"]},
                       {"__typename": "Household", "id": ids["h_a"]}]
    own = people_a(PEOPLE_ENTITIES, r=representations)["data"]["_entities"]
    assert own == [{"id": ids["a"], "name": "甲"},
                   {"id": ids["h_a"], "householdNo": f"P-{ids['h_a'][:8]}"}]
    assert people_b(PEOPLE_ENTITIES, r=representations)["data"]["_entities"] == [None, None]
    query = "query($id: ID!) { resident(id: $id) { name } }"
    assert gql(query, token=tokens["a"], id=ids["a"])["data"] == {"resident": {"name": "甲"}}
    assert gql(query, token=tokens[who], id=ids["a"])["data"] == {"resident": None}
