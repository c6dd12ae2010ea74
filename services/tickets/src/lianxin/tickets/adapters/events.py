"""Map domain events to protobuf, and people-service events to commands."""

from __future__ import annotations

import uuid

from lianxin.events.v1 import people_pb2, tickets_pb2
from lianxin.kit.envelope import PendingEvent
from lianxin.tickets.app.commands import RecordOrgUnit
from lianxin.tickets.domain.events import Event, TicketSubmitted
from lianxin.tickets.domain.ticket import OrgUnitRef

TOPIC = "tickets.v1"


def to_pending(event: Event) -> PendingEvent:
    if isinstance(event, TicketSubmitted):
        t = event.ticket
        return PendingEvent("ticket", str(t.id), t.version, tickets_pb2.TicketSubmitted(
            ticket_id=str(t.id),
            org_unit_id=str(t.org_unit_id),
            org_path=[str(p) for p in t.org_path],
            channel=tickets_pb2.Channel.Value(f"CHANNEL_{t.channel.name}"),
            category=t.category,
            text_length=len(t.text),
        ))
    raise TypeError(f"no protobuf mapping for {type(event).__name__}")


def record_org_unit_from(msg: people_pb2.OrgUnitCreated) -> RecordOrgUnit:
    kind = people_pb2.OrgUnitKind.Name(msg.kind).removeprefix("ORG_UNIT_KIND_").lower()
    return RecordOrgUnit(OrgUnitRef(
        id=uuid.UUID(msg.org_unit_id),
        parent_id=uuid.UUID(msg.parent_id) if msg.parent_id else None,
        name=msg.name, kind=kind, path=tuple(uuid.UUID(p) for p in msg.path)))
