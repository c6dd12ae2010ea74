"""Mutation inputs of cadre work and their translation to app commands (ids parsed and phones
normalised here, so a malformed value becomes a typed error naming its field)."""

from __future__ import annotations

import datetime as dt

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.kit.pii import normalise_phone
from lianxin.people.api.cadres import DutyPostEnum, RankEnum
from lianxin.people.api.visits import VisitKindEnum
from lianxin.people.app import work as work_app
from lianxin.people.app.work_visits import LogVisit
from lianxin.people.domain.errors import InvalidInput


@strawberry.input(description="A cadre, or a party member without office (rank null, "
                  "partyMember true, optionally a dutyPost); the client chooses the id")
class RegisterCadreInput:
    id: strawberry.ID
    name: str
    work_unit_id: strawberry.ID
    party_member: bool
    rank: RankEnum | None = None  # type: ignore[valid-type]
    branch_id: strawberry.ID | None = None
    duty_post: DutyPostEnum | None = None  # type: ignore[valid-type]
    phone: str | None = None
    subject: str | None = strawberry.field(default=None, description="The sign-in subject (JWT "
                                           "sub) of the cadre's own account")


def register_cadre_command(i: RegisterCadreInput) -> work_app.RegisterCadre:
    return work_app.RegisterCadre(
        id=parse_id(i.id, "id"), name=i.name, work_unit_id=parse_id(i.work_unit_id, "workUnitId"),
        rank=i.rank, party_member=i.party_member,
        branch_id=parse_id(i.branch_id, "branchId") if i.branch_id else None,
        duty_post=i.duty_post,
        phone=normalise_phone(i.phone) if i.phone and i.phone.strip() else None,
        subject=i.subject)


@strawberry.input(description="Households a cadre of this rank must be paired with")
class RankQuotaInput:
    rank: RankEnum  # type: ignore[valid-type]
    households: int


@strawberry.input
class CreateCampaignInput:
    id: strawberry.ID
    name: str
    org_unit_id: strawberry.ID = strawberry.field(description="The organising unit")
    starts_on: dt.date
    ends_on: dt.date
    min_households: int | None = strawberry.field(
        default=None, description="Households every cadre must be paired with, whatever the rank")
    quota_by_rank: list[RankQuotaInput] = strawberry.field(default_factory=list)
    coverage_target: float = 1.0
    org_unit_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    cadre_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


def create_campaign_command(i: CreateCampaignInput) -> work_app.CreateCampaign:
    quotas = {q.rank: q.households for q in i.quota_by_rank}
    if len(quotas) != len(i.quota_by_rank):
        raise InvalidInput("quotaByRank lists a rank twice; give each rank once",
                           field="quotaByRank")
    return work_app.CreateCampaign(
        id=parse_id(i.id, "id"), name=i.name, org_unit_id=parse_id(i.org_unit_id, "orgUnitId"),
        starts_on=i.starts_on, ends_on=i.ends_on, min_households=i.min_households,
        quota_by_rank=quotas, coverage_target=i.coverage_target,
        org_unit_ids=tuple(parse_id(u, "orgUnitIds") for u in i.org_unit_ids),
        cadre_ids=tuple(parse_id(c, "cadreIds") for c in i.cadre_ids))


@strawberry.input(description="Give exactly one of householdId and contactPointId")
class CreatePairingInput:
    id: strawberry.ID
    cadre_id: strawberry.ID
    started_on: dt.date
    household_id: strawberry.ID | None = None
    contact_point_id: strawberry.ID | None = None
    campaign_id: strawberry.ID | None = None


def create_pairing_command(i: CreatePairingInput) -> work_app.CreatePairing:
    return work_app.CreatePairing(
        id=parse_id(i.id, "id"), cadre_id=parse_id(i.cadre_id, "cadreId"), started_on=i.started_on,
        household_id=parse_id(i.household_id, "householdId") if i.household_id else None,
        contact_point_id=(parse_id(i.contact_point_id, "contactPointId")
                          if i.contact_point_id else None),
        campaign_id=parse_id(i.campaign_id, "campaignId") if i.campaign_id else None)


@strawberry.input
class EndPairingInput:
    id: strawberry.ID
    ended_on: dt.date
    reason: str


def end_pairing_command(i: EndPairingInput) -> work_app.EndPairing:
    return work_app.EndPairing(id=parse_id(i.id, "id"), ended_on=i.ended_on, reason=i.reason)


@strawberry.input(description="A visit as the app recorded it; the app chooses the id and "
                  "resends it unchanged until it is acknowledged")
class LogVisitInput:
    id: strawberry.ID
    kind: VisitKindEnum  # type: ignore[valid-type]
    cadre_id: strawberry.ID = strawberry.field(description="The cadre who led it")
    visited_on: dt.date
    org_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where; default: the unit of the (first) household")
    place: str = ""
    notes: str = ""
    participant_cadre_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    household_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    ticket_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Demands raised, as ticket ids of the tickets service")
    campaign_id: strawberry.ID | None = None


def log_visit_command(i: LogVisitInput) -> LogVisit:
    return LogVisit(
        id=parse_id(i.id, "id"), kind=i.kind, cadre_id=parse_id(i.cadre_id, "cadreId"),
        visited_on=i.visited_on,
        org_unit_id=parse_id(i.org_unit_id, "orgUnitId") if i.org_unit_id else None,
        place=i.place, notes=i.notes,
        participant_cadre_ids=tuple(parse_id(c, "participantCadreIds")
                                    for c in i.participant_cadre_ids),
        household_ids=tuple(parse_id(h, "householdIds") for h in i.household_ids),
        ticket_ids=tuple(parse_id(t, "ticketIds") for t in i.ticket_ids),
        campaign_id=parse_id(i.campaign_id, "campaignId") if i.campaign_id else None)
