"""A service that does not answer, or refuses, as a client of the gateway sees it:
- a tickets "service" that accepts connections and never answers, behind a gateway with a
  300 ms upstream timeout (LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS): everything asked of it alone
  is 504 GATEWAY_TIMEOUT without data (nothing ran); asked beside a field of a service that
  answers, 200 with that data and the timeout coded at its path (it ran) — the fuzzer found
  such answers coming back 504 with data;
- a tickets "service" that answers every request 503 OVERLOADED with a retryAfter, as
  lianxin.kit.admission does: alone, 503 with Retry-After; beside an answer, 200 with the data.
Neither ever shows the client the subgraph request Hive made (its body holds the caller's
variables) or the upstream response."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class Overloaded(BaseHTTPRequestHandler):
    """Every POST: 503 OVERLOADED, retry after 3 s (the body lianxin.kit.admission sends)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = json.dumps({"errors": [{"message": "the service is overloaded, retry later",
                                       "extensions": {"code": "OVERLOADED", "retryAfter": 3}}]})
        self.send_response(503)
        self.send_header("content-type", "application/json")
        self.send_header("retry-after", "3")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def overloaded_gateway(stack: DevStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Overloaded)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    urls = {**stack.service_urls, "tickets": f"http://127.0.0.1:{server.server_port}/graphql"}
    try:
        with extra_gateway(stack, tmp_path_factory.mktemp("overloaded"),
                           gateway_settings(secret=stack.data.secret()), urls) as url:
            yield url
    finally:
        server.shutdown()


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
    """The errors' codes; none may carry Hive's upstream request or response (or a status)."""
    for error in body.get("errors") or []:
        assert not {"request", "response", "http"} & error["extensions"].keys(), error
    return [e["extensions"]["code"] for e in body.get("errors") or []]


# The gateway each failing service sits behind (fixtures above), and the code it answers with.
FAILURES = {"timeout": ("impatient_gateway", "GATEWAY_TIMEOUT"),
            "refusal": ("overloaded_gateway", "OVERLOADED")}


@pytest.mark.parametrize(("failure", "status", "retry_after"),
                         [("timeout", 504, None), ("refusal", 503, "3")])
def test_a_failure_alone_has_its_status_and_no_data(stack: DevStack, request: pytest.FixtureRequest,
                                                    failure: str, status: int,
                                                    retry_after: str | None) -> None:
    gateway, code = FAILURES[failure]
    response = ask(request.getfixturevalue(gateway), stack.token(),
                   f'{{ ticket(id: "{NOWHERE}") {{ id }} }}')
    assert response.status_code == status, response.text
    assert response.headers.get("retry-after") == retry_after
    assert "data" not in response.json() and codes(response.json()) == [code]


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failure_beside_an_answer_is_200_with_the_data(stack: DevStack, gql: Any,
                                                         request: pytest.FixtureRequest,
                                                         failure: str) -> None:
    gateway, code = FAILURES[failure]
    unit = gql(UNIT, i={"id": "0a7f3c8e-2b1d-4e55-9c3a-5d1e6f7a8b91", "name": "超时县",
                        "kind": "COUNTY"})["data"]["createOrgUnit"]["id"]
    response = ask(request.getfixturevalue(gateway), stack.token(),
                   f'{{ orgUnit(id: "{unit}") {{ id }} ticket(id: "{NOWHERE}") {{ id }} }}')
    assert response.status_code == 200, response.text
    assert response.json()["data"]["orgUnit"] == {"id": unit}
    assert codes(response.json()) == [code]
