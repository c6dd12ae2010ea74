"""A subgraph over HTTP and WebSocket (the kit's app, in process, no database): 401 without a
valid token except the health endpoints and the dev GraphiQL page, content negotiation and
status codes as GraphQL over HTTP asks, coded errors from the HTTP layer, websockets refused
without a token in connection_init, and introspection off in production (`_service` kept)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import pytest
import strawberry
from fastapi.testclient import TestClient
from lianxin.kit.app import create_app
from lianxin.kit.auth import issue_token
from lianxin.kit.graphql import make_schema
from lianxin.kit.settings import KitSettings
from starlette.websockets import WebSocketDisconnect

SECRET = "probe-secret-" + "p" * 32
GRAPHQL_RESPONSE = "application/graphql-response+json"


@strawberry.type
class Query:
    @strawberry.field
    def whoami(self, info: strawberry.Info) -> str:
        return info.context.require().subject

    @strawberry.field
    def echo(self, n: int) -> int:
        return n

    @strawberry.field
    def broken(self, info: strawberry.Info) -> str:
        info.context.require("admin")
        return "never"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> bool:
        return True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self, info: strawberry.Info) -> AsyncGenerator[str, None]:
        subject = info.context.require().subject
        for n in range(2):
            yield f"{subject}:{n}"
            await asyncio.sleep(0)


SCHEMA = make_schema(Query, Mutation, subscription=Subscription)


def client_for(environment: str) -> Iterator[TestClient]:
    settings = KitSettings(  # type: ignore[call-arg]
        environment=environment, database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        kafka_bootstrap="unused:9092", jwt_secret=SECRET)
    with TestClient(create_app("probe", settings, SCHEMA)) as client:
        yield client


@pytest.fixture(scope="module")
def dev() -> Iterator[TestClient]:
    yield from client_for("dev")


@pytest.fixture(scope="module")
def prod() -> Iterator[TestClient]:
    yield from client_for("production")


def bearer(role: str = "cadre", subject: str = "cadre-1", secret: str = SECRET) -> dict[str, str]:
    return {"authorization": "Bearer " + issue_token(secret=secret, subject=subject, role=role)}


def post(client: TestClient, query: str, headers: dict[str, str] | None = None,
         accept: str = "application/json", **variables: Any) -> Any:
    return client.post("/graphql", json={"query": query, "variables": variables},
                       headers={"accept": accept, **(headers or {})})


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
def test_no_token_is_a_401_with_a_graphql_error_body(dev: TestClient, accept: str) -> None:
    response = post(dev, "{ whoami }", accept=accept)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(accept)
    assert response.headers["www-authenticate"] == 'Bearer realm="lianxin"'
    assert response.json() == {"errors": [{
        "message": "sign in: send 'Authorization: Bearer <token>'",
        "extensions": {"code": "UNAUTHENTICATED"}}]}


@pytest.mark.parametrize(("headers", "message"), [
    (bearer(secret="another-secret-" + "x" * 32), "not valid"),
    ({"authorization": "Basic abc"}, "Bearer <token>"),
])
def test_a_bad_token_is_a_401_saying_what_is_wrong(dev: TestClient, headers: dict[str, str],
                                                    message: str) -> None:
    response = post(dev, "{ whoami }", headers)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"} and message in error["message"]


def test_the_401_comes_before_the_request_is_read(dev: TestClient) -> None:
    """Without a token nothing about the request is looked at: not even broken JSON."""
    response = dev.post("/graphql", content=b"{ not json", headers={"content-type": "application/json"})
    assert response.status_code == 401


def test_health_endpoints_need_no_token(dev: TestClient) -> None:
    assert dev.get("/healthz").json() == {"status": "ok", "service": "probe"}
    assert dev.get("/readyz").status_code == 503  # no database here, but answered, not a 401


def test_graphiql_page_is_open_in_dev_only(dev: TestClient, prod: TestClient) -> None:
    page = dev.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    closed = prod.get("/graphql", headers={"accept": "text/html"})
    assert closed.status_code == 401
    assert closed.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


def test_a_valid_token_gets_its_answer(dev: TestClient) -> None:
    response = post(dev, "{ whoami }", bearer(subject="cadre-7"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"whoami": "cadre-7"}}


@pytest.mark.parametrize(("accept", "status"), [
    (GRAPHQL_RESPONSE, 400), ("application/json", 200), ("*/*", 200),
    (f"{GRAPHQL_RESPONSE}, application/json", 400),
])
@pytest.mark.parametrize(("query", "variables", "code"), [
    ("{ whoami", {}, "GRAPHQL_PARSE_FAILED"),
    ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
    ("query($n: Int!) { echo(n: $n) }", {"n": None}, "GRAPHQL_VALIDATION_FAILED"),
])
def test_request_errors_have_no_data_and_are_400s_in_graphql_response_json(
        dev: TestClient, accept: str, status: int, query: str, variables: dict[str, Any],
        code: str) -> None:
    response = post(dev, query, bearer(), accept=accept, **variables)
    assert response.status_code == status
    expected = GRAPHQL_RESPONSE if accept.startswith(GRAPHQL_RESPONSE) else "application/json"
    assert response.headers["content-type"].startswith(expected)
    body = response.json()
    assert "data" not in body and [e["extensions"]["code"] for e in body["errors"]] == [code]


def test_a_field_error_keeps_its_data_and_a_200(dev: TestClient) -> None:
    """The request was fine and ran: the error belongs to a field (GraphQL over HTTP: 2xx)."""
    response = post(dev, "{ whoami broken }", bearer(), accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None  # broken is non-null, so its error nulls the whole result
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize(("request_kw", "status", "code"), [
    ({"content": b"{ not json", "headers": {"content-type": "application/json"}}, 400, "BAD_REQUEST"),
    ({"json": {"notquery": "{ whoami }"}}, 400, "BAD_REQUEST"),
    ({"json": {"query": "{ whoami }", "variables": "x"}}, 400, "BAD_REQUEST"),
    ({"json": [{"query": "{ whoami }"}]}, 400, "BAD_REQUEST"),
    ({"content": b"query", "headers": {"content-type": "text/plain"}}, 400, "BAD_REQUEST"),
])
def test_http_layer_errors_are_coded_json(dev: TestClient, request_kw: dict[str, Any],
                                          status: int, code: str) -> None:
    headers = {**bearer(), **request_kw.pop("headers", {})}
    response = dev.post("/graphql", headers=headers, **request_kw)
    assert response.status_code == status
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": code} and error["message"]


def test_mutations_over_get_are_refused(dev: TestClient) -> None:
    response = dev.get("/graphql", params={"query": "mutation { touch }"},
                       headers={**bearer(), "accept": GRAPHQL_RESPONSE})
    assert 400 <= response.status_code < 500
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    query = dev.get("/graphql", params={"query": "{ whoami }"}, headers=bearer(subject="g"))
    assert query.json() == {"data": {"whoami": "g"}}


def test_introspection_is_off_in_production_but_the_service_sdl_is_not(
        dev: TestClient, prod: TestClient) -> None:
    introspect = "{ __schema { queryType { name } } }"
    assert post(dev, introspect, bearer()).json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    refused = post(prod, introspect, bearer(), accept=GRAPHQL_RESPONSE)
    assert refused.status_code == 400
    assert {e["extensions"]["code"] for e in refused.json()["errors"]} == {"INTROSPECTION_DISABLED"}
    sdl = post(prod, "{ _service { sdl } }", bearer()).json()
    assert "whoami" in sdl["data"]["_service"]["sdl"]
    assert post(prod, "{ __typename }", bearer()).json() == {"data": {"__typename": "Query"}}


# --- websockets ------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", [{}, {"authorization": "Bearer forged"}, None])
def test_a_socket_without_a_valid_token_in_connection_init_is_closed(
        dev: TestClient, payload: dict[str, Any] | None) -> None:
    with dev.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", **({"payload": payload} if payload is not None else {})})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403  # graphql-transport-ws's Forbidden


@pytest.mark.parametrize("key", ["authorization", "Authorization"])
def test_a_socket_signs_in_with_connection_init_and_subscribes(dev: TestClient, key: str) -> None:
    token = bearer(subject="screen-1", role="screen")["authorization"]
    with dev.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {key: token}})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "subscription { ticks }"}})
        events = [ws.receive_json() for _ in range(3)]
    assert [e["payload"]["data"]["ticks"] for e in events[:2]] == ["screen-1:0", "screen-1:1"]
    assert events[2] == {"id": "1", "type": "complete"}


def test_a_socket_may_sign_in_with_the_upgrade_header(dev: TestClient) -> None:
    """Non-browser clients can send the header on the upgrade request instead."""
    with dev.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"],
                               headers=bearer(subject="svc")) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json() == {"type": "connection_ack"}


def test_the_legacy_protocol_is_refused_without_a_token(dev: TestClient) -> None:
    with dev.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        message = ws.receive_json()
    assert message["type"] == "connection_error"
    assert message["payload"]["extensions"] == {"code": "UNAUTHENTICATED"}
