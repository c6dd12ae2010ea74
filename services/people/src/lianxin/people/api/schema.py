"""The people subgraph schema: the org tree here, the register (api.register) and the work of
cadres — pairings, visits, campaigns, contact cards (api.work) — merged into one."""

from __future__ import annotations

from typing import Annotated

import strawberry
from lianxin.kit.gqltypes import ConflictError, InvalidInputError, NotFoundError, as_result
from lianxin.kit.graphql import make_schema
from lianxin.kit.ids import parse_id
from lianxin.people.api import register, work
from lianxin.people.api.common import GqlInfo, uow
from lianxin.people.api.types import CreateOrgUnitInput, OrgUnitType, load_units
from lianxin.people.app import queries
from lianxin.people.app.commands import (
    CreateOrgUnit,
    MoveOrgUnit,
    RenameOrgUnit,
    create_org_unit,
    move_org_unit,
    rename_org_unit,
)
from lianxin.people.domain import OrgUnit
from strawberry.tools import merge_types

OrgUnitResult = Annotated[OrgUnitType | InvalidInputError | NotFoundError | ConflictError,
                          strawberry.union("OrgUnitResult")]


@strawberry.type
class OrgQuery:
    @strawberry.field(description="One org unit; null if unknown or outside your org scope")
    async def org_unit(self, info: GqlInfo, id: strawberry.ID) -> OrgUnitType | None:
        [unit] = await load_units(info, [parse_id(id, "id")])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="The top of your org scope: every root for an admin, else the "
                                  "units named in your token's org_scope")
    async def org_units(self, info: GqlInfo) -> list[OrgUnitType]:
        principal = info.context.require()
        if principal.is_admin:
            units = await queries.root_units(uow(info))
        else:
            found = await load_units(info, [parse_id(s, "org_scope") for s in principal.org_scope])
            units = [u for u in found if u is not None]
        return [OrgUnitType.from_domain(u) for u in units]


@strawberry.type
class OrgMutation:
    @strawberry.mutation(description="Create an org unit (admin). Retrying with the same id and "
                                     "content returns the unit; other content is a ConflictError.")
    async def create_org_unit(self, info: GqlInfo, input: CreateOrgUnitInput) -> OrgUnitResult:
        info.context.require("admin")

        async def run() -> OrgUnit:
            cmd = CreateOrgUnit(
                id=parse_id(input.id, "id"), name=input.name, kind=input.kind,
                parent_id=parse_id(input.parent_id, "parentId") if input.parent_id else None,
                subkind=input.subkind)
            return await create_org_unit(cmd, uow(info))

        return await as_result(run(), OrgUnitType.from_domain)

    @strawberry.mutation(description="Rename an org unit (admin); its history keeps the old name")
    async def rename_org_unit(self, info: GqlInfo, id: strawberry.ID, name: str) -> OrgUnitResult:
        info.context.require("admin")

        async def run() -> OrgUnit:
            return await rename_org_unit(RenameOrgUnit(parse_id(id, "id"), name), uow(info))

        return await as_result(run(), OrgUnitType.from_domain)

    @strawberry.mutation(description="Move an org unit and everything below it under another "
                                     "parent (admin), e.g. when townships are merged")
    async def move_org_unit(self, info: GqlInfo, id: strawberry.ID,
                            parent_id: strawberry.ID) -> OrgUnitResult:
        info.context.require("admin")

        async def run() -> OrgUnit:
            cmd = MoveOrgUnit(parse_id(id, "id"), parse_id(parent_id, "parentId"))
            return await move_org_unit(cmd, uow(info))

        return await as_result(run(), OrgUnitType.from_domain)


Query = merge_types("Query", (OrgQuery, register.Query, work.Query))
Mutation = merge_types("Mutation", (OrgMutation, register.Mutation, work.Mutation))


def build_schema() -> strawberry.federation.Schema:
    return make_schema(Query, Mutation, types=[OrgUnitType, *register.TYPES, *work.TYPES])
