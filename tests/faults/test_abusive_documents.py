"""Abusive documents are refused at the gateway and never reach a subgraph (issue 9).

tests/e2e/test_gateway_limits.py already shows each limit's code, the 400 and the missing `data`,
and that a refused *mutation* created nothing. It cannot show that no subgraph was called: a
subgraph that received the document and refused it with its own, higher limits
(lianxin.kit.graphql) would pass it too. This module adds that proof: each subgraph counts every
GraphQL operation it receives, even one that fails to parse (lianxin_graphql_requests, GET
/metrics), and the counters must not move. It also covers what that module does not: the limits
reached through fragments (nested spreads for depth, one fragment spread ten times for aliases),
a huge page asked through a persisted document's variables, and unknown persisted-document ids by
body, GET and Apollo's persistedQuery extension. The control: one ordinary query moves exactly
one counter by one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from lianxin.kit.devstack.stack import DevStack

STRICT = "application/graphql-response+json, application/json"
UNKNOWN_ID = "0" * 64
MY_TICKETS = Path(__file__).resolve().parents[2] / "clients" / "miniprogram" / "MyTickets.graphql"


def nested(levels: int) -> str:
    return "{ orgUnits { " + "parent { " * (levels - 2) + "id" + " }" * (levels - 2) + " } }"


def deep_fragments(levels: int) -> str:
    """Depth `levels`, one level per fragment: no single fragment looks deep."""
    chain = " ".join(f"fragment F{i} on OrgUnit {{ parent {{ ...F{i + 1} }} }}" for i in range(1, levels - 1))
    return f"{{ orgUnits {{ ...F1 }} }} {chain} fragment F{levels - 1} on OrgUnit {{ id }}"


def spread_aliases(spreads: int, per_fragment: int) -> str:
    """`spreads` × `per_fragment` aliases, though the fragment holds only `per_fragment`."""
    fields = " ".join(f"x{i}: name" for i in range(per_fragment))
    roots = " ".join(f"u{i}: orgUnits {{ ...A }}" for i in range(spreads))
    return f"{{ {roots} }} fragment A on OrgUnit {{ {fields} }}"


def query(text: str, **variables: Any) -> dict[str, Any]:
    return {"query": text, "variables": variables}


# case: (body, or "GET" and its parameters; the code)
CASES: dict[str, tuple[Any, str]] = {
    "depth 50": (query(nested(50)), "QUERY_TOO_DEEP"),
    "depth 50 through fragments": (query(deep_fragments(50)), "QUERY_TOO_DEEP"),
    "depth 50 in a mutation": (
        query(
            "mutation($u: CreateOrgUnitInput!) { createOrgUnit(input: $u) { ... on OrgUnit { "
            + "parent { " * 49
            + "id"
            + " }" * 49
            + " } } }",
            u={"id": "00000000-0000-4000-8000-000000000009", "name": "深县", "kind": "COUNTY"},
        ),
        "QUERY_TOO_DEEP",
    ),
    "500 aliases": (
        query("{ " + " ".join(f"a{i}: __typename" for i in range(500)) + " }"),
        "TOO_MANY_ALIASES",
    ),
    "500 aliases through one fragment": (query(spread_aliases(10, 50)), "TOO_MANY_ALIASES"),
    "10k tokens": (query("{ orgUnits { " + "id " * 10_000 + "} }"), "TOO_MANY_TOKENS"),
    "first: 1000000": (query("{ orgUnits { households(first: 1000000) { totalCount } } }"), "PAGE_TOO_LARGE"),
    "first: 1000000 in a persisted document's variables": (
        {
            "documentId": hashlib.sha256(MY_TICKETS.read_bytes()).hexdigest(),
            "variables": {"first": 1_000_000},
        },
        "PAGE_TOO_LARGE",
    ),
    "a million objects": (
        query("{ orgUnits { " + "children { " * 6 + "id" + " }" * 6 + " } }"),
        "QUERY_TOO_COSTLY",
    ),
    "unknown documentId": ({"documentId": UNKNOWN_ID}, "PERSISTED_QUERY_NOT_FOUND"),
    "unknown documentId by GET": (("GET", {"documentId": UNKNOWN_ID}), "PERSISTED_QUERY_NOT_FOUND"),
    "unknown persistedQuery hash": (
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": UNKNOWN_ID}}},
        "PERSISTED_QUERY_NOT_FOUND",
    ),
    "neither query nor documentId": ({"variables": {}}, "PERSISTED_QUERY_ID_REQUIRED"),
    "a batch": ([query("{ orgUnits { id } }")] * 2, "BATCHING_DISABLED"),
}


def operations_received(stack: DevStack) -> dict[str, float]:
    """Each subgraph's count of GraphQL operations received (all labels summed)."""
    counts = {}
    for name, url in stack.service_urls.items():
        text = httpx.get(url.removesuffix("/graphql") + "/metrics", timeout=10).text
        counts[name] = sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("lianxin_graphql_requests_total{")
        )
    return counts


def send(stack: DevStack, body: Any) -> httpx.Response:
    headers = {"authorization": f"Bearer {stack.token(subject='faults-abusive')}", "accept": STRICT}
    if isinstance(body, tuple):  # ("GET", query parameters)
        params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body[1].items()}
        return httpx.get(stack.gateway_url, params=params, headers=headers, timeout=60)
    return httpx.post(stack.gateway_url, json=body, headers=headers, timeout=60)


def test_an_ordinary_query_is_counted_by_its_subgraph(fault_stack: DevStack) -> None:
    """The control: without it, counters that never move would prove nothing."""
    before = operations_received(fault_stack)
    answer = send(fault_stack, query("{ orgUnits { id } }"))
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    after = operations_received(fault_stack)
    assert {name: after[name] - before[name] for name in after} == {
        "people": 1,
        "tickets": 0,
        "assessment": 0,
    }


@pytest.mark.parametrize("case", list(CASES))
def test_an_abusive_request_is_refused_before_any_subgraph_sees_it(fault_stack: DevStack, case: str) -> None:
    body, code = CASES[case]
    before = operations_received(fault_stack)
    answer = send(fault_stack, body)
    after = operations_received(fault_stack)
    payload = answer.json()
    assert [e["extensions"]["code"] for e in payload["errors"]] == [code], payload
    assert (answer.status_code, "data" in payload) == (400, False), payload
    assert after == before, f"a subgraph received it: {before} → {after}"
