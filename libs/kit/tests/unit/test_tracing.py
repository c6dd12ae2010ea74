"""Traces in the API (the kit's app, in process): a span per GraphQL request that continues the
caller's W3C traceparent and is named after the operation, the request id echoed, and events
raised while serving it carry the trace in their Envelope; Kafka header round trip."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import strawberry
from fastapi.testclient import TestClient
from lianxin.events.v1 import people_pb2
from lianxin.kit import tracing
from lianxin.kit.app import create_app
from lianxin.kit.auth import SYSTEM, issue_token
from lianxin.kit.envelope import PendingEvent, wrap
from lianxin.kit.graphql import make_schema
from lianxin.kit.settings import KitSettings
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

SECRET = "tracing-secret-" + "t" * 32
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
raised: list[str] = []  # traceparents of the envelopes the mutation built


@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> bool:
        return True


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_unit(self) -> bool:
        env = wrap(PendingEvent("org_unit", "u1", 1, people_pb2.OrgUnitCreated(org_unit_id="u1")),
                   SYSTEM)
        raised.append(env.trace.traceparent)
        return True


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture(scope="module")
def client(spans: InMemorySpanExporter) -> Iterator[TestClient]:
    settings = KitSettings(  # type: ignore[call-arg]
        environment="test", database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        kafka_bootstrap="unused:9092", jwt_secret=SECRET)
    with TestClient(create_app("traceprobe", settings, make_schema(Query, Mutation))) as c:
        yield c


def post(client: TestClient, query: str, **headers: str) -> dict[str, str]:
    token = issue_token(secret=SECRET, subject="cadre-1", role="cadre")
    response = client.post("/graphql", json={"query": query},
                           headers={"authorization": f"Bearer {token}", **headers})
    assert response.status_code == 200, response.text
    return dict(response.headers)


def test_a_request_continues_the_callers_trace_and_its_events_carry_it(
        client: TestClient, spans: InMemorySpanExporter) -> None:
    spans.clear()
    raised.clear()
    headers = post(client, "mutation CreateUnit { createUnit }", traceparent=PARENT,
                   **{"x-request-id": "gw-req-1"})
    [span] = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None and format(span.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert span.name == "mutation CreateUnit"
    assert span.attributes is not None and span.attributes["lianxin.request_id"] == "gw-req-1"
    assert headers["x-request-id"] == "gw-req-1"
    # The event raised inside names the request's span as its parent: the consumer continues it.
    assert raised == [f"00-{TRACE_ID}-{span.context.span_id:016x}-01"]


def test_without_a_traceparent_a_trace_and_request_id_are_started(
        client: TestClient, spans: InMemorySpanExporter) -> None:
    spans.clear()
    headers = post(client, "query { ping }", **{"x-request-id": "bad id with spaces"})
    [span] = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert span.parent is None and span.name == "query anonymous"
    assert headers["x-request-id"] != "bad id with spaces" and len(headers["x-request-id"]) == 32


def test_health_and_metrics_make_no_spans(client: TestClient, spans: InMemorySpanExporter) -> None:
    spans.clear()
    client.get("/healthz")
    client.get("/metrics")
    assert [(s.name, s.kind) for s in spans.get_finished_spans()] == []


def test_kafka_headers_round_trip(spans: InMemorySpanExporter) -> None:
    with tracing.tracer.start_as_current_span("publish") as span:
        headers = tracing.kafka_headers()
    ctx = tracing.context_from_kafka(headers)
    assert ctx is not None
    assert trace.get_current_span(ctx).get_span_context().span_id == span.get_span_context().span_id
    # Records without headers fall back to the Envelope's traceparent; garbage gives none.
    fallback = tracing.context_from_kafka([], PARENT)
    assert fallback is not None
    assert trace.get_current_span(fallback).get_span_context().trace_id == int(TRACE_ID, 16)
    assert tracing.context_from_kafka([("traceparent", b"garbage")], "") is None
