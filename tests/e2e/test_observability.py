"""Observability of the whole stack, done-when of issue 7: a ticket submitted through the
gateway yields ONE trace spanning the gateway, the tickets service, its outbox relay and the
assessment consumer, exported over OTLP/HTTP (to a tiny receiver in this test); the services'
/metrics count the operation; their log lines are JSON with the service name."""

from __future__ import annotations

import gzip
import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from lianxin.kit.devstack.demo import post_graphql
from lianxin.kit.devstack.processes import free_port
from lianxin.kit.devstack.stack import DevStack
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.e2e

CREATE = ("mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) {"
          " ... on OrgUnit { id } ... on UserError { code } } }")
SUBMIT = ("mutation SubmitTicket($i: SubmitTicketInput!) { submitTicket(input: $i) {"
          " ... on Ticket { id status } ... on UserError { code } } }")


class Receiver:
    """An OTLP/HTTP trace receiver keeping spans in memory: protobuf (the Python SDK) and JSON
    (the gateway's exporter) bodies alike, as {service, trace, span, parent, name}."""

    def __init__(self) -> None:
        self.spans: list[dict[str, str]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.body()
                spans = (receiver.from_json(json.loads(body))
                         if "json" in self.headers.get("content-type", "")
                         else receiver.from_protobuf(body))
                with receiver.lock:
                    receiver.spans.extend(spans)
                self.send_response(200)
                self.send_header("content-type", self.headers.get("content-type", ""))
                self.end_headers()
                self.wfile.write(b"{}" if "json" in self.headers.get("content-type", "") else b"")

            def body(self) -> bytes:
                if "chunked" in self.headers.get("transfer-encoding", ""):
                    raw = b""
                    while size := int(self.rfile.readline().strip() or b"0", 16):
                        raw += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                else:
                    raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.headers.get("content-encoding") == "gzip":
                    raw = gzip.decompress(raw)
                return raw

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def from_protobuf(body: bytes) -> list[dict[str, str]]:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        out = []
        for rs in request.resource_spans:
            service = next((a.value.string_value for a in rs.resource.attributes
                            if a.key == "service.name"), "")
            for ss in rs.scope_spans:
                out += [{"service": service, "trace": s.trace_id.hex(), "span": s.span_id.hex(),
                         "parent": s.parent_span_id.hex(), "name": s.name} for s in ss.spans]
        return out

    @staticmethod
    def from_json(body: dict[str, Any]) -> list[dict[str, str]]:
        out = []
        for rs in body.get("resourceSpans", []):
            service = next((a["value"].get("stringValue", "") for a in
                            rs.get("resource", {}).get("attributes", [])
                            if a["key"] == "service.name"), "")
            for ss in rs.get("scopeSpans", []):
                out += [{"service": service, "trace": s["traceId"].lower(),
                         "span": s["spanId"].lower(), "parent": (s.get("parentSpanId") or "").lower(),
                         "name": s["name"]} for s in ss.get("spans", [])]
        return out

    def snapshot(self) -> list[dict[str, str]]:
        with self.lock:
            return list(self.spans)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[DevStack]:
    """A stack of its own whose processes all export to the receiver (they inherit the
    environment); spans are sent within 0.2 s instead of the default 5 s."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
        env.setenv("OTEL_BSP_SCHEDULE_DELAY", "200")
        with DevStack(Path(tmp_path_factory.mktemp("traced")), gateway_port=0) as stack:
            yield stack


def wait_for(check: Any, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def submit_ticket(stack: DevStack) -> str:
    token = stack.token()
    county, town = str(uuid.uuid4()), str(uuid.uuid4())
    for unit in ({"id": county, "name": "追踪县", "kind": "COUNTY"},
                 {"id": town, "name": "追踪镇", "kind": "TOWNSHIP", "parentId": county}):
        result = post_graphql(stack.gateway_url, CREATE, {"i": unit}, token)
        assert result["data"]["createOrgUnit"]["id"] == unit["id"], result
    ticket = {"id": str(uuid.uuid4()), "orgUnitId": town, "channel": "HOTLINE",
              "category": "water", "text": "自来水停了，联系电话13912345678"}

    def attempt() -> dict[str, Any] | None:  # tickets learns of new org units from events
        result = post_graphql(stack.gateway_url, SUBMIT, {"i": ticket}, token)
        answer = (result.get("data") or {}).get("submitTicket") or {}
        return None if answer.get("code") == "UNKNOWN_ORG_UNIT" else result

    result = wait_for(attempt)
    assert result == {"data": {"submitTicket": {"id": ticket["id"], "status": "RECEIVED"}}}
    return ticket["id"]


def test_a_submitted_ticket_is_one_trace_from_gateway_to_assessment(
        traced: DevStack, receiver: Receiver) -> None:
    submit_ticket(traced)

    def whole_trace() -> list[dict[str, str]] | None:
        spans = receiver.snapshot()
        for publish in (s for s in spans if s["name"] == "publish tickets.v1"):
            same = [s for s in spans if s["trace"] == publish["trace"]]
            services = {s["service"] for s in same}
            if {"lianxin-gateway", "lianxin-tickets", "lianxin-assessment"} <= services and any(
                    s["name"] == "process tickets.v1" and s["service"] == "lianxin-assessment"
                    for s in same):
                return same
        return None

    trace = wait_for(whole_trace)
    seen = sorted({(s["service"], s["name"]) for s in receiver.snapshot()})
    assert trace, f"no trace spans all four; spans seen: {seen}"
    by_id = {s["span"]: s for s in trace}
    # The chain: assessment's consumer span -> the relay's publish -> the tickets request span
    # (named after the operation the gateway sent) -> a gateway span.
    [process] = [s for s in trace if s["name"] == "process tickets.v1"
                 and s["service"] == "lianxin-assessment"]
    publish = by_id[process["parent"]]
    assert publish["name"] == "publish tickets.v1" and publish["service"] == "lianxin-tickets"
    request = by_id[publish["parent"]]
    assert request["service"] == "lianxin-tickets" and request["name"].startswith("mutation")
    assert by_id[request["parent"]]["service"] == "lianxin-gateway"


def test_metrics_count_the_operation_and_logs_are_json_without_personal_data(
        traced: DevStack) -> None:
    submit_ticket(traced)
    metrics_url = traced.service_url("tickets").removesuffix("/graphql") + "/metrics"
    with urllib.request.urlopen(metrics_url, timeout=10) as response:  # no token
        text = response.read().decode()
    mutations = sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                    if s.name == "lianxin_graphql_requests_total"
                    and s.labels.get("service") == "tickets"
                    and s.labels.get("operation_type") == "mutation")
    assert mutations >= 1
    for name in ("tickets.serve", "tickets.work", "assessment.work"):
        text = (traced.logs_dir / f"{name}.log").read_text()
        assert "13912345678" not in text
        objects = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert objects, f"{name}.log has no JSON lines"
        assert {o.get("service") for o in objects} == {name.split(".")[0]}


def test_the_overdue_gauge_counts_open_tickets_past_their_deadline(traced: DevStack) -> None:
    import asyncio
    import datetime as dt

    from lianxin.kit.db import make_engine, make_sessions
    from lianxin.tickets.app.common import set_clock_offset
    from lianxin.tickets.overdue_gauge import count_overdue_open
    from prometheus_client import REGISTRY

    submit_ticket(traced)

    async def count(offset: dt.timedelta) -> int:
        engine = make_engine(traced.database_url("tickets"))
        set_clock_offset(offset)
        try:
            return await count_overdue_open(make_sessions(engine))
        finally:
            set_clock_offset(dt.timedelta(0))
            await engine.dispose()

    now = asyncio.run(count(dt.timedelta(0)))
    later = asyncio.run(count(dt.timedelta(days=60)))  # every deadline of a new ticket passed
    assert later >= now + 1
    assert REGISTRY.get_sample_value("lianxin_tickets_overdue_open") == later  # the last count
