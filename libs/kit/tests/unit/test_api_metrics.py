"""The API's /metrics (the kit's app, in process, no database): served without a token in the
Prometheus text format, counting and timing operations by type and name — bounded names, never
variables — and the worker's metrics port setting."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
import strawberry
from fastapi.testclient import TestClient
from lianxin.kit.app import create_app
from lianxin.kit.auth import issue_token
from lianxin.kit.db import READ_ONLY
from lianxin.kit.graphql import make_schema
from lianxin.kit.metrics import operation_label
from lianxin.kit.settings import KitSettings
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

SECRET = "metrics-secret-" + "m" * 32
SERVICE = "metricsprobe"  # its own service label: other tests' requests do not count here
PHONE = "13912345678"


@strawberry.type
class Query:
    @strawberry.field
    def echo(self, text: str) -> str:
        return text

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("boom")

    @strawberry.field
    async def reads_without_transaction(self) -> bool:
        return READ_ONLY.get()


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> bool:
        return True

    @strawberry.mutation
    async def writes_without_transaction(self) -> bool:
        return READ_ONLY.get()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = KitSettings(  # type: ignore[call-arg]
        environment="test", database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        kafka_bootstrap="unused:9092", jwt_secret=SECRET)
    with TestClient(create_app(SERVICE, settings, make_schema(Query, Mutation))) as c:
        yield c


def post(client: TestClient, query: str, variables: dict[str, object] | None = None) -> None:
    token = issue_token(secret=SECRET, subject="cadre-1", role="cadre")
    response = client.post("/graphql", json={"query": query, "variables": variables or {}},
                           headers={"authorization": f"Bearer {token}"})
    assert response.status_code in (200, 400), response.text


def scrape(client: TestClient) -> tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    response = client.get("/metrics")  # no token
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            if s.labels.get("service") == SERVICE:
                samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return response.text, samples


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    return samples.get((name, tuple(sorted({"service": SERVICE, **labels}.items()))), 0.0)


def test_operations_are_counted_and_timed_by_type_and_name(client: TestClient) -> None:
    _, before = scrape(client)
    post(client, "query Greet($t: String!) { echo(text: $t) }", {"t": PHONE})
    post(client, "query Greet($t: String!) { echo(text: $t) }", {"t": "again"})
    post(client, "mutation { touch }")
    post(client, "query Failing { broken }")
    text, after = scrape(client)

    def grew(name: str, by: float, **labels: str) -> None:
        got = value(after, name, **labels) - value(before, name, **labels)
        assert got == by, f"{name}{labels}: +{got}, expected +{by}"

    grew("lianxin_graphql_requests_total", 2, operation_type="query", operation_name="Greet",
         outcome="ok")
    grew("lianxin_graphql_requests_total", 1, operation_type="mutation",
         operation_name="anonymous", outcome="ok")
    grew("lianxin_graphql_requests_total", 1, operation_type="query",
         operation_name="Failing", outcome="error")
    grew("lianxin_graphql_request_duration_seconds_count", 2, operation_type="query",
         operation_name="Greet")
    assert value(after, "lianxin_graphql_request_duration_seconds_sum", operation_type="query",
                 operation_name="Greet") > 0
    # Variables are never labels (nor anywhere else in the exposition).
    assert PHONE not in text


def test_a_document_that_does_not_parse_counts_as_unknown(client: TestClient) -> None:
    _, before = scrape(client)
    post(client, "query {")
    _, after = scrape(client)
    key = {"operation_type": "unknown", "operation_name": "anonymous", "outcome": "error"}
    assert value(after, "lianxin_graphql_requests_total", **key) == value(
        before, "lianxin_graphql_requests_total", **key) + 1


def test_metrics_need_no_token_but_graphql_still_does(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 200
    assert client.post("/graphql", json={"query": "{ echo(text: \"x\") }"}).status_code == 401


@pytest.mark.parametrize(("name", "label"), [
    (None, "anonymous"), ("", "anonymous"), ("ListTickets", "ListTickets"),
    ("has space", "other"), ("x" * 65, "other"), ("名字", "other")])
def test_operation_names_are_bounded_labels(name: str | None, label: str) -> None:
    assert operation_label(name) == label


def test_worker_metrics_port_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    def port(value: str | None) -> int:
        if value is None:
            monkeypatch.delenv("LIANXIN_METRICS_PORT", raising=False)
        else:
            monkeypatch.setenv("LIANXIN_METRICS_PORT", value)
        return KitSettings(database_url="postgresql+asyncpg://x/y", kafka_bootstrap="x:1",
                           jwt_secret="s" * 40).metrics_port   # type: ignore[call-arg]

    assert (port(None), port("0"), port("9100")) == (9464, 0, 9100)
    for bad in ("abc", "-1", "70000"):
        with pytest.raises(ValidationError, match="metrics_port"):
            port(bad)


def test_the_worker_serves_metrics_on_its_port() -> None:
    from lianxin.kit.devstack.ports import free_port
    from lianxin.kit.metrics import OUTBOX_BACKLOG, serve_worker_metrics

    OUTBOX_BACKLOG.labels("workerprobe").set(7)
    port = serve_worker_metrics(free_port(), host="127.0.0.1")
    assert port is not None
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    [sample] = [s for f in text_string_to_metric_families(text) for s in f.samples
                if s.name == "lianxin_outbox_backlog" and s.labels == {"service": "workerprobe"}]
    assert sample.value == 7
    assert serve_worker_metrics(0) is None  # 0: off


def test_only_a_query_reads_without_a_transaction(client: TestClient) -> None:
    token = issue_token(secret=SECRET, subject="cadre-1", role="cadre")
    auth = {"authorization": f"Bearer {token}"}
    query = client.post("/graphql", json={"query": "{ readsWithoutTransaction }"}, headers=auth)
    mutation = client.post("/graphql", json={"query": "mutation { writesWithoutTransaction }"},
                           headers=auth)
    assert query.json()["data"] == {"readsWithoutTransaction": True}
    assert mutation.json()["data"] == {"writesWithoutTransaction": False}
    assert READ_ONLY.get() is False  # reset after the request
