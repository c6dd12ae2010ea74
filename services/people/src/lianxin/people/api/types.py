"""Strawberry types of the org tree: OrgUnit is owned here and extended by tickets and
assessment; its register and pairing fields delegate to api.register and api.work."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.kit.gqltypes import Connection
from lianxin.kit.graphql import loader
from lianxin.kit.ids import parse_id
from lianxin.people.api.common import GqlInfo, uow
from lianxin.people.app import queries
from lianxin.people.domain import OrgUnit, OrgUnitKind, OrgUnitSubkind
from lianxin.people.domain.register import NeedsTagKind

if TYPE_CHECKING:  # strawberry resolves these lazily by name in the modules named below
    from lianxin.people.api.register import HouseholdType
    from lianxin.people.api.work import CadreType
    from lianxin.people.domain.cadre import Rank as RankEnum
    from lianxin.people.domain.register import NeedsTagKind as NeedsTagKindEnum

OrgUnitKindEnum = strawberry.enum(OrgUnitKind, name="OrgUnitKind",
                                  description="Kind of organisation unit (组织)")
OrgUnitSubkindEnum = strawberry.enum(OrgUnitSubkind, name="OrgUnitSubkind",
                                     description="乡 / 镇 / 街道 for a township; 党委 / 党总支 / "
                                                 "党支部 for a party organisation")
HouseholdConnection = Connection[Annotated["HouseholdType",
                                           strawberry.lazy("lianxin.people.api.register")]]
CadreConnection = Connection[Annotated["CadreType", strawberry.lazy("lianxin.people.api.work")]]


async def load_units(info: GqlInfo, ids: list[uuid.UUID]) -> list[OrgUnit | None]:
    """Units by id through the request's DataLoader, hiding those outside the caller's scope."""
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[OrgUnit | None]:
        return await queries.org_units_by_id(uow(info), keys)

    units = await loader(info.context, "org_unit", batch).load_many(ids)
    return [u if u is not None and principal.sees_path([str(p) for p in u.path]) else None
            for u in units]


@strawberry.type(name="OrgUnitChange", description="One version of an org unit: how it was "
                 "created, renamed or moved, by whom and when")
class OrgUnitChangeType:
    version: int
    change: str
    name: str
    parent_id: strawberry.ID | None
    changed_at: dt.datetime
    actor: str


@strawberry.federation.type(keys=["id"], name="OrgUnit",
                            description="A unit of the organisation tree (组织)")
class OrgUnitType:
    id: strawberry.ID
    name: str
    kind: OrgUnitKindEnum  # type: ignore[valid-type]
    subkind: OrgUnitSubkindEnum | None  # type: ignore[valid-type]
    parent_id: strawberry.Private[uuid.UUID | None]
    path_ids: strawberry.Private[tuple[uuid.UUID, ...]]

    @classmethod
    def from_domain(cls, unit: OrgUnit) -> OrgUnitType:
        return cls(id=strawberry.ID(str(unit.id)), name=unit.name, kind=unit.kind,
                   subkind=unit.subkind, parent_id=unit.parent_id, path_ids=unit.path)

    @property
    def unit_id(self) -> uuid.UUID:
        return self.path_ids[-1]

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> OrgUnitType | None:
        [unit] = await load_units(info, [parse_id(id, "id")])
        return cls.from_domain(unit) if unit else None

    @strawberry.field(description="Ids from the root (county) down to this unit, inclusive")
    def path(self) -> list[strawberry.ID]:
        return [strawberry.ID(str(p)) for p in self.path_ids]

    @strawberry.field(description="The unit above this one; null for a root or outside your scope")
    async def parent(self, info: GqlInfo) -> OrgUnitType | None:
        if self.parent_id is None:
            return None
        [unit] = await load_units(info, [self.parent_id])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="Units directly under this one, by name")
    async def children(self, info: GqlInfo) -> list[OrgUnitType]:
        info.context.require()

        async def batch(keys: list[uuid.UUID]) -> list[list[OrgUnit]]:
            return await queries.children_by_parent(uow(info), keys)

        units = await loader(info.context, "org_unit_children", batch).load(self.unit_id)
        return [OrgUnitType.from_domain(u) for u in units]

    @strawberry.field(description="Every unit below this one at any depth (optionally only some "
                                  "kinds), by depth then name — e.g. all villages of a township")
    async def descendants(self, info: GqlInfo,
                          kinds: list[OrgUnitKindEnum] | None = None) -> list[OrgUnitType]:  # type: ignore[valid-type]
        info.context.require()
        units = await queries.subtree_units(uow(info), self.unit_id, kinds or ())
        return [OrgUnitType.from_domain(u) for u in units if u.id != self.unit_id]

    @strawberry.field(description="How this unit was created, renamed and moved, oldest first")
    async def history(self, info: GqlInfo) -> list[OrgUnitChangeType]:
        info.context.require("cadre", "supervisor", "analyst", "admin")

        async def batch(keys: list[uuid.UUID]) -> list[list[dict[str, object]]]:
            return await queries.org_unit_history(uow(info), keys)

        changes = await loader(info.context, "org_unit_history", batch).load(self.unit_id)
        return [OrgUnitChangeType(
            version=c["version"], change=c["change"], name=c["name"],
            parent_id=strawberry.ID(str(c["parent_id"])) if c["parent_id"] else None,
            changed_at=c["changed_at"], actor=c["actor"]) for c in changes]

    @strawberry.field(description="Households registered at this unit or below (户), filtered: "
                                  "needsHelp = on the needy register today; paired = with or "
                                  "without an active pairing (false: the coverage gap)")
    async def households(self, info: GqlInfo, needs_help: bool | None = None,
                         needs_tag: Annotated[NeedsTagKindEnum, strawberry.lazy(
                             "lianxin.people.api.register")] | None = None,
                         paired: bool | None = None, first: int = 20,
                         after: str | None = None) -> HouseholdConnection:
        from lianxin.people.api.register import households_page

        tag = NeedsTagKind(needs_tag.value) if needs_tag is not None else None
        return await households_page(info, self.unit_id, needs_help, tag, paired, first, after)

    @strawberry.field(description="Households at this unit or below that no cadre is paired "
                                  "with (the coverage gap)")
    async def unpaired_households(self, info: GqlInfo, first: int = 20,
                                  after: str | None = None) -> HouseholdConnection:
        from lianxin.people.api.register import households_page

        return await households_page(info, self.unit_id, None, None, False, first, after)

    @strawberry.field(description="Cadres and party members working at this unit or below")
    async def cadres(self, info: GqlInfo,
                     rank: Annotated[RankEnum, strawberry.lazy("lianxin.people.api.work")]
                     | None = None, first: int = 20, after: str | None = None) -> CadreConnection:
        from lianxin.people.api.work import cadres_page

        return await cadres_page(info, self.unit_id, rank, first, after)


@strawberry.input(description="A new org unit; the client chooses the id so a retry is harmless")
class CreateOrgUnitInput:
    id: strawberry.ID
    name: str
    kind: OrgUnitKindEnum  # type: ignore[valid-type]
    parent_id: Annotated[strawberry.ID | None, strawberry.argument(
        description="null only for a root (a county)")] = None
    subkind: OrgUnitSubkindEnum | None = None  # type: ignore[valid-type]
