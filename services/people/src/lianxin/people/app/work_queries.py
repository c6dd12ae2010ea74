"""Reads of cadre work: cadres, pairings and their quotas, campaigns, visits, contact cards.

Batch helpers answer in the order of their keys (None or [] where unknown), as DataLoaders need;
scope filtering is the caller's (the API knows who asks), except where noted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from lianxin.people.app.ports import UnitOfWork
from lianxin.people.app.work_ports import CadreKey, VisitKey
from lianxin.people.domain.cadre import Cadre, Rank
from lianxin.people.domain.campaign import Campaign, required_households
from lianxin.people.domain.org import OrgUnit, OrgUnitKind
from lianxin.people.domain.pairing import Pairing
from lianxin.people.domain.register import Household, Resident
from lianxin.people.domain.visit import Visit

K = TypeVar("K")
V = TypeVar("V")


def _in_order(keys: Sequence[K], found: dict[K, V]) -> list[V | None]:
    return [found.get(k) for k in keys]


async def cadres_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Cadre | None]:
    async with uow:
        return _in_order(ids, {c.id: c for c in await uow.cadres.get_many(ids)})


async def cadres_by_subject(uow: UnitOfWork, subjects: Sequence[str]) -> list[Cadre | None]:
    """The cadre each JWT subject signs in as."""
    async with uow:
        found = {c.subject: c for c in await uow.cadres.by_subjects(subjects) if c.subject}
    return _in_order(subjects, found)


async def cadre_pages(uow: UnitOfWork, roots: Sequence[uuid.UUID], rank: Rank | None,
                      after: CadreKey | None, limit: int) -> list[list[Cadre]]:
    """For each root unit, up to `limit` cadres at or below it by (name, id), after `after`."""
    async with uow:
        return await uow.cadres.pages_under(roots, rank, after, limit)


async def pairings_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Pairing | None]:
    async with uow:
        return _in_order(ids, {p.id: p for p in await uow.pairings.get_many(ids)})


async def pairings_by_cadre(uow: UnitOfWork, cadre_ids: Sequence[uuid.UUID],
                            active_only: bool) -> list[list[Pairing]]:
    async with uow:
        pairings = await uow.pairings.of_cadres(cadre_ids, active_only)
    grouped: dict[uuid.UUID, list[Pairing]] = {c: [] for c in cadre_ids}
    for p in pairings:
        grouped[p.cadre_id].append(p)
    return [grouped[c] for c in cadre_ids]


async def pairings_by_household(uow: UnitOfWork, household_ids: Sequence[uuid.UUID],
                                active_only: bool) -> list[list[Pairing]]:
    """Each household's paired cadres (as pairings), oldest first."""
    async with uow:
        pairings = await uow.pairings.of_households(household_ids, active_only)
    grouped: dict[uuid.UUID, list[Pairing]] = {h: [] for h in household_ids}
    for p in pairings:
        if p.household_id is not None:
            grouped[p.household_id].append(p)
    return [grouped[h] for h in household_ids]


async def household_pairings_under(uow: UnitOfWork, unit_id: uuid.UUID) -> list[Pairing]:
    """Every active household pairing at or below a unit (what its contact cards print)."""
    async with uow:
        return await uow.pairings.household_pairings_under(unit_id)


async def active_household_counts(uow: UnitOfWork, cadre_ids: Sequence[uuid.UUID]) -> list[int]:
    async with uow:
        counts = await uow.pairings.active_household_counts(cadre_ids)
    return [counts.get(c, 0) for c in cadre_ids]


@dataclass(frozen=True, slots=True)
class QuotaStatus:
    """A cadre's pairing quota (联户任务) against their active household pairings."""

    required: int
    actual: int

    @property
    def met(self) -> bool:
        return self.actual >= self.required

    @property
    def shortfall(self) -> int:
        return max(self.required - self.actual, 0)


async def quota_statuses(uow: UnitOfWork, keys: Sequence[tuple[uuid.UUID, uuid.UUID | None]]
                         ) -> list[QuotaStatus | None]:
    """For each (cadre, campaign or None): households required (by the campaign, else the
    default rules for the rank) and actually paired now. None for an unknown cadre or campaign."""
    cadre_ids = list(dict.fromkeys(c for c, _ in keys))
    campaign_ids = list(dict.fromkeys(k for _, k in keys if k is not None))
    async with uow:
        cadres = {c.id: c for c in await uow.cadres.get_many(cadre_ids)}
        campaigns = {c.id: c for c in await uow.campaigns.get_many(campaign_ids)}
        counts = await uow.pairings.active_household_counts(cadre_ids)
    statuses: list[QuotaStatus | None] = []
    for cadre_id, campaign_id in keys:
        cadre, campaign = cadres.get(cadre_id), campaigns.get(campaign_id) if campaign_id else None
        if cadre is None or (campaign_id is not None and campaign is None):
            statuses.append(None)
        else:
            statuses.append(QuotaStatus(required_households(cadre, campaign),
                                        counts.get(cadre_id, 0)))
    return statuses


async def campaigns_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Campaign | None]:
    async with uow:
        return _in_order(ids, {c.id: c for c in await uow.campaigns.get_many(ids)})


async def campaigns_concerning(uow: UnitOfWork, unit: OrgUnit) -> list[Campaign]:
    """Campaigns organised above the unit (they apply to it) or at/below it, newest first."""
    async with uow:
        campaigns = await uow.campaigns.concerning(unit)
    return sorted(campaigns, key=lambda c: (c.starts_on, c.name), reverse=True)


async def visits_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Visit | None]:
    async with uow:
        return _in_order(ids, {v.id: v for v in await uow.visits.get_many(ids)})


async def visit_pages_by_cadre(uow: UnitOfWork, cadre_ids: Sequence[uuid.UUID],
                               after: VisitKey | None, limit: int) -> list[list[Visit]]:
    """Visits each cadre led, newest first."""
    async with uow:
        return await uow.visits.pages_of_cadres(cadre_ids, after, limit)


async def visit_pages_by_household(uow: UnitOfWork, household_ids: Sequence[uuid.UUID],
                                   after: VisitKey | None, limit: int) -> list[list[Visit]]:
    """Visits to each household, newest first."""
    async with uow:
        return await uow.visits.pages_of_households(household_ids, after, limit)


@dataclass(frozen=True, slots=True)
class CardSheetEntry:
    """What one contact card prints (the API turns it into a card; no rendering here)."""

    pairing: Pairing
    cadre: Cadre
    cadre_unit: OrgUnit | None
    household: Household
    head: Resident | None
    place: str  # village (or community), and grid where there is one


async def card_sheet(uow: UnitOfWork, unit_id: uuid.UUID) -> list[CardSheetEntry]:
    """Every active household pairing at or below the unit, with both parties, by card number.
    A fixed number of statements whatever the number of cards."""
    async with uow:
        pairings = await uow.pairings.household_pairings_under(unit_id)
        cadres = {c.id: c for c in await uow.cadres.get_many(
            list({p.cadre_id for p in pairings}))}
        households = {h.id: h for h in await uow.households.get_many(
            list({p.household_id for p in pairings if p.household_id}))}
        heads = await _heads(uow, list(households.values()))
        unit_ids = {c.work_unit_id for c in cadres.values()}
        unit_ids.update(u for h in households.values() for u in h.org_path)
        units = {u.id: u for u in await uow.org_units.get_many(list(unit_ids))}
    entries = []
    for p in sorted(pairings, key=lambda p: p.card_no):
        cadre, household = cadres.get(p.cadre_id), households.get(p.household_id)  # type: ignore[arg-type]
        if cadre is None or household is None:
            continue
        place = " ".join(units[u].name for u in household.org_path if u in units and units[u].kind
                         in (OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY, OrgUnitKind.GRID))
        entries.append(CardSheetEntry(p, cadre, units.get(cadre.work_unit_id), household,
                                      heads.get(household.id), place))
    return entries


async def _heads(uow: UnitOfWork, households: list[Household]) -> dict[uuid.UUID, Resident]:
    """The registered head (户主) of each household that has one."""
    ids = [h.head_resident_id for h in households if h.head_resident_id]
    return {r.household_id: r for r in (await uow.residents.get_many(ids) if ids else [])}
