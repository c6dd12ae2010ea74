"""Map domain events to protobuf messages in the shared envelope."""

from __future__ import annotations

from lianxin.events.v1 import people_pb2
from lianxin.kit.envelope import PendingEvent
from lianxin.people.domain.events import Event, OrgUnitCreated

TOPIC = "people.v1"


def to_pending(event: Event) -> PendingEvent:
    if isinstance(event, OrgUnitCreated):
        unit = event.org_unit
        return PendingEvent("org_unit", str(unit.id), unit.version, people_pb2.OrgUnitCreated(
            org_unit_id=str(unit.id),
            parent_id=str(unit.parent_id) if unit.parent_id else "",
            name=unit.name,
            kind=people_pb2.OrgUnitKind.Value(f"ORG_UNIT_KIND_{unit.kind.name}"),
            path=[str(p) for p in unit.path],
        ))
    raise TypeError(f"no protobuf mapping for {type(event).__name__}")
