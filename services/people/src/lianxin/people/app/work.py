"""Cadre-work commands: register a cadre, create a campaign, pair and unpair, log a visit.

Each public `verb_noun(cmd, uow, scope)` is one transaction. `scope` says which org paths the
caller may see and write at (None: anywhere — system callers). What a command writes must lie in
scope (OutOfScope); what it refers to must be visible — something out of scope looks exactly
like something that does not exist (NotFound). `register_cadre_in` and `create_pairing_in` do
the same work inside a unit of work the caller opened and commits (the spreadsheet importer).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from lianxin.people.app.common import Scope, check_scope, in_transaction, visible
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain.cadre import Cadre, DutyPost, Rank, new_cadre
from lianxin.people.domain.campaign import Campaign, new_campaign
from lianxin.people.domain.common import created_or_retried
from lianxin.people.domain.errors import IdConflict, InvalidInput, NotFound, UnknownOrgUnit
from lianxin.people.domain.events import (
    CadreRegistered,
    CampaignCreated,
    PairingCreated,
    PairingEnded,
)
from lianxin.people.domain.org import OrgUnit
from lianxin.people.domain.pairing import Pairing, ended_pairing, new_pairing


def check_write_scope(scope: Scope | None, unit: OrgUnit, what: str) -> None:
    check_scope(scope, unit.path, f"{what} {unit.name}")


async def existing_unit(uow: UnitOfWork, unit_id: uuid.UUID, field: str) -> OrgUnit:
    unit = await uow.org_units.get(unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"org unit {unit_id} ({field}) does not exist", field=field)
    return unit


async def visible_cadres(uow: UnitOfWork, scope: Scope | None, ids: Sequence[uuid.UUID],
                  field: str) -> list[Cadre]:
    found = {c.id: c for c in await uow.cadres.get_many(ids) if visible(scope, c.org_path)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise NotFound(f"no cadre {', '.join(missing)} in your org scope ({field})", field=field)
    return [found[i] for i in ids]


@dataclass(frozen=True, slots=True)
class RegisterCadre:
    id: uuid.UUID
    name: str
    work_unit_id: uuid.UUID
    rank: Rank | None
    party_member: bool
    branch_id: uuid.UUID | None = None
    duty_post: DutyPost | None = None
    phone: str | None = None  # normalised (lianxin.kit.pii.normalise_phone)
    subject: str | None = None


async def register_cadre(cmd: RegisterCadre, uow: UnitOfWork, scope: Scope | None = None) -> Cadre:
    """Register a cadre or a party member without office in their work unit."""
    return await in_transaction(register_cadre_in, cmd, uow, scope)


async def register_cadre_in(cmd: RegisterCadre, uow: UnitOfWork,
                            scope: Scope | None) -> tuple[Cadre, bool]:
    """`register_cadre` inside a unit of work the caller opened and commits (the importer's
    batch); (cadre, created) — nothing is written or recorded unless created."""
    unit = await existing_unit(uow, cmd.work_unit_id, "workUnitId")
    check_write_scope(scope, unit, "work unit")
    branch = await existing_unit(uow, cmd.branch_id, "branchId") if cmd.branch_id else None
    cadre = new_cadre(cmd.id, name=cmd.name, work_unit=unit, rank=cmd.rank,
                      party_member=cmd.party_member, branch=branch, duty_post=cmd.duty_post,
                      phone=cmd.phone, subject=cmd.subject)
    existing = await uow.cadres.get_many([cmd.id])
    cadre, created = created_or_retried(cadre, existing[0] if existing else None, "cadre", cmd.id)
    if not created:
        return cadre, False
    if cadre.subject and await uow.cadres.by_subjects([cadre.subject]):
        raise _subject_taken(cadre)
    if not await uow.cadres.add(cadre):  # a concurrent insert won the race
        stored = await uow.cadres.get_many([cmd.id])
        if not stored:
            raise _subject_taken(cadre)
        return created_or_retried(cadre, stored[0], "cadre", cmd.id)[0], False
    uow.record(CadreRegistered(cadre))
    return cadre, True


def _subject_taken(cadre: Cadre) -> IdConflict:
    return IdConflict(f"another cadre already signs in as {cadre.subject!r}; each sign-in "
                      "subject belongs to one cadre", field="subject")


@dataclass(frozen=True, slots=True)
class CreateCampaign:
    id: uuid.UUID
    name: str
    org_unit_id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date
    min_households: int | None = None
    quota_by_rank: dict[Rank, int] = field(default_factory=dict)
    coverage_target: float = 1.0
    org_unit_ids: tuple[uuid.UUID, ...] = ()
    cadre_ids: tuple[uuid.UUID, ...] = ()


async def create_campaign(cmd: CreateCampaign, uow: UnitOfWork, scope: Scope | None = None) -> Campaign:
    """A campaign (活动) organised by a unit, over units and cadres inside its subtree."""
    async with uow:
        organiser = await existing_unit(uow, cmd.org_unit_id, "orgUnitId")
        check_write_scope(scope, organiser, "the organising unit")
        units = {u.id: u for u in await uow.org_units.get_many(cmd.org_unit_ids)}
        for unit_id in cmd.org_unit_ids:
            unit = units.get(unit_id)
            if unit is None or not visible(scope, unit.path):
                raise UnknownOrgUnit(f"org unit {unit_id} (orgUnitIds) does not exist",
                                     field="orgUnitIds")
            if organiser.id not in unit.path:
                raise InvalidInput(f"{unit.name} lies outside {organiser.name}, which organises "
                                   "the campaign", field="orgUnitIds")
        await visible_cadres(uow, scope, cmd.cadre_ids, "cadreIds")
        campaign = new_campaign(
            cmd.id, name=cmd.name, organiser=organiser, starts_on=cmd.starts_on,
            ends_on=cmd.ends_on, min_households=cmd.min_households,
            quota_by_rank=cmd.quota_by_rank, coverage_target=cmd.coverage_target,
            org_unit_ids=list(cmd.org_unit_ids), cadre_ids=list(cmd.cadre_ids))
        existing = await uow.campaigns.get_many([cmd.id])
        campaign, created = created_or_retried(campaign, existing[0] if existing else None,
                                               "campaign", cmd.id)
        if not created:
            return campaign
        if not await uow.campaigns.add(campaign):
            stored = await uow.campaigns.get_many([cmd.id])
            return created_or_retried(campaign, stored[0] if stored else None, "campaign",
                                      cmd.id)[0]
        uow.record(CampaignCreated(campaign))
        await uow.commit()
        return campaign


@dataclass(frozen=True, slots=True)
class CreatePairing:
    id: uuid.UUID
    cadre_id: uuid.UUID
    started_on: dt.date
    household_id: uuid.UUID | None = None
    contact_point_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None


async def create_pairing(cmd: CreatePairing, uow: UnitOfWork, scope: Scope | None = None) -> Pairing:
    """Pair a cadre with a household or a contact point (结对); the repository numbers its card."""
    return await in_transaction(create_pairing_in, cmd, uow, scope)


async def create_pairing_in(cmd: CreatePairing, uow: UnitOfWork,
                            scope: Scope | None) -> tuple[Pairing, bool]:
    """`create_pairing` inside a unit of work the caller opened and commits; (pairing, created)."""
    [cadre] = await visible_cadres(uow, scope, [cmd.cadre_id], "cadreId")
    household = contact_point = campaign = None
    if cmd.household_id is not None:
        found = await uow.households.get_many([cmd.household_id])
        if not found or not visible(scope, found[0].org_path):
            raise NotFound(f"no household {cmd.household_id} in your org scope",
                           field="householdId")
        household = found[0]
    if cmd.contact_point_id is not None:
        contact_point = await existing_unit(uow, cmd.contact_point_id, "contactPointId")
        check_write_scope(scope, contact_point, "the contact point")
    if cmd.campaign_id is not None:
        campaigns = await uow.campaigns.get_many([cmd.campaign_id])
        if not campaigns:
            raise NotFound(f"campaign {cmd.campaign_id} does not exist", field="campaignId")
        campaign = campaigns[0]
    new = new_pairing(cmd.id, cadre, household=household, contact_point=contact_point,
                      campaign=campaign, started_on=cmd.started_on)
    existing = await uow.pairings.get_many([cmd.id])
    if existing:
        return created_or_retried(new, existing[0], "pairing", cmd.id)[0], False
    await _not_yet_paired(uow, new, cadre)
    stored = await uow.pairings.add(new)
    if stored is None:  # lost a race: to a retry of this very pairing, or to a twin
        existing = await uow.pairings.get_many([cmd.id])
        if existing:
            return created_or_retried(new, existing[0], "pairing", cmd.id)[0], False
        raise _already_paired(cadre, None)
    uow.record(PairingCreated(stored))
    return stored, True


async def _not_yet_paired(uow: UnitOfWork, new: Pairing, cadre: Cadre) -> None:
    for other in await uow.pairings.of_cadres([cadre.id], active_only=True):
        if (other.household_id, other.contact_point_id) == (new.household_id,
                                                            new.contact_point_id):
            raise _already_paired(cadre, other)


def _already_paired(cadre: Cadre, other: Pairing | None) -> IdConflict:
    what = f" (pairing {other.id}, card {other.card_no})" if other else ""
    return IdConflict(f"{cadre.name} is already paired with this household or contact "
                      f"point{what}; end that pairing first to pair them again",
                      field="householdId" if other is None or other.household_id
                      else "contactPointId")


@dataclass(frozen=True, slots=True)
class EndPairing:
    id: uuid.UUID
    ended_on: dt.date
    reason: str


async def end_pairing(cmd: EndPairing, uow: UnitOfWork, scope: Scope | None = None) -> Pairing:
    """End an active pairing (history is kept; the card stops being valid for new demands)."""
    async with uow:
        found = await uow.pairings.get_many([cmd.id])
        if not found or not visible(scope, found[0].org_path):
            raise NotFound(f"no pairing {cmd.id} in your org scope", field="id")
        ended = ended_pairing(found[0], cmd.ended_on, cmd.reason)
        await uow.pairings.end(ended)
        uow.record(PairingEnded(ended))
        await uow.commit()
        return ended
