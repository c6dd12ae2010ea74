"""Subscriptions through the gateway over SSE (client → gateway over text/event-stream, the
GraphQL-over-SSE "distinct connections" mode; gateway → subgraph stays graphql-transport-ws) and,
for comparison, over a WebSocket with gql. A screen wall subscribes to a township's dashboard
(assessment): the current figures come at once, and a new ticket moves them.

SSE from a browser: POST (or GET) the operation with `Accept: text/event-stream` and the usual
`Authorization` header; each result is an `event: next` whose data is the JSON result, and the
stream ends with `event: complete`."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from gateway_support import call
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport
from httpx_sse import connect_sse
from lianxin.kit.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
DASHBOARD = "subscription Wall($u: ID!) { dashboard(orgUnitId: $u) { orgUnitId submittedToday } }"
SUBMIT = """mutation($i: SubmitTicketInput!) { submitTicket(input: $i) { __typename } }"""


def eventually(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 30) -> Any:
    """Read until `done` (the services learn new org units from events, a moment later)."""
    deadline = time.monotonic() + seconds
    while True:
        found = read()
        if done(found) or time.monotonic() > deadline:
            assert done(found), found
            return found
        time.sleep(0.5)


@pytest.fixture(scope="module")
def wall(stack: DevStack) -> dict[str, str]:
    """A county of its own, known to tickets and assessment; its ids and a screen token."""
    root = uuid.uuid4()
    ids = {n: str(uuid.uuid5(root, n)) for n in ("county", "town", "village")}
    for key, parent, name, kind in (("county", None, "推送县", "COUNTY"),
                                    ("town", "county", "推送镇", "TOWNSHIP"),
                                    ("village", "town", "推送村", "VILLAGE")):
        made = call(stack.gateway_url, """mutation($i: CreateOrgUnitInput!) {
            createOrgUnit(input: $i) { __typename } }""", {"i": {
            "id": ids[key], "name": name, "kind": kind, "parentId": ids[parent] if parent else None}},
            token=stack.token())
        assert made.body["data"]["createOrgUnit"]["__typename"] == "OrgUnit", made
    eventually(lambda: submit(stack, ids["village"]),
               lambda body: body.get("data", {}).get("submitTicket", {}).get("__typename") == "Ticket")
    screen = stack.token("screen", [ids["county"]], f"screen-{root.hex[:8]}")
    eventually(lambda: call(stack.gateway_url, "query($u: ID!) { dashboard(orgUnitId: $u) {"
                            " submittedToday } }", {"u": ids["town"]}, token=screen).body,
               lambda body: "errors" not in body and body["data"]["dashboard"]["submittedToday"] > 0)
    return {**ids, "screen": screen}


def submit(stack: DevStack, village: str) -> dict[str, Any]:
    body: dict[str, Any] = call(stack.gateway_url, SUBMIT, {"i": {
        "id": str(uuid.uuid4()), "orgUnitId": village, "channel": "MINI_PROGRAM",
        "category": "road.light", "text": "推送村的路灯坏了"}}, token=stack.token()).body
    return body


def test_a_subscription_over_sse_receives_events(stack: DevStack, wall: dict[str, str]) -> None:
    headers = {"authorization": f"Bearer {wall['screen']}", "accept": "text/event-stream"}
    seen: list[int] = []
    with httpx.Client(timeout=httpx.Timeout(10, read=30)) as client, connect_sse(
            client, "POST", stack.gateway_url, headers=headers,
            json={"query": DASHBOARD, "variables": {"u": wall["town"]}}) as source:
        assert source.response.status_code == 200
        assert source.response.headers["content-type"].startswith("text/event-stream")
        for event in source.iter_sse():
            if event.event != "next":
                continue  # keep-alive comments or a final `complete`
            result = json.loads(event.data)
            assert "errors" not in result, result
            dashboard = result["data"]["dashboard"]
            assert dashboard["orgUnitId"] == wall["town"]
            seen.append(dashboard["submittedToday"])
            if len(seen) == 1:  # the current figures came at once: now move them
                assert submit(stack, wall["village"])["data"]["submitTicket"]["__typename"] == "Ticket"
            elif seen[-1] > seen[0]:
                break
    assert seen[-1] > seen[0], seen


def test_sse_needs_a_token_too(stack: DevStack, wall: dict[str, str]) -> None:
    response = httpx.post(stack.gateway_url, json={"query": DASHBOARD, "variables": {
        "u": wall["town"]}}, headers={"accept": "text/event-stream"}, timeout=10)
    assert response.status_code == 401, response.text
    assert "UNAUTHENTICATED" in response.text


def test_the_same_subscription_over_a_websocket_with_gql(stack: DevStack,
                                                         wall: dict[str, str]) -> None:
    transport = WebsocketsTransport(
        url=stack.gateway_url.replace("http://", "ws://"),
        init_payload={"authorization": f"Bearer {wall['screen']}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])

    async def first() -> dict[str, Any]:
        async with Client(transport=transport) as session:
            request = GraphQLRequest(DASHBOARD, variable_values={"u": wall["town"]})
            async for result in session.subscribe(request):
                return dict(result)
        raise AssertionError("the subscription ended without a result")

    result = asyncio.run(asyncio.wait_for(first(), 30))
    assert result["dashboard"]["orgUnitId"] == wall["town"], result
    assert result["dashboard"]["submittedToday"] > 0
