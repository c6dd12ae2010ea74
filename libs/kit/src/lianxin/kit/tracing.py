"""OpenTelemetry traces: one trace from the gateway through a service's GraphQL request, the
outbox row (its Envelope keeps the W3C traceparent), the relay's publish (traceparent in the
Kafka headers) and every consumer that handles the event.

Spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard OTEL_*
variables tune the exporter and batching); otherwise they are made but not sent, so logs still
carry a trace id that links a request's lines to the events it caused.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

log = logging.getLogger(__name__)

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"
TRACEPARENT = "traceparent"
REQUEST_ID_HEADER = "x-request-id"
tracer = trace.get_tracer("lianxin.kit")
# The request id of the GraphQL request being served (the gateway's x-request-id, or ours).
request_id: ContextVar[str | None] = ContextVar("lianxin_request_id", default=None)
_configured = False


def configure_tracing(service: str, environ: Mapping[str, str] | None = None) -> bool:
    """Install the process's tracer provider (once); True when spans are exported."""
    global _configured
    if _configured:
        return _exporting(environ)
    provider = TracerProvider(resource=Resource.create({"service.name": f"lianxin-{service}",
                                                        "service.namespace": "lianxin"}))
    exporting = _exporting(environ)
    if exporting:
        # Imported only when used: the exporter pulls in requests and protobuf encoders.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        log.info("exporting traces over OTLP/HTTP to %s",
                 (environ or os.environ)[ENDPOINT_VARIABLE])
    trace.set_tracer_provider(provider)
    _configured = True
    return exporting


def _exporting(environ: Mapping[str, str] | None) -> bool:
    return bool((environ if environ is not None else os.environ).get(ENDPOINT_VARIABLE, "").strip())


def current_traceparent() -> str:
    """The W3C traceparent of the current span ("" when there is none)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT, "")


def context_from_traceparent(traceparent: str) -> Context | None:
    """The context a W3C traceparent names (None for "" or a malformed one)."""
    if not traceparent:
        return None
    ctx = propagate.extract({TRACEPARENT: traceparent})
    return ctx if trace.get_current_span(ctx).get_span_context().is_valid else None


def kafka_headers(ctx: Context | None = None) -> list[tuple[str, bytes]]:
    """Kafka headers carrying the trace context (the current one when `ctx` is None)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=ctx)
    return [(k, v.encode()) for k, v in carrier.items()]


def context_from_kafka(headers: Sequence[tuple[str, bytes]] | None,
                       fallback_traceparent: str = "") -> Context | None:
    """The trace context of a Kafka record: its headers, else the Envelope's traceparent (for
    records published before the relay put it in headers)."""
    carrier = {k: v.decode("latin-1") for k, v in headers or () if k in (TRACEPARENT, "tracestate")}
    if TRACEPARENT in carrier:
        ctx = propagate.extract(carrier)
        if trace.get_current_span(ctx).get_span_context().is_valid:
            return ctx
    return context_from_traceparent(fallback_traceparent)


def trace_id() -> str | None:
    """The current trace id as 32 hex digits, or None outside any trace."""
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


def fail_span(span: trace.Span, exc: BaseException) -> None:
    """Mark a span failed with the error's class only: messages may quote personal data."""
    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))


class TraceRequests:
    """ASGI middleware: a SERVER span per HTTP request to /graphql, continuing the caller's
    W3C traceparent, with the request id (x-request-id, else a new one) bound for the logs
    and echoed in the response. Websockets and the health and metrics endpoints pass through."""

    def __init__(self, app: Any, prefixes: Iterable[str] = ("/graphql",)) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        rid = _safe_request_id(headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
        token = request_id.set(rid)

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
                span.set_attribute("http.response.status_code", message["status"])
            await send(message)

        try:
            with tracer.start_as_current_span(
                    f"{scope['method']} {scope['path']}", context=propagate.extract(headers),
                    kind=SpanKind.SERVER,
                    attributes={"http.request.method": scope["method"],
                                "url.path": scope["path"], "lianxin.request_id": rid}) as span:
                await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


def _safe_request_id(value: str | None) -> str | None:
    """A caller's request id, if it is short and plain (it lands in every log line)."""
    if value and len(value) <= 128 and all(c.isalnum() or c in "-_.:" for c in value):
        return value
    return None
