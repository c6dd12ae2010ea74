"""Wrap domain events in the shared protobuf Envelope and unwrap them again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from google.protobuf import any_pb2, symbol_database
from google.protobuf.message import DecodeError, Message
from lianxin.events.v1 import envelope_pb2
from lianxin.kit.auth import Principal
from lianxin.kit.ids import uuid7
from lianxin.kit.tracing import current_traceparent


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event raised by a use case, not yet written to the outbox."""

    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    payload: Message
    # When it happened, if not now: an injected clock in tests, a ledger's historical date.
    occurred_at: dt.datetime | None = None


def wrap(event: PendingEvent, actor: Principal, *, occurred_at: dt.datetime | None = None,
         traceparent: str = "") -> envelope_pb2.Envelope:
    """Build an Envelope with a fresh UUIDv7 event id, in the trace of `traceparent` or else
    of the current span (the request or consumed event that caused it)."""
    env = envelope_pb2.Envelope(
        event_id=str(uuid7()),
        event_type=event.payload.DESCRIPTOR.full_name,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        aggregate_version=event.aggregate_version,
        actor=envelope_pb2.Actor(subject=actor.subject, role=actor.role),
        trace=envelope_pb2.TraceContext(traceparent=traceparent or current_traceparent()),
    )
    env.occurred_at.FromDatetime(occurred_at or dt.datetime.now(dt.UTC))
    payload = any_pb2.Any()
    payload.Pack(event.payload, type_url_prefix="type.lianxin.cn/")
    env.payload.CopyFrom(payload)
    return env


class UndecodableEvent(ValueError):
    """The bytes are not an Envelope, or its payload type is unknown to this build."""


def unwrap(data: bytes) -> tuple[envelope_pb2.Envelope, Message]:
    """Parse an Envelope and its payload; raise UndecodableEvent for poison bytes."""
    env = envelope_pb2.Envelope()
    try:
        env.ParseFromString(data)
    except DecodeError as exc:
        raise UndecodableEvent(f"not a lianxin Envelope: {exc}") from exc
    if not env.event_id or not env.event_type:
        raise UndecodableEvent("Envelope lacks event_id or event_type")
    try:
        cls = symbol_database.Default().GetSymbol(env.event_type)
    except KeyError as exc:
        raise UndecodableEvent(f"unknown event type {env.event_type!r}") from exc
    payload = cls()
    if not env.payload.Unpack(payload):
        raise UndecodableEvent(f"payload is not a {env.event_type}")
    return env, payload
