"""Strawberry types of a household (户) of the register and of its needs tags (困难群众台账)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.kit.graphql import loader
from lianxin.kit.ids import parse_id
from lianxin.kit.pii import mask_address
from lianxin.people.api.common import GqlInfo, uow
from lianxin.people.api.register_access import UNMASKED, clear_or_masked, load_households, load_residents
from lianxin.people.api.residents import ResidentType
from lianxin.people.api.types import OrgUnitType, load_units
from lianxin.people.app import register_queries as rq
from lianxin.people.app.common import today
from lianxin.people.domain.register import Household, NeedsTag, NeedsTagKind, Resident

if TYPE_CHECKING:
    from lianxin.people.api.work import PairingType

NeedsTagKindEnum = strawberry.enum(NeedsTagKind, name="NeedsTagKind", description="Why a household "
                                   "is on the needy register (困难群众台账)")


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

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> NeedsTagType | None:
        """A tag by reference: shown to whoever may see its household (null otherwise), the
        same rule as Household.needsTags."""
        async def batch(keys: list[uuid.UUID]) -> list[NeedsTag | None]:
            return await rq.tags_by_id(uow(info), keys)

        tag: NeedsTag | None = await loader(info.context, "needs_tag", batch).load(parse_id(id, "id"))
        if tag is None:
            return None
        [household] = await load_households(info, [tag.household_id])
        return cls.from_domain(tag) if household else None

    @strawberry.field(description="Whether it applies today (China time)")
    def active(self) -> bool:
        return self.since <= today() and (self.until is None or today() < self.until)


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
        shown = await clear_or_masked(info, self.address_clear, mask_address, unmasked, reason,
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
            return await rq.residents_of_households(uow(info), keys)

        found: list[Resident] = await loader(info.context, "household_members", batch).load(self.uid)
        return [ResidentType.from_domain(r) for r in found
                if principal.role != "resident" or str(r.id) == principal.subject]

    @strawberry.field(description="Its needs tags, oldest first; by default only those active today")
    async def needs_tags(self, info: GqlInfo, active_only: bool = True) -> list[NeedsTagType]:
        async def batch(keys: list[uuid.UUID]) -> list[list[NeedsTag]]:
            return await rq.tags_of_households(uow(info), keys)

        found: list[NeedsTag] = await loader(info.context, "household_tags", batch).load(self.uid)
        day = today()
        return [NeedsTagType.from_domain(t) for t in found if not active_only or t.active_on(day)]

    @strawberry.field(description="Cadres paired with it (结对); by default only active pairings")
    async def pairings(self, info: GqlInfo, active_only: bool = True) -> list[
            Annotated[PairingType, strawberry.lazy("lianxin.people.api.work")]]:
        from lianxin.people.api.work import pairings_of_household

        found: list[PairingType] = await pairings_of_household(info, self.uid, active_only)
        return found
