"""Map domain events to protobuf messages in the shared envelope: ids and masked values only —
no name, phone or ID number, address or hardship leaves the people service in clear."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2 as pb
from lianxin.kit.envelope import PendingEvent
from lianxin.kit.pii import mask_address, mask_phone
from lianxin.people.domain import events as ev

TOPIC = "people.v1"


def _ids(values: Iterable[uuid.UUID]) -> list[str]:
    return [str(v) for v in values]


def _opt(value: object | None) -> str:
    return "" if value is None else str(value)


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _enum(enum_type: Any, prefix: str, member: Any) -> Any:
    return 0 if member is None else enum_type.Value(f"{prefix}_{member.name}")


def _org_unit(e: ev.OrgUnitCreated) -> PendingEvent:
    u = e.org_unit
    return PendingEvent("org_unit", str(u.id), u.version, pb.OrgUnitCreated(
        org_unit_id=str(u.id), parent_id=_opt(u.parent_id), name=u.name,
        kind=_enum(pb.OrgUnitKind, "ORG_UNIT_KIND", u.kind), path=_ids(u.path),
        subkind=_enum(pb.OrgUnitSubkind, "ORG_UNIT_SUBKIND", u.subkind)))


def _renamed(e: ev.OrgUnitRenamed) -> PendingEvent:
    u = e.org_unit
    return PendingEvent("org_unit", str(u.id), u.version,
                        pb.OrgUnitRenamed(org_unit_id=str(u.id), name=u.name))


def _moved(e: ev.OrgUnitMoved) -> PendingEvent:
    u = e.org_unit
    return PendingEvent("org_unit", str(u.id), u.version, pb.OrgUnitMoved(
        org_unit_id=str(u.id), parent_id=_opt(u.parent_id), path=_ids(u.path),
        old_path=_ids(e.old_path)))


def _household(e: ev.HouseholdRegistered | ev.HouseholdChanged) -> PendingEvent:
    h = e.household
    fields: dict[str, Any] = dict(household_id=str(h.id), org_unit_id=str(h.org_unit_id),
                  org_path=_ids(h.org_path), address_masked=mask_address(h.address),
                  household_no=h.household_no)
    msg: Message = (pb.HouseholdRegistered(**fields) if isinstance(e, ev.HouseholdRegistered)
                    else pb.HouseholdChanged(**fields, head_resident_id=_opt(h.head_resident_id)))
    return PendingEvent("household", str(h.id), h.version, msg)


def _resident(e: ev.ResidentRegistered | ev.ResidentChanged) -> PendingEvent:
    r = e.resident
    fields: dict[str, Any] = dict(resident_id=str(r.id), household_id=str(r.household_id),
                  org_unit_id=str(r.org_unit_id), org_path=_ids(r.org_path),
                  phone_masked=mask_phone(r.phone) if r.phone else "")
    cls = pb.ResidentRegistered if isinstance(e, ev.ResidentRegistered) else pb.ResidentChanged
    return PendingEvent("resident", str(r.id), r.version, cls(**fields))


def _tag(e: ev.NeedsTagAdded | ev.NeedsTagRemoved) -> PendingEvent:
    t, h = e.tag, e.household
    msg: Message
    if isinstance(e, ev.NeedsTagAdded):
        msg = pb.NeedsTagAdded(tag_id=str(t.id), household_id=str(h.id), org_path=_ids(h.org_path),
                               since=_day(t.since), until=_day(t.until))
    else:
        msg = pb.NeedsTagRemoved(tag_id=str(t.id), household_id=str(h.id),
                                 org_path=_ids(h.org_path), until=_day(t.until))
    # Keyed by household: one household's register changes stay in order.
    return PendingEvent("household", str(h.id), h.version, msg)


def _cadre(e: ev.CadreRegistered) -> PendingEvent:
    c = e.cadre
    return PendingEvent("cadre", str(c.id), c.version, pb.CadreRegistered(
        cadre_id=str(c.id), work_unit_id=str(c.work_unit_id), org_path=_ids(c.org_path),
        rank=_enum(pb.CadreRank, "CADRE_RANK", c.rank), party_member=c.party_member,
        branch_id=_opt(c.branch_id), subject=c.subject or "",
        duty_post=c.duty_post.value if c.duty_post else ""))


def _pairing(e: ev.PairingCreated | ev.PairingEnded) -> PendingEvent:
    p = e.pairing
    msg: Message
    if isinstance(e, ev.PairingCreated):
        msg = pb.PairingCreated(
            pairing_id=str(p.id), cadre_id=str(p.cadre_id), household_id=_opt(p.household_id),
            contact_point_id=_opt(p.contact_point_id), campaign_id=_opt(p.campaign_id),
            org_path=_ids(p.org_path), started_on=_day(p.started_on), card_no=p.card_no)
    else:
        msg = pb.PairingEnded(
            pairing_id=str(p.id), cadre_id=str(p.cadre_id), household_id=_opt(p.household_id),
            contact_point_id=_opt(p.contact_point_id), ended_on=_day(p.ended_on),
            reason=p.end_reason or "")
    return PendingEvent("pairing", str(p.id), p.version, msg)


def _visit(e: ev.VisitLogged) -> PendingEvent:
    v = e.visit
    return PendingEvent("visit", str(v.id), 1, pb.VisitLogged(
        visit_id=str(v.id), kind=_enum(pb.VisitKind, "VISIT_KIND", v.kind),
        cadre_id=str(v.cadre_id), participant_cadre_ids=_ids(v.participant_cadre_ids),
        household_ids=_ids(v.household_ids), org_unit_id=str(v.org_unit_id),
        org_path=_ids(v.org_path), visited_on=_day(v.visited_on), ticket_ids=_ids(v.ticket_ids),
        campaign_id=_opt(v.campaign_id)))


def _campaign(e: ev.CampaignCreated) -> PendingEvent:
    c = e.campaign
    return PendingEvent("campaign", str(c.id), c.version, pb.CampaignCreated(
        campaign_id=str(c.id), name=c.name, org_unit_id=str(c.org_unit_id),
        org_path=_ids(c.org_path), starts_on=_day(c.starts_on), ends_on=_day(c.ends_on),
        min_households=c.min_households or 0,
        quota_by_rank={rank.name: n for rank, n in c.quota_by_rank},
        coverage_target=c.coverage_target, org_unit_ids=_ids(c.org_unit_ids),
        cadre_ids=_ids(c.cadre_ids)))


_MAPPERS: dict[type, Callable[[Any], PendingEvent]] = {
    ev.OrgUnitCreated: _org_unit, ev.OrgUnitRenamed: _renamed, ev.OrgUnitMoved: _moved,
    ev.HouseholdRegistered: _household, ev.HouseholdChanged: _household,
    ev.ResidentRegistered: _resident, ev.ResidentChanged: _resident,
    ev.NeedsTagAdded: _tag, ev.NeedsTagRemoved: _tag, ev.CadreRegistered: _cadre,
    ev.PairingCreated: _pairing, ev.PairingEnded: _pairing, ev.VisitLogged: _visit,
    ev.CampaignCreated: _campaign,
}


def to_pending(event: ev.Event) -> PendingEvent:
    """The outbox form of a domain event."""
    mapper = _MAPPERS.get(type(event))
    if mapper is None:
        raise TypeError(f"no protobuf mapping for {type(event).__name__}")
    return mapper(event)
