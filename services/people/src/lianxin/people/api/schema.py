"""The people subgraph schema."""

from __future__ import annotations

import strawberry
from lianxin.kit.graphql import RequestContext, make_schema
from lianxin.kit.ids import parse_id
from lianxin.people.api.types import CreateOrgUnitInput, OrgUnitType, load_units, uow
from lianxin.people.app import queries
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from strawberry.types import Info


@strawberry.type
class Query:
    @strawberry.field(description="One org unit; null if unknown or outside your org scope")
    async def org_unit(self, info: Info[RequestContext, None], id: strawberry.ID) -> OrgUnitType | None:
        [unit] = await load_units(info, [parse_id(id, "id")])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="The top of your org scope: every root for an admin, else the "
                                  "units named in your token's org_scope")
    async def org_units(self, info: Info[RequestContext, None]) -> list[OrgUnitType]:
        principal = info.context.require()
        if principal.is_admin:
            units = await queries.root_units(uow(info))
        else:
            found = await load_units(info, [parse_id(s, "org_scope") for s in principal.org_scope])
            units = [u for u in found if u is not None]
        return [OrgUnitType.from_domain(u) for u in units]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an org unit (admin). Retrying with the same id and "
                                     "content returns the unit; other content is a CONFLICT.")
    async def create_org_unit(self, info: Info[RequestContext, None],
                              input: CreateOrgUnitInput) -> OrgUnitType:
        info.context.require("admin")
        cmd = CreateOrgUnit(
            id=parse_id(input.id, "id"), name=input.name, kind=input.kind,
            parent_id=parse_id(input.parent_id, "parentId") if input.parent_id else None)
        return OrgUnitType.from_domain(await create_org_unit(cmd, uow(info)))


def build_schema() -> strawberry.federation.Schema:
    return make_schema(Query, Mutation, types=[OrgUnitType])
