"""GraphQL for the register: Household, Resident and NeedsTag, their queries and mutations.

Who sees what: staff see households and residents inside their org scope; a resident (token
role "resident", subject = their resident id) sees their own Resident and Household only.
Phone, ID number and address are masked unless asked for `unmasked` with a `reason` by someone
holding `pii:read` (or an admin) — and only after one audit row per entity has committed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from lianxin.kit.audit import check_unmask, reveal
from lianxin.kit.auth import Principal
from lianxin.kit.gqltypes import (
    ConflictError,
    Connection,
    InvalidInputError,
    NotFoundError,
    as_result,
    check_first,
    decode_cursor,
    page,
)
from lianxin.kit.graphql import loader
from lianxin.kit.ids import parse_id
from lianxin.kit.pii import mask_address, mask_id_number, mask_phone
from lianxin.people.api.common import GqlInfo, sees, staff, uow
from lianxin.people.api.types import HouseholdConnection, OrgUnitType, load_units
from lianxin.people.app import register as reg
from lianxin.people.app.register_ports import HouseholdFilter
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.register import Gender, Household, NeedsTag, NeedsTagKind, Relation, Resident

if TYPE_CHECKING:
    from lianxin.people.api.work import PairingType

GenderEnum = strawberry.enum(Gender, name="Gender")
RelationEnum = strawberry.enum(Relation, name="Relation", description="Relation to the head of "
                               "household (与户主关系)")
NeedsTagKindEnum = strawberry.enum(NeedsTagKind, name="NeedsTagKind", description="Why a household "
                                   "is on the needy register (困难群众台账)")
UNMASKED = "Give the clear value (needs the pii:read permission and a reason; the read is audited)"


# --- loading with scope -------------------------------------------------------------------------
def _resident_loader(info: GqlInfo) -> Any:
    async def batch(keys: list[uuid.UUID]) -> list[Resident | None]:
        return await reg.residents_by_id(uow(info), keys)
    return loader(info.context, "resident", batch)


async def _me(info: GqlInfo, principal: Principal) -> Resident | None:
    """The signed-in resident's own record (None for other roles or an unknown subject)."""
    if principal.role != "resident":
        return None
    try:
        me_id = uuid.UUID(principal.subject)
    except ValueError:
        return None
    found: Resident | None = await _resident_loader(info).load(me_id)
    return found


async def load_households(info: GqlInfo, ids: list[uuid.UUID]) -> list[Household | None]:
    """Households by id through the request's DataLoader; None where unknown or not visible."""
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[Household | None]:
        return await reg.households_by_id(uow(info), keys)

    found: list[Household | None] = await loader(info.context, "household", batch).load_many(ids)
    me = await _me(info, principal)
    return [h if h is not None and (sees(principal, h.org_path) or (me and me.household_id == h.id))
            else None for h in found]


async def load_residents(info: GqlInfo, ids: list[uuid.UUID]) -> list[Resident | None]:
    """Residents by id; None where unknown or not visible (a resident sees only themself)."""
    principal = info.context.require()
    found: list[Resident | None] = await _resident_loader(info).load_many(ids)
    return [r if r is not None and (sees(principal, r.org_path) or
                                    (principal.role == "resident" and str(r.id) == principal.subject))
            else None for r in found]


async def _clear_or_masked(info: GqlInfo, value: str | None, mask: Callable[[str], str],
                           unmasked: bool, reason: str | None, entity: tuple[str, uuid.UUID],
                           field: str) -> str | None:
    if not unmasked:
        return None if value is None else mask(value)
    if value is None:
        check_unmask(info.context.require(), reason)  # same answer whether or not a value exists
        return None
    await reveal(info.context, entity[0], entity[1], field, reason)
    return value


# --- types --------------------------------------------------------------------------------------
@strawberry.federation.type(keys=["id"], name="NeedsTag", description="A reason a household is "
                            "on the needy register, for a period")
class NeedsTagType:
    id: strawberry.ID
    kind: NeedsTagKindEnum  # type: ignore[valid-type]
    since: dt.date
    until: dt.date | None = strawberry.field(description="First day it no longer applies")

    @classmethod
    def from_domain(cls, tag: NeedsTag) -> NeedsTagType:
        return cls(id=strawberry.ID(str(tag.id)), kind=tag.kind, since=tag.since, until=tag.until)

    @strawberry.field(description="Whether it applies today (China time)")
    def active(self) -> bool:
        return self.since <= reg.today() and (self.until is None or reg.today() < self.until)


@strawberry.federation.type(keys=["id"], name="Household", description="A household (户) of the "
                            "register, in a village, community or grid")
class HouseholdType:
    id: strawberry.ID
    household_no: str
    org_unit_id: strawberry.Private[uuid.UUID]
    head_resident_id: strawberry.Private[uuid.UUID | None]
    address_clear: strawberry.Private[str]

    @classmethod
    def from_domain(cls, h: Household) -> HouseholdType:
        return cls(id=strawberry.ID(str(h.id)), household_no=h.household_no,
                   org_unit_id=h.org_unit_id, head_resident_id=h.head_resident_id,
                   address_clear=h.address)

    @property
    def uid(self) -> uuid.UUID:
        return uuid.UUID(str(self.id))

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> HouseholdType | None:
        [found] = await load_households(info, [parse_id(id, "id")])
        return cls.from_domain(found) if found else None

    @strawberry.field(description="The village, community or grid it is registered in")
    async def org_unit(self, info: GqlInfo) -> OrgUnitType | None:
        [unit] = await load_units(info, [self.org_unit_id])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="Masked (玉溪村****) unless `unmasked`. " + UNMASKED)
    async def address(self, info: GqlInfo, unmasked: bool = False, reason: str | None = None) -> str:
        shown = await _clear_or_masked(info, self.address_clear, mask_address, unmasked, reason,
                                       ("household", self.uid), "address")
        assert shown is not None
        return shown

    @strawberry.field(description="The head of household (户主), if registered")
    async def head(self, info: GqlInfo) -> ResidentType | None:
        if self.head_resident_id is None:
            return None
        [found] = await load_residents(info, [self.head_resident_id])
        return ResidentType.from_domain(found) if found else None

    @strawberry.field(description="Registered members you may see, the head first")
    async def members(self, info: GqlInfo) -> list[ResidentType]:
        principal = info.context.require()

        async def batch(keys: list[uuid.UUID]) -> list[list[Resident]]:
            return await reg.residents_of_households(uow(info), keys)

        found: list[Resident] = await loader(info.context, "household_members", batch).load(self.uid)
        return [ResidentType.from_domain(r) for r in found
                if principal.role != "resident" or str(r.id) == principal.subject]

    @strawberry.field(description="Its needs tags, oldest first; by default only those active today")
    async def needs_tags(self, info: GqlInfo, active_only: bool = True) -> list[NeedsTagType]:
        async def batch(keys: list[uuid.UUID]) -> list[list[NeedsTag]]:
            return await reg.tags_of_households(uow(info), keys)

        found: list[NeedsTag] = await loader(info.context, "household_tags", batch).load(self.uid)
        day = reg.today()
        return [NeedsTagType.from_domain(t) for t in found if not active_only or t.active_on(day)]

    @strawberry.field(description="Cadres paired with it (结对); by default only active pairings")
    async def pairings(self, info: GqlInfo, active_only: bool = True) -> list[
            Annotated[PairingType, strawberry.lazy("lianxin.people.api.work")]]:
        from lianxin.people.api.work import pairings_of_household

        found: list[PairingType] = await pairings_of_household(info, self.uid, active_only)
        return found


@strawberry.federation.type(keys=["id"], name="Resident", description="A resident (群众) "
                            "registered as a member of a household")
class ResidentType:
    id: strawberry.ID
    name: str
    gender: GenderEnum  # type: ignore[valid-type]
    birth_year: int
    relation: RelationEnum  # type: ignore[valid-type]
    household_id: strawberry.Private[uuid.UUID]
    phone_clear: strawberry.Private[str | None]
    id_number_clear: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, r: Resident) -> ResidentType:
        return cls(id=strawberry.ID(str(r.id)), name=r.name, gender=r.gender,
                   birth_year=r.birth_year, relation=r.relation, household_id=r.household_id,
                   phone_clear=r.phone, id_number_clear=r.id_number)

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> ResidentType | None:
        [found] = await load_residents(info, [parse_id(id, "id")])
        return cls.from_domain(found) if found else None

    @strawberry.field
    async def household(self, info: GqlInfo) -> HouseholdType | None:
        [found] = await load_households(info, [self.household_id])
        return HouseholdType.from_domain(found) if found else None

    @strawberry.field(description="Masked (138****1234) unless `unmasked`. " + UNMASKED)
    async def phone(self, info: GqlInfo, unmasked: bool = False, reason: str | None = None) -> str | None:
        return await _clear_or_masked(info, self.phone_clear, mask_phone, unmasked, reason,
                                      ("resident", uuid.UUID(str(self.id))), "phone")

    @strawberry.field(description="Resident ID number (身份证号), masked unless `unmasked`. " + UNMASKED)
    async def id_number(self, info: GqlInfo, unmasked: bool = False,
                        reason: str | None = None) -> str | None:
        return await _clear_or_masked(info, self.id_number_clear, mask_id_number, unmasked, reason,
                                      ("resident", uuid.UUID(str(self.id))), "idNumber")


# --- lists --------------------------------------------------------------------------------------
def _key(after: str | None) -> tuple[str, uuid.UUID] | None:
    key = decode_cursor(after)
    if key is None:
        return None
    try:
        number, last = key
        return str(number), uuid.UUID(str(last))
    except (TypeError, ValueError):
        raise InvalidInput("after is not a cursor returned by this list", field="after") from None


def _empty() -> Connection[Any]:
    return page([], 1, key=lambda _: (), node=lambda _: None)


async def households_page(info: GqlInfo, org_unit_id: uuid.UUID | str, needs_help: bool | None,
                          needs_tag: NeedsTagKind | None, paired: bool | None, first: int,
                          after: str | None) -> HouseholdConnection:
    """Households at or below an org unit, by household number; empty when the unit is unknown
    or outside the caller's scope. (OrgUnit.households and OrgUnit.unpairedHouseholds too.)"""
    principal = info.context.require()
    first, key = check_first(first), _key(after)
    unit_id = org_unit_id if isinstance(org_unit_id, uuid.UUID) else parse_id(org_unit_id, "orgUnitId")
    [unit] = await load_units(info, [unit_id])
    if unit is None or not sees(principal, unit.path):
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
    first, key = check_first(first), _key(after)
    roots: tuple[uuid.UUID, ...] | None
    if org_unit_id is not None:
        [unit] = await load_units(info, [parse_id(org_unit_id, "orgUnitId")])
        if unit is None or not sees(principal, unit.path):
            return _empty()
        roots = (unit.id,)
    elif principal.is_admin:
        roots = None
    elif principal.role == "resident":
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
        found = await _me(info, info.context.require())
        return ResidentType.from_domain(found) if found else None


# --- mutations ----------------------------------------------------------------------------------
@strawberry.input(description="A household; the client chooses the id so a retry is harmless")
class RegisterHouseholdInput:
    id: strawberry.ID
    org_unit_id: strawberry.ID = strawberry.field(description="A village, community or grid")
    household_no: str = strawberry.field(description="户编号, unique within the unit")
    address: str


@strawberry.input(description="Leave a field out (null) to keep it")
class ChangeHouseholdInput:
    id: strawberry.ID
    household_no: str | None = None
    address: str | None = None


@strawberry.input(description="A household member; relation HEAD makes them the head")
class RegisterResidentInput:
    id: strawberry.ID
    household_id: strawberry.ID
    name: str
    gender: GenderEnum  # type: ignore[valid-type]
    birth_year: int
    relation: RelationEnum  # type: ignore[valid-type]
    phone: str | None = strawberry.field(default=None, description="Mobile or landline with area code")
    id_number: str | None = strawberry.field(default=None, description="18-character resident ID")


@strawberry.input(description="Leave a field out (null) to keep it; \"\" removes phone or idNumber")
class ChangeResidentInput:
    id: strawberry.ID
    name: str | None = None
    gender: GenderEnum | None = None  # type: ignore[valid-type]
    birth_year: int | None = None
    relation: RelationEnum | None = None  # type: ignore[valid-type]
    phone: str | None = None
    id_number: str | None = None


@strawberry.input
class AddNeedsTagInput:
    id: strawberry.ID
    household_id: strawberry.ID
    kind: NeedsTagKindEnum  # type: ignore[valid-type]
    since: dt.date
    until: dt.date | None = None


@strawberry.input
class EndNeedsTagInput:
    id: strawberry.ID
    until: dt.date | None = strawberry.field(default=None, description="Default: today")


Errors = InvalidInputError | NotFoundError | ConflictError
HouseholdResult = Annotated[HouseholdType | Errors, strawberry.union("HouseholdResult")]
ResidentResult = Annotated[ResidentType | Errors, strawberry.union("ResidentResult")]
NeedsTagResult = Annotated[NeedsTagType | Errors, strawberry.union("NeedsTagResult")]


def _writer(info: GqlInfo) -> reg.Scope:
    principal = staff(info)
    return lambda path: sees(principal, path)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a household (cadre, supervisor, admin). Retrying "
                         "with the same id and content returns it; other content is a CONFLICT.")
    async def register_household(self, info: GqlInfo, input: RegisterHouseholdInput) -> HouseholdResult:
        scope = _writer(info)

        async def act() -> Household:
            return await reg.register_household(reg.RegisterHousehold(
                id=parse_id(input.id, "id"), org_unit_id=parse_id(input.org_unit_id, "orgUnitId"),
                household_no=input.household_no, address=input.address), uow(info), scope)
        return await as_result(act(), HouseholdType.from_domain)

    @strawberry.mutation(description="Change a household's number or address")
    async def change_household(self, info: GqlInfo, input: ChangeHouseholdInput) -> HouseholdResult:
        scope = _writer(info)

        async def act() -> Household:
            return await reg.change_household(reg.ChangeHousehold(
                id=parse_id(input.id, "id"), household_no=input.household_no,
                address=input.address), uow(info), scope)
        return await as_result(act(), HouseholdType.from_domain)

    @strawberry.mutation(description="Register a resident in a household. The same ID number "
                         "twice is a CONFLICT (field idNumber).")
    async def register_resident(self, info: GqlInfo, input: RegisterResidentInput) -> ResidentResult:
        scope = _writer(info)

        async def act() -> Resident:
            return await reg.register_resident(reg.RegisterResident(
                id=parse_id(input.id, "id"), household_id=parse_id(input.household_id, "householdId"),
                name=input.name, gender=input.gender, birth_year=input.birth_year,
                relation=input.relation, phone=input.phone, id_number=input.id_number), uow(info), scope)
        return await as_result(act(), ResidentType.from_domain)

    @strawberry.mutation(description="Change a resident's details (phone, relation …)")
    async def change_resident(self, info: GqlInfo, input: ChangeResidentInput) -> ResidentResult:
        scope = _writer(info)

        async def act() -> Resident:
            return await reg.change_resident(reg.ChangeResident(
                id=parse_id(input.id, "id"), name=input.name, gender=input.gender,
                birth_year=input.birth_year, relation=input.relation, phone=input.phone,
                id_number=input.id_number), uow(info), scope)
        return await as_result(act(), ResidentType.from_domain)

    @strawberry.mutation(description="Put a household on the needy register for a reason")
    async def add_needs_tag(self, info: GqlInfo, input: AddNeedsTagInput) -> NeedsTagResult:
        scope = _writer(info)

        async def act() -> NeedsTag:
            return await reg.add_needs_tag(reg.AddNeedsTag(
                id=parse_id(input.id, "id"), household_id=parse_id(input.household_id, "householdId"),
                kind=input.kind, since=input.since, until=input.until), uow(info), scope)
        return await as_result(act(), NeedsTagType.from_domain)

    @strawberry.mutation(description="End a needs tag (from `until`, default today); kept as history")
    async def end_needs_tag(self, info: GqlInfo, input: EndNeedsTagInput) -> NeedsTagResult:
        scope = _writer(info)

        async def act() -> NeedsTag:
            return await reg.end_needs_tag(reg.EndNeedsTag(id=parse_id(input.id, "id"),
                                                           until=input.until), uow(info), scope)
        return await as_result(act(), NeedsTagType.from_domain)


TYPES = [HouseholdType, ResidentType, NeedsTagType]
