"""Reads of the register for DataLoaders and lists: households, residents and needs tags.

Batch helpers answer in the order of their keys (None or [] where unknown); scope filtering is
the caller's (the API knows who asks).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from lianxin.people.app.ports import UnitOfWork
from lianxin.people.app.register_ports import HouseholdFilter, HouseholdKey, ResidentFilter, ResidentKey
from lianxin.people.app.residents import id_number_or_none, phone_or_none
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.register import Household, NeedsTag, Relation, Resident


async def households_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Household | None]:
    """Households in the order of `ids`, None where unknown."""
    async with uow:
        found = {h.id: h for h in await uow.households.get_many(ids)}
    return [found.get(i) for i in ids]


async def residents_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Resident | None]:
    async with uow:
        found = {r.id: r for r in await uow.residents.get_many(ids)}
    return [found.get(i) for i in ids]


async def residents_of_households(uow: UnitOfWork,
                                  household_ids: Sequence[uuid.UUID]) -> list[list[Resident]]:
    """Members of each household: the head first, then by birth year and name."""
    async with uow:
        found = await uow.residents.of_households(household_ids)
    by_household: dict[uuid.UUID, list[Resident]] = {h: [] for h in household_ids}
    for r in sorted(found, key=lambda r: (r.relation is not Relation.HEAD, r.birth_year, r.name)):
        by_household[r.household_id].append(r)
    return [by_household[h] for h in household_ids]


async def tags_of_households(uow: UnitOfWork, household_ids: Sequence[uuid.UUID]) -> list[list[NeedsTag]]:
    """Every tag of each household (ended ones too), oldest first."""
    async with uow:
        found = await uow.needs_tags.of_households(household_ids)
    by_household: dict[uuid.UUID, list[NeedsTag]] = {h: [] for h in household_ids}
    for tag in sorted(found, key=lambda t: (t.since, str(t.id))):
        by_household[tag.household_id].append(tag)
    return [by_household[h] for h in household_ids]


async def tags_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[NeedsTag | None]:
    """Needs tags in the order of `ids`, None where unknown."""
    async with uow:
        return [await uow.needs_tags.get(i) for i in ids]


async def households_in_subtree(uow: UnitOfWork, where: HouseholdFilter, after: HouseholdKey | None,
                                limit: int) -> list[Household]:
    """Up to `limit` households at or below a unit matching the filter, by number."""
    async with uow:
        return await uow.households.in_subtree(where, after, limit)


async def search_residents(uow: UnitOfWork, roots: tuple[uuid.UUID, ...] | None, *,
                           name: str | None, phone: str | None, id_number: str | None,
                           after: ResidentKey | None, limit: int) -> list[Resident]:
    """Residents under `roots` (None: anywhere) by name substring and/or exact phone / ID number
    in any common formatting (`138-1234-1234`, `+86 13812341234`)."""
    name = " ".join((name or "").split()) or None
    if name is not None and len(name) > 50:
        raise InvalidInput("name must be at most 50 characters", field="name")
    where = ResidentFilter(roots=roots, name=name, phone=phone_or_none(phone),
                           id_number=id_number_or_none(id_number))
    async with uow:
        return await uow.residents.search(where, after, limit)
