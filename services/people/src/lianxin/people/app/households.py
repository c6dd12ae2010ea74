"""Households (户) of the register: register one in a village, community or grid, change its
number or address.

Each public `verb_noun(cmd, uow, scope)` is one transaction. The `verb_noun_in` helpers do the
same work inside a unit of work someone else opened and commits (the spreadsheet importer
runs a whole batch of rows in one).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from lianxin.people.app.common import Scope, check_scope, in_transaction, stale
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain.common import created_or_retried
from lianxin.people.domain.errors import IdConflict, NotFound, UnknownOrgUnit
from lianxin.people.domain.events import HouseholdChanged, HouseholdRegistered
from lianxin.people.domain.register import Household, new_household


async def household_in_scope(uow: UnitOfWork, household_id: uuid.UUID, scope: Scope | None,
                             field: str) -> Household:
    """The household: NotFound (naming `field`) if unknown, OutOfScope outside `scope`."""
    found = await uow.households.get(household_id)
    if found is None:
        raise NotFound(f"household {household_id} does not exist", field=field)
    check_scope(scope, found.org_path, f"household {found.household_no}")
    return found


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
    return await in_transaction(register_household_in, cmd, uow, scope)


async def register_household_in(cmd: RegisterHousehold, uow: UnitOfWork,
                              scope: Scope | None) -> tuple[Household, bool]:
    unit = await uow.org_units.get(cmd.org_unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"org unit {cmd.org_unit_id} does not exist", field="orgUnitId")
    check_scope(scope, unit.path, f"org unit {unit.name}")
    new = new_household(cmd.id, unit, cmd.household_no, cmd.address)
    household, created = created_or_retried(new, await uow.households.get(cmd.id), "household", cmd.id)
    if not created:
        return household, False
    await _number_is_free(uow, household)
    if not await uow.households.add(household):  # a concurrent insert won
        stored = await uow.households.get(cmd.id)
        if stored is None:
            await _number_is_free(uow, household)
            raise stale("household", cmd.id)
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
    return await in_transaction(change_household_in, cmd, uow, scope)


async def change_household_in(cmd: ChangeHousehold, uow: UnitOfWork,
                            scope: Scope | None) -> tuple[Household, bool]:
    current = await household_in_scope(uow, cmd.id, scope, "id")
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
        raise stale("household", current.id)
    uow.record(HouseholdChanged(changed))
    return changed, True
