"""Strawberry type of a resident (群众) of the register, with its enums."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.kit.pii import mask_id_number, mask_phone
from lianxin.people.api.common import GqlInfo
from lianxin.people.api.register_access import UNMASKED, clear_or_masked, load_households, load_residents
from lianxin.people.domain.register import Gender, Relation, Resident

if TYPE_CHECKING:  # strawberry resolves it lazily (api.households imports this module)
    from lianxin.people.api.households import HouseholdType

GenderEnum = strawberry.enum(Gender, name="Gender")
RelationEnum = strawberry.enum(Relation, name="Relation", description="Relation to the head of "
                               "household (与户主关系)")


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
    async def household(self, info: GqlInfo) -> Annotated[
            HouseholdType, strawberry.lazy("lianxin.people.api.households")] | None:
        from lianxin.people.api.households import HouseholdType

        [found] = await load_households(info, [self.household_id])
        return HouseholdType.from_domain(found) if found else None

    @strawberry.field(description="Masked (138****1234) unless `unmasked`. " + UNMASKED)
    async def phone(self, info: GqlInfo, unmasked: bool = False, reason: str | None = None) -> str | None:
        return await clear_or_masked(info, self.phone_clear, mask_phone, unmasked, reason,
                                     ("resident", uuid.UUID(str(self.id))), "phone")

    @strawberry.field(description="Resident ID number (身份证号), masked unless `unmasked`. " + UNMASKED)
    async def id_number(self, info: GqlInfo, unmasked: bool = False,
                        reason: str | None = None) -> str | None:
        return await clear_or_masked(info, self.id_number_clear, mask_id_number, unmasked, reason,
                                     ("resident", uuid.UUID(str(self.id))), "idNumber")
