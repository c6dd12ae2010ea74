"""Strawberry types: OrgUnit is owned here and extended by tickets and assessment."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from lianxin.kit.graphql import RequestContext, loader
from lianxin.kit.ids import parse_id
from lianxin.people.adapters.uow import PeopleUnitOfWork
from lianxin.people.app import queries
from lianxin.people.domain import OrgUnit, OrgUnitKind
from strawberry.types import Info

OrgUnitKindEnum = strawberry.enum(OrgUnitKind, name="OrgUnitKind",
                                  description="Kind of organisation unit (组织)")


def uow(info: Info[RequestContext, None]) -> PeopleUnitOfWork:
    ctx = info.context
    return PeopleUnitOfWork(ctx.resources.sessions, actor=ctx.require())


async def load_units(info: Info[RequestContext, None], ids: list[uuid.UUID]) -> list[OrgUnit | None]:
    """Units by id through the request's DataLoader, hiding those outside the caller's scope."""
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[OrgUnit | None]:
        return await queries.org_units_by_id(uow(info), keys)

    units = await loader(info.context, "org_unit", batch).load_many(ids)
    return [u if u is not None and principal.sees_path([str(p) for p in u.path]) else None
            for u in units]


@strawberry.federation.type(keys=["id"], name="OrgUnit",
                            description="A unit of the organisation tree (组织)")
class OrgUnitType:
    id: strawberry.ID
    name: str
    kind: OrgUnitKindEnum  # type: ignore[valid-type]
    parent_id: strawberry.Private[uuid.UUID | None]
    path_ids: strawberry.Private[tuple[uuid.UUID, ...]]

    @classmethod
    def from_domain(cls, unit: OrgUnit) -> OrgUnitType:
        return cls(id=strawberry.ID(str(unit.id)), name=unit.name, kind=unit.kind,
                   parent_id=unit.parent_id, path_ids=unit.path)

    @classmethod
    async def resolve_reference(cls, info: Info[RequestContext, None],
                                id: strawberry.ID) -> OrgUnitType | None:
        [unit] = await load_units(info, [parse_id(id, "id")])
        return cls.from_domain(unit) if unit else None

    @strawberry.field(description="Ids from the root (county) down to this unit, inclusive")
    def path(self) -> list[strawberry.ID]:
        return [strawberry.ID(str(p)) for p in self.path_ids]

    @strawberry.field(description="The unit above this one; null for a root or outside your scope")
    async def parent(self, info: Info[RequestContext, None]) -> OrgUnitType | None:
        if self.parent_id is None:
            return None
        [unit] = await load_units(info, [self.parent_id])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="Units directly under this one, by name")
    async def children(self, info: Info[RequestContext, None]) -> list[OrgUnitType]:
        info.context.require()

        async def batch(keys: list[uuid.UUID]) -> list[list[OrgUnit]]:
            return await queries.children_by_parent(uow(info), keys)

        units = await loader(info.context, "org_unit_children", batch).load(
            uuid.UUID(str(self.id)))
        return [OrgUnitType.from_domain(u) for u in units]


@strawberry.input(description="A new org unit; the client chooses the id so a retry is harmless")
class CreateOrgUnitInput:
    id: strawberry.ID
    name: str
    kind: OrgUnitKindEnum  # type: ignore[valid-type]
    parent_id: Annotated[strawberry.ID | None, strawberry.argument(
        description="null only for a root (a county)")] = None
