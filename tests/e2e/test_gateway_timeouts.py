"""The gateway's upstream timeout (LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS) as a client sees it,
against a tickets "service" that accepts connections and never answers:
- everything asked of it alone: 504 GATEWAY_TIMEOUT, no data (nothing ran);
- asked beside a field of a service that answers: 200 with that data and the timeout coded at
  its path (it ran) — the fuzzer found such answers coming back 504 with data."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gateway_support import extra_gateway
from lianxin.kit.devstack.gateway import gateway_settings
from lianxin.kit.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
ANSWERS = "application/graphql-response+json"
NOWHERE = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
UNIT = ("mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) {"
        " ... on OrgUnit { id } ... on UserError { code message } } }")


@pytest.fixture(scope="module")
def silent_url() -> Iterator[str]:
    """A URL that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/graphql"
    server.close()
    for conn in held:
        conn.close()


@pytest.fixture(scope="module")
def impatient_gateway(stack: DevStack, silent_url: str,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = {**gateway_settings(secret=stack.data.secret()),
                "LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS": "300"}
    urls = {**stack.service_urls, "tickets": silent_url}
    with extra_gateway(stack, tmp_path_factory.mktemp("impatient"), settings, urls) as url:
        yield url


def ask(url: str, token: str, query: str) -> httpx.Response:
    return httpx.post(url, json={"query": query}, timeout=30,
                      headers={"authorization": f"Bearer {token}", "accept": ANSWERS})


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def test_a_timeout_alone_is_504_without_data(stack: DevStack, impatient_gateway: str) -> None:
    response = ask(impatient_gateway, stack.token(), f'{{ ticket(id: "{NOWHERE}") {{ id }} }}')
    assert response.status_code == 504, response.text
    assert "data" not in response.json() and codes(response.json()) == ["GATEWAY_TIMEOUT"]


def test_a_timeout_beside_an_answer_is_200_with_the_data(stack: DevStack, gql: Any,
                                                         impatient_gateway: str) -> None:
    unit = gql(UNIT, i={"id": "0a7f3c8e-2b1d-4e55-9c3a-5d1e6f7a8b91", "name": "超时县",
                        "kind": "COUNTY"})["data"]["createOrgUnit"]["id"]
    response = ask(impatient_gateway, stack.token(),
                   f'{{ orgUnit(id: "{unit}") {{ id }} ticket(id: "{NOWHERE}") {{ id }} }}')
    body = response.json()
    assert response.status_code == 200, response.text
    assert body["data"]["orgUnit"] == {"id": unit}
    assert codes(body) == ["GATEWAY_TIMEOUT"]
