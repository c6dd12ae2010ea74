"""GraphQL for the register: the Query and Mutation parts the schema merges, `households_page`
(Query.households, OrgUnit.households and OrgUnit.unpairedHouseholds) and TYPES.

The types live in api/households.py (Household, NeedsTag) and api/residents.py (Resident), who
sees what in api/register_access.py, the inputs in api/register_inputs.py.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import strawberry
from lianxin.kit.gqltypes import (
    ConflictError,
    Connection,
    InvalidInputError,
    NotFoundError,
    as_result,
    check_first,
    decode_keyset,
    page,
)
from lianxin.kit.ids import parse_id
from lianxin.people.api.common import NO_REGISTER_ROLES, GqlInfo, sees_register, uow, writer
from lianxin.people.api.households import HouseholdType, NeedsTagKindEnum, NeedsTagType
from lianxin.people.api.register_access import load_households, load_me, load_residents
from lianxin.people.api.register_inputs import (
    AddNeedsTagInput,
    ChangeHouseholdInput,
    ChangeResidentInput,
    EndNeedsTagInput,
    RegisterHouseholdInput,
    RegisterResidentInput,
)
from lianxin.people.api.residents import ResidentType
from lianxin.people.api.types import HouseholdConnection, load_units
from lianxin.people.app import register as reg
from lianxin.people.app.register_ports import HouseholdFilter
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.register import Household, NeedsTag, NeedsTagKind, Resident

__all__ = ["TYPES", "HouseholdType", "Mutation", "NeedsTagKindEnum", "Query", "households_page",
           "load_households"]


# --- lists --------------------------------------------------------------------------------------
def _empty() -> Connection[Any]:
    return page([], 1, key=lambda _: (), node=lambda _: None)


async def households_page(info: GqlInfo, org_unit_id: uuid.UUID | str, needs_help: bool | None,
                          needs_tag: NeedsTagKind | None, paired: bool | None, first: int,
                          after: str | None) -> HouseholdConnection:
    """Households at or below an org unit, by household number; empty when the unit is unknown
    or outside the caller's scope, and for analysts and screens. (OrgUnit.households and
    OrgUnit.unpairedHouseholds too.)"""
    principal = info.context.require()
    first, key = check_first(first), decode_keyset(after, str)
    unit_id = org_unit_id if isinstance(org_unit_id, uuid.UUID) else parse_id(org_unit_id, "orgUnitId")
    [unit] = await load_units(info, [unit_id])
    if unit is None or not sees_register(principal, unit.path):
        return _empty()
    where = HouseholdFilter(root_id=unit.id, on=reg.today(), needs_help=needs_help,
                            needs_tag=needs_tag, paired=paired)
    rows = await reg.households_in_subtree(uow(info), where, key, first + 1)
    return page(rows, first, key=lambda h: (h.household_no, str(h.id)), node=HouseholdType.from_domain)


async def _residents_page(info: GqlInfo, org_unit_id: strawberry.ID | None, name: str | None,
                          phone: str | None, id_number: str | None, first: int,
                          after: str | None) -> Connection[ResidentType]:
    principal = info.context.require()
    if org_unit_id is None and not any(v and v.strip() for v in (name, phone, id_number)):
        raise InvalidInput("give at least one of orgUnitId, name, phone and idNumber",
                           field="name")
    first, key = check_first(first), decode_keyset(after, str)
    roots: tuple[uuid.UUID, ...] | None
    if org_unit_id is not None:
        [unit] = await load_units(info, [parse_id(org_unit_id, "orgUnitId")])
        if unit is None or not sees_register(principal, unit.path):
            return _empty()
        roots = (unit.id,)
    elif principal.is_admin:
        roots = None
    elif principal.role == "resident" or principal.role in NO_REGISTER_ROLES:
        return _empty()
    else:
        roots = tuple(parse_id(s, "org_scope") for s in principal.org_scope)
    rows = await reg.search_residents(uow(info), roots, name=name, phone=phone, id_number=id_number,
                                      after=key, limit=first + 1)
    return page(rows, first, key=lambda r: (r.name, str(r.id)), node=ResidentType.from_domain)


@strawberry.type
class Query:
    @strawberry.field(description="One household; null if unknown or not yours to see")
    async def household(self, info: GqlInfo, id: strawberry.ID) -> HouseholdType | None:
        [found] = await load_households(info, [parse_id(id, "id")])
        return HouseholdType.from_domain(found) if found else None

    @strawberry.field(description="One resident; null if unknown or not yours to see")
    async def resident(self, info: GqlInfo, id: strawberry.ID) -> ResidentType | None:
        [found] = await load_residents(info, [parse_id(id, "id")])
        return ResidentType.from_domain(found) if found else None

    @strawberry.field(description="Households at or below an org unit, by household number. "
                      "needsHelp: with (true) / without (false) a needs tag active today; "
                      "needsTag: with an active tag of this kind; paired: with (true) / without "
                      "(false) an active pairing with a cadre")
    async def households(self, info: GqlInfo, org_unit_id: strawberry.ID,
                         needs_help: bool | None = None,
                         needs_tag: NeedsTagKindEnum | None = None,  # type: ignore[valid-type]
                         paired: bool | None = None, first: int = 20,
                         after: str | None = None) -> HouseholdConnection:
        return await households_page(info, org_unit_id, needs_help, needs_tag, paired, first, after)

    @strawberry.field(description="Residents in your scope (or below orgUnitId), by name: name "
                      "is a substring, phone and idNumber must match exactly (any formatting)")
    async def residents(self, info: GqlInfo, org_unit_id: strawberry.ID | None = None,
                        name: str | None = None, phone: str | None = None,
                        id_number: str | None = None, first: int = 20,
                        after: str | None = None) -> Connection[ResidentType]:
        return await _residents_page(info, org_unit_id, name, phone, id_number, first, after)

    @strawberry.field(description="The signed-in resident's own record (null for other roles)")
    async def me(self, info: GqlInfo) -> ResidentType | None:
        found = await load_me(info, info.context.require())
        return ResidentType.from_domain(found) if found else None


# --- mutations ----------------------------------------------------------------------------------
Errors = InvalidInputError | NotFoundError | ConflictError
HouseholdResult = Annotated[HouseholdType | Errors, strawberry.union("HouseholdResult")]
ResidentResult = Annotated[ResidentType | Errors, strawberry.union("ResidentResult")]
NeedsTagResult = Annotated[NeedsTagType | Errors, strawberry.union("NeedsTagResult")]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a household (cadre, supervisor, admin). Retrying "
                         "with the same id and content returns it; other content is a CONFLICT.")
    async def register_household(self, info: GqlInfo, input: RegisterHouseholdInput) -> HouseholdResult:
        scope = writer(info)

        async def act() -> Household:
            return await reg.register_household(reg.RegisterHousehold(
                id=parse_id(input.id, "id"), org_unit_id=parse_id(input.org_unit_id, "orgUnitId"),
                household_no=input.household_no, address=input.address), uow(info), scope)
        return await as_result(act(), HouseholdType.from_domain)

    @strawberry.mutation(description="Change a household's number or address")
    async def change_household(self, info: GqlInfo, input: ChangeHouseholdInput) -> HouseholdResult:
        scope = writer(info)

        async def act() -> Household:
            return await reg.change_household(reg.ChangeHousehold(
                id=parse_id(input.id, "id"), household_no=input.household_no,
                address=input.address), uow(info), scope)
        return await as_result(act(), HouseholdType.from_domain)

    @strawberry.mutation(description="Register a resident in a household. The same ID number "
                         "twice is a CONFLICT (field idNumber).")
    async def register_resident(self, info: GqlInfo, input: RegisterResidentInput) -> ResidentResult:
        scope = writer(info)

        async def act() -> Resident:
            return await reg.register_resident(reg.RegisterResident(
                id=parse_id(input.id, "id"), household_id=parse_id(input.household_id, "householdId"),
                name=input.name, gender=input.gender, birth_year=input.birth_year,
                relation=input.relation, phone=input.phone, id_number=input.id_number), uow(info), scope)
        return await as_result(act(), ResidentType.from_domain)

    @strawberry.mutation(description="Change a resident's details (phone, relation …)")
    async def change_resident(self, info: GqlInfo, input: ChangeResidentInput) -> ResidentResult:
        scope = writer(info)

        async def act() -> Resident:
            return await reg.change_resident(reg.ChangeResident(
                id=parse_id(input.id, "id"), name=input.name, gender=input.gender,
                birth_year=input.birth_year, relation=input.relation, phone=input.phone,
                id_number=input.id_number), uow(info), scope)
        return await as_result(act(), ResidentType.from_domain)

    @strawberry.mutation(description="Put a household on the needy register for a reason")
    async def add_needs_tag(self, info: GqlInfo, input: AddNeedsTagInput) -> NeedsTagResult:
        scope = writer(info)

        async def act() -> NeedsTag:
            return await reg.add_needs_tag(reg.AddNeedsTag(
                id=parse_id(input.id, "id"), household_id=parse_id(input.household_id, "householdId"),
                kind=input.kind, since=input.since, until=input.until), uow(info), scope)
        return await as_result(act(), NeedsTagType.from_domain)

    @strawberry.mutation(description="End a needs tag (from `until`, default today); kept as history")
    async def end_needs_tag(self, info: GqlInfo, input: EndNeedsTagInput) -> NeedsTagResult:
        scope = writer(info)

        async def act() -> NeedsTag:
            return await reg.end_needs_tag(reg.EndNeedsTag(id=parse_id(input.id, "id"),
                                                           until=input.until), uow(info), scope)
        return await as_result(act(), NeedsTagType.from_domain)


TYPES = [HouseholdType, ResidentType, NeedsTagType]
