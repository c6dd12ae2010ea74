"""Register use cases: households (户), residents (群众) and needs tags (困难群众台账).

Each public `verb_noun(cmd, uow, scope)` is one transaction. The `verb_noun_in` helpers do the
same work inside a unit of work someone else opened and commits (the spreadsheet importer
runs a whole batch of rows in one). `scope` says which org paths the caller may write at
(None: anywhere — the importer and other system callers).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from lianxin.kit.pii import normalise_id_number, normalise_phone
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.app.register_ports import HouseholdFilter, HouseholdKey, ResidentFilter, ResidentKey
from lianxin.people.domain.common import created_or_retried
from lianxin.people.domain.errors import IdConflict, InvalidInput, NotFound, OutOfScope, UnknownOrgUnit
from lianxin.people.domain.events import (
    HouseholdChanged,
    HouseholdRegistered,
    NeedsTagAdded,
    NeedsTagRemoved,
    ResidentChanged,
    ResidentRegistered,
)
from lianxin.people.domain.register import (
    Gender,
    Household,
    NeedsTag,
    NeedsTagKind,
    Relation,
    Resident,
    ended_tag,
    new_household,
    new_needs_tag,
    new_resident,
    with_head,
)

Scope = Callable[[Sequence[uuid.UUID]], bool]
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # no daylight saving since 1991


def today() -> dt.date:
    """Today in China: a tag 'active today' flips at local midnight, not UTC's."""
    return dt.datetime.now(CHINA).date()


def _check_scope(scope: Scope | None, path: Sequence[uuid.UUID], what: str) -> None:
    if scope is not None and not scope(path):
        raise OutOfScope(f"{what} lies outside your org scope")


class StaleEntity(IdConflict):
    """Someone else changed the entity between our read and our write (a CONFLICT: retry)."""


def _stale(what: str, entity_id: uuid.UUID) -> StaleEntity:
    return StaleEntity(f"{what} {entity_id} was changed by someone else meanwhile; reload it and "
                      "try again", field="id")


async def _household(uow: UnitOfWork, household_id: uuid.UUID, scope: Scope | None,
                     field: str) -> Household:
    found = await uow.households.get(household_id)
    if found is None:
        raise NotFound(f"household {household_id} does not exist", field=field)
    _check_scope(scope, found.org_path, f"household {found.household_no}")
    return found


def _phone(raw: str | None) -> str | None:
    return normalise_phone(raw) if raw and raw.strip() else None


def _id_number(raw: str | None) -> str | None:
    return normalise_id_number(raw) if raw and raw.strip() else None


# --- households ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RegisterHousehold:
    id: uuid.UUID
    org_unit_id: uuid.UUID
    household_no: str
    address: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ChangeHousehold:
    """Change the household number and/or address; None leaves a field as it is."""

    id: uuid.UUID
    household_no: str | None = None
    address: str | None = field(default=None, repr=False)


async def register_household(cmd: RegisterHousehold, uow: UnitOfWork,
                             scope: Scope | None = None) -> Household:
    """Register a household in a village, community or grid; retry-safe by id."""
    async with uow:
        household, changed = await register_household_in(cmd, uow, scope)
        if changed:
            await uow.commit()
        return household


async def register_household_in(cmd: RegisterHousehold, uow: UnitOfWork,
                              scope: Scope | None) -> tuple[Household, bool]:
    unit = await uow.org_units.get(cmd.org_unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"org unit {cmd.org_unit_id} does not exist", field="orgUnitId")
    _check_scope(scope, unit.path, f"org unit {unit.name}")
    new = new_household(cmd.id, unit, cmd.household_no, cmd.address)
    household, created = created_or_retried(new, await uow.households.get(cmd.id), "household", cmd.id)
    if not created:
        return household, False
    await _number_is_free(uow, household)
    if not await uow.households.add(household):  # a concurrent insert won
        stored = await uow.households.get(cmd.id)
        if stored is None:
            await _number_is_free(uow, household)
            raise _stale("household", cmd.id)
        return created_or_retried(new, stored, "household", cmd.id)[0], False
    uow.record(HouseholdRegistered(household))
    return household, True


async def _number_is_free(uow: UnitOfWork, household: Household) -> None:
    other = await uow.households.by_number(household.org_unit_id, household.household_no)
    if other is not None and other.id != household.id:
        raise IdConflict(f"household number {household.household_no} is already registered in "
                         "this unit; use another number or change that household",
                         field="householdNo")


async def change_household(cmd: ChangeHousehold, uow: UnitOfWork,
                           scope: Scope | None = None) -> Household:
    """Change a household's number or address; the same values again change nothing."""
    async with uow:
        household, changed = await change_household_in(cmd, uow, scope)
        if changed:
            await uow.commit()
        return household


async def change_household_in(cmd: ChangeHousehold, uow: UnitOfWork,
                            scope: Scope | None) -> tuple[Household, bool]:
    current = await _household(uow, cmd.id, scope, "id")
    unit = await uow.org_units.get(current.org_unit_id)
    assert unit is not None, "a household's org unit is never deleted"
    checked = new_household(current.id, unit, current.household_no if cmd.household_no is None
                            else cmd.household_no, current.address if cmd.address is None else cmd.address)
    if checked.same_content(current):
        return current, False
    changed = replace(current, household_no=checked.household_no, address=checked.address,
                      version=current.version + 1)
    await _number_is_free(uow, changed)
    if not await uow.households.update(changed):
        raise _stale("household", current.id)
    uow.record(HouseholdChanged(changed))
    return changed, True


# --- residents ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RegisterResident:
    id: uuid.UUID
    household_id: uuid.UUID
    name: str
    gender: Gender
    birth_year: int
    relation: Relation
    phone: str | None = field(default=None, repr=False)  # raw: any common formatting
    id_number: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class ChangeResident:
    """None leaves a field as it is; an empty phone or ID number removes it."""

    id: uuid.UUID
    name: str | None = None
    gender: Gender | None = None
    birth_year: int | None = None
    relation: Relation | None = None
    phone: str | None = field(default=None, repr=False)
    id_number: str | None = field(default=None, repr=False)


async def register_resident(cmd: RegisterResident, uow: UnitOfWork,
                            scope: Scope | None = None) -> Resident:
    """Register a household member; relation HEAD makes them the household's head."""
    async with uow:
        resident, changed = await register_resident_in(cmd, uow, scope)
        if changed:
            await uow.commit()
        return resident


async def register_resident_in(cmd: RegisterResident, uow: UnitOfWork,
                             scope: Scope | None) -> tuple[Resident, bool]:
    household = await _household(uow, cmd.household_id, scope, "householdId")
    new = new_resident(cmd.id, household, name=cmd.name, gender=cmd.gender,
                       birth_year=cmd.birth_year, relation=cmd.relation, phone=_phone(cmd.phone),
                       id_number=_id_number(cmd.id_number), today=today())
    resident, created = created_or_retried(new, await uow.residents.get(cmd.id), "resident", cmd.id)
    if not created:
        return resident, False
    await _id_number_is_free(uow, resident)
    headed = _head_change(household, None, resident)
    if not await uow.residents.add(resident):
        stored = await uow.residents.get(cmd.id)
        if stored is None:
            await _id_number_is_free(uow, resident)
            raise _stale("resident", cmd.id)
        return created_or_retried(new, stored, "resident", cmd.id)[0], False
    uow.record(ResidentRegistered(resident))
    await _store_head(uow, headed)
    return resident, True


async def _id_number_is_free(uow: UnitOfWork, resident: Resident) -> None:
    if resident.id_number is None:
        return
    other = await uow.residents.by_id_number(resident.id_number)
    if other is not None and other.id != resident.id:
        raise IdConflict("another resident is already registered with this ID number: one person "
                         "has one record — find and change that one instead", field="idNumber")


def _head_change(household: Household, before: Resident | None, after: Resident) -> Household | None:
    """The household as it must become when `before` turns into `after` (None: unchanged)."""
    is_head = household.head_resident_id == after.id
    if after.relation is Relation.HEAD and not is_head:
        if household.head_resident_id is not None:
            raise InvalidInput("this household already has a head; change that resident's "
                               "relation first", field="relation")
        return with_head(household, after)
    if is_head and after.relation is not Relation.HEAD and before is not None:
        return replace(household, head_resident_id=None, version=household.version + 1)
    return None


async def _store_head(uow: UnitOfWork, household: Household | None) -> None:
    if household is None:
        return
    if not await uow.households.update(household):
        raise _stale("household", household.id)
    uow.record(HouseholdChanged(household))


async def change_resident(cmd: ChangeResident, uow: UnitOfWork, scope: Scope | None = None) -> Resident:
    """Change a resident's details; the same values again change nothing."""
    async with uow:
        resident, changed = await change_resident_in(cmd, uow, scope)
        if changed:
            await uow.commit()
        return resident


async def change_resident_in(cmd: ChangeResident, uow: UnitOfWork,
                           scope: Scope | None) -> tuple[Resident, bool]:
    current = await uow.residents.get(cmd.id)
    if current is None:
        raise NotFound(f"resident {cmd.id} does not exist", field="id")
    household = await _household(uow, current.household_id, scope, "id")
    checked = new_resident(
        current.id, household, name=current.name if cmd.name is None else cmd.name,
        gender=cmd.gender or current.gender,
        birth_year=current.birth_year if cmd.birth_year is None else cmd.birth_year,
        relation=cmd.relation or current.relation,
        phone=current.phone if cmd.phone is None else _phone(cmd.phone),
        id_number=current.id_number if cmd.id_number is None else _id_number(cmd.id_number),
        today=today())
    if checked.same_content(current):
        return current, False
    changed = replace(checked, version=current.version + 1)
    if changed.id_number != current.id_number:
        await _id_number_is_free(uow, changed)
    headed = _head_change(household, current, changed)
    if not await uow.residents.update(changed):
        raise _stale("resident", current.id)
    uow.record(ResidentChanged(changed))
    await _store_head(uow, headed)
    return changed, True


# --- needs tags ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AddNeedsTag:
    id: uuid.UUID
    household_id: uuid.UUID
    kind: NeedsTagKind = field(repr=False)
    since: dt.date
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class EndNeedsTag:
    id: uuid.UUID
    until: dt.date | None = None  # None: today


async def add_needs_tag(cmd: AddNeedsTag, uow: UnitOfWork, scope: Scope | None = None) -> NeedsTag:
    """Put a household on the needy register for a reason, from `since` (until `until`)."""
    async with uow:
        tag, changed = await add_needs_tag_in(cmd, uow, scope)
        if changed:
            await uow.commit()
        return tag


def _overlaps(a: NeedsTag, b: NeedsTag) -> bool:
    return (a.until is None or b.since < a.until) and (b.until is None or a.since < b.until)


async def add_needs_tag_in(cmd: AddNeedsTag, uow: UnitOfWork, scope: Scope | None) -> tuple[NeedsTag, bool]:
    household = await _household(uow, cmd.household_id, scope, "householdId")
    new = new_needs_tag(cmd.id, household, cmd.kind, cmd.since, cmd.until)
    tag, created = created_or_retried(new, await uow.needs_tags.get(cmd.id), "needs tag", cmd.id)
    if not created:
        return tag, False
    for other in await uow.needs_tags.of_households([household.id]):
        if other.kind is tag.kind and _overlaps(other, tag):
            raise InvalidInput(f"the household already has a tag of this kind from {other.since} "
                               f"(tag {other.id}) overlapping this period; end that one first",
                               field="since")
    if not await uow.needs_tags.add(tag):
        stored = await uow.needs_tags.get(cmd.id)
        if stored is None:
            raise _stale("needs tag", cmd.id)
        return created_or_retried(new, stored, "needs tag", cmd.id)[0], False
    uow.record(NeedsTagAdded(tag, household))
    return tag, True


async def end_needs_tag(cmd: EndNeedsTag, uow: UnitOfWork, scope: Scope | None = None) -> NeedsTag:
    """Take a household off the register for this reason from `until` (history is kept)."""
    async with uow:
        tag, changed = await end_needs_tag_in(cmd, uow, scope)
        if changed:
            await uow.commit()
        return tag


async def end_needs_tag_in(cmd: EndNeedsTag, uow: UnitOfWork, scope: Scope | None) -> tuple[NeedsTag, bool]:
    tag = await uow.needs_tags.get(cmd.id)
    if tag is None:
        raise NotFound(f"needs tag {cmd.id} does not exist", field="id")
    household = await _household(uow, tag.household_id, scope, "id")
    until = cmd.until or today()
    if tag.until == until:
        return tag, False
    ended = ended_tag(tag, until)
    await uow.needs_tags.update(ended)
    uow.record(NeedsTagRemoved(ended, household))
    return ended, True


# --- queries (DataLoaders and lists) ------------------------------------------------------------
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
    where = ResidentFilter(roots=roots, name=name, phone=_phone(phone), id_number=_id_number(id_number))
    async with uow:
        return await uow.residents.search(where, after, limit)
