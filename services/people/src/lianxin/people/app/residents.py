"""Residents (群众) of the register: register a household member, change their details; relation
HEAD makes them the household's head.

Each public `verb_noun(cmd, uow, scope)` is one transaction; `verb_noun_in` does the same work
inside a unit of work someone else opened and commits (the spreadsheet importer).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from lianxin.kit.pii import normalise_id_number, normalise_phone
from lianxin.people.app.common import Scope, in_transaction, stale, today
from lianxin.people.app.households import household_in_scope
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain.common import created_or_retried
from lianxin.people.domain.errors import IdConflict, InvalidInput, NotFound
from lianxin.people.domain.events import HouseholdChanged, ResidentChanged, ResidentRegistered
from lianxin.people.domain.register import Gender, Household, Relation, Resident, new_resident, with_head


def phone_or_none(raw: str | None) -> str | None:
    """The normalised phone number; None for a missing or blank one."""
    return normalise_phone(raw) if raw and raw.strip() else None


def id_number_or_none(raw: str | None) -> str | None:
    """The normalised ID number; None for a missing or blank one."""
    return normalise_id_number(raw) if raw and raw.strip() else None


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
    return await in_transaction(register_resident_in, cmd, uow, scope)


async def register_resident_in(cmd: RegisterResident, uow: UnitOfWork,
                             scope: Scope | None) -> tuple[Resident, bool]:
    household = await household_in_scope(uow, cmd.household_id, scope, "householdId")
    new = new_resident(cmd.id, household, name=cmd.name, gender=cmd.gender,
                       birth_year=cmd.birth_year, relation=cmd.relation, phone=phone_or_none(cmd.phone),
                       id_number=id_number_or_none(cmd.id_number), today=today())
    resident, created = created_or_retried(new, await uow.residents.get(cmd.id), "resident", cmd.id)
    if not created:
        return resident, False
    await _id_number_is_free(uow, resident)
    headed = _head_change(household, None, resident)
    if not await uow.residents.add(resident):
        stored = await uow.residents.get(cmd.id)
        if stored is None:
            await _id_number_is_free(uow, resident)
            raise stale("resident", cmd.id)
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
        raise stale("household", household.id)
    uow.record(HouseholdChanged(household))


async def change_resident(cmd: ChangeResident, uow: UnitOfWork, scope: Scope | None = None) -> Resident:
    """Change a resident's details; the same values again change nothing."""
    return await in_transaction(change_resident_in, cmd, uow, scope)


async def change_resident_in(cmd: ChangeResident, uow: UnitOfWork,
                           scope: Scope | None) -> tuple[Resident, bool]:
    current = await uow.residents.get(cmd.id)
    if current is None:
        raise NotFound(f"resident {cmd.id} does not exist", field="id")
    household = await household_in_scope(uow, current.household_id, scope, "id")
    checked = new_resident(
        current.id, household, name=current.name if cmd.name is None else cmd.name,
        gender=cmd.gender or current.gender,
        birth_year=current.birth_year if cmd.birth_year is None else cmd.birth_year,
        relation=cmd.relation or current.relation,
        phone=current.phone if cmd.phone is None else phone_or_none(cmd.phone),
        id_number=current.id_number if cmd.id_number is None else id_number_or_none(cmd.id_number),
        today=today())
    if checked.same_content(current):
        return current, False
    changed = replace(checked, version=current.version + 1)
    if changed.id_number != current.id_number:
        await _id_number_is_free(uow, changed)
    headed = _head_change(household, current, changed)
    if not await uow.residents.update(changed):
        raise stale("resident", current.id)
    uow.record(ResidentChanged(changed))
    await _store_head(uow, headed)
    return changed, True
