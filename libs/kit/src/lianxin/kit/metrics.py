"""Prometheus metrics of every service (names and meaning: docs/operations.md, "Dashboards").

The API serves them at /metrics (app.py); the worker on LIANXIN_METRICS_PORT (`serve_worker_
metrics`). Labels are bounded on purpose: operation names are cut to plain identifiers, and
nothing ever carries variables, ids or personal data.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import start_http_server

log = logging.getLogger(__name__)

DEFAULT_WORKER_PORT = 9464
METRICS_PORT_VARIABLE = "LIANXIN_METRICS_PORT"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# A client chooses its operation names; anything that is not a short identifier becomes
# "other", so a hostile or generated name cannot grow the label set without bound.
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")

GRAPHQL_REQUESTS = Counter(
    "lianxin_graphql_requests", "GraphQL operations executed",
    ["service", "operation_type", "operation_name", "outcome"])
GRAPHQL_DURATION = Histogram(
    "lianxin_graphql_request_duration_seconds",
    "Time to parse, validate and execute one GraphQL operation",
    ["service", "operation_type", "operation_name"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
# Admission control (admission.py): requests refused because the process was saturated —
# `busy`: no free slot within the wait; `pool_timeout`: no database connection in time.
OVERLOAD_REJECTIONS = Counter("lianxin_overload_rejections",
                              "Requests refused with OVERLOADED because the process was saturated",
                              ["service", "reason"])
IN_FLIGHT = Gauge("lianxin_graphql_in_flight",
                  "GraphQL HTTP requests executing now (at most LIANXIN_MAX_IN_FLIGHT)", ["service"])
OUTBOX_BACKLOG = Gauge("lianxin_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("lianxin_outbox_oldest_age_seconds",
                          "Age of the oldest unpublished outbox row (0 when none)", ["service"])
OUTBOX_PUBLISHED = Counter("lianxin_outbox_published", "Outbox rows published to Kafka",
                           ["service"])
CONSUMER_LAG = Gauge("lianxin_consumer_lag",
                     "Messages after the consumer group's position (end offset - position)",
                     ["group", "topic", "partition"])
CONSUMER_APPLIED = Counter("lianxin_consumer_applied", "Events a consumer applied", ["group"])
DLQ_MESSAGES = Counter("lianxin_dlq_messages", "Messages a consumer sent to <topic>.dlq",
                       ["group", "topic"])
TICKETS_OVERDUE_OPEN = Gauge("lianxin_tickets_overdue_open",
                             "Open tickets whose running clock is past its deadline")


def operation_label(name: str | None) -> str:
    """The operation name as a label value: `anonymous`, the name, or `other`."""
    if not name:
        return "anonymous"
    return name if _OPERATION_NAME.fullmatch(name) else "other"


def exposition() -> bytes:
    """Every metric of this process in the Prometheus text format."""
    return generate_latest()


@asynccontextmanager
async def timed_operation(service: str) -> AsyncIterator[dict[str, str]]:
    """Count and time one GraphQL operation; the caller fills in `type`, `name`, `outcome`
    once it knows them (after parsing)."""
    seen = {"type": "unknown", "name": "anonymous", "outcome": "ok"}
    started = time.perf_counter()
    try:
        yield seen
    except BaseException:
        seen["outcome"] = "error"
        raise
    finally:
        GRAPHQL_DURATION.labels(service, seen["type"], seen["name"]).observe(
            time.perf_counter() - started)
        GRAPHQL_REQUESTS.labels(service, seen["type"], seen["name"], seen["outcome"]).inc()


def serve_worker_metrics(port: int, host: str = "0.0.0.0") -> int | None:
    """Serve /metrics from a background thread on `port` (0: not at all); the bound port.
    Every interface: Prometheus scrapes the worker's pod or container from outside."""
    if port == 0:
        log.info("worker metrics are off (%s=0)", METRICS_PORT_VARIABLE)
        return None
    server, _thread = start_http_server(port, addr=host)
    bound = int(server.server_address[1])
    log.info("worker metrics on port %d at /metrics", bound)
    return bound
