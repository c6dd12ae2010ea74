"""GraphQL of the category taxonomy and the routing rules. The taxonomy is small (tens of rows):
it is loaded once per request and every Category field reads from that copy."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Mapping
from typing import Annotated, Any, TypeVar

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
from lianxin.kit.graphql import loader
from lianxin.kit.ids import parse_id
from lianxin.tickets.api.common import GqlInfo, OrgUnitRef, actor, org_unit, staff, uow
from lianxin.tickets.app import taxonomy as tx
from lianxin.tickets.domain.category import Category, lineage, tree_order, usable
from lianxin.tickets.domain.routing import RoutingRule

EDITOR_ROLES = ("admin", "supervisor")
_TABLE = "category_table"
T = TypeVar("T")


async def category_table(info: GqlInfo) -> Mapping[str, Category]:
    """The whole taxonomy, read once per request."""
    async def batch(keys: list[str]) -> list[Mapping[str, Category]]:
        table = await tx.categories(uow(info))
        return [table for _ in keys]

    table: Mapping[str, Category] = await loader(info.context, _TABLE, batch).load("all")
    return table


@strawberry.type(name="Category", description="A demand category (问题分类), e.g. water.supply "
                                              "under water; rules on a category cover the "
                                              "categories below it")
class CategoryType:
    code: str
    name: str
    position: int
    parent_code: str | None
    table: strawberry.Private[Mapping[str, Category]]

    @classmethod
    def from_domain(cls, c: Category, table: Mapping[str, Category]) -> CategoryType:
        return cls(code=c.code, name=c.name, position=c.position, parent_code=c.parent_code,
                   table=table)

    @strawberry.field(description="Whether new tickets may use it: false when it or a category "
                                  "above it is deactivated")
    def active(self) -> bool:
        return usable(self.table, self.code)

    @strawberry.field(description="1 for a top-level category")
    def depth(self) -> int:
        return self.code.count(".") + 1

    @strawberry.field
    def parent(self) -> CategoryType | None:
        found = self.table.get(self.parent_code) if self.parent_code else None
        return CategoryType.from_domain(found, self.table) if found else None

    @strawberry.field(description="Direct sub-categories, in display order (inactive ones too)")
    def children(self) -> list[CategoryType]:
        kids = sorted((c for c in self.table.values() if c.parent_code == self.code),
                      key=lambda c: (c.position, c.code))
        return [CategoryType.from_domain(c, self.table) for c in kids]

    @strawberry.field(description="From the top-level category down to this one")
    def path(self) -> list[CategoryType]:
        return [CategoryType.from_domain(self.table[c], self.table) for c in lineage(self.code)
                if c in self.table]


@strawberry.type(name="RoutingRule", description="Routes tickets of a category (and the ones "
                 "below it) placed in an area to a department; the most specific rule wins "
                 "(deepest area, then most specific category). Rules suggest, dispatchers decide")
class RoutingRuleType:
    id: strawberry.ID
    category_code: str
    area_depth: int = strawberry.field(description="Depth of the area in the org tree; 0 = anywhere")
    note: str
    created_at: dt.datetime
    created_by: str
    area_unit_id: strawberry.Private[uuid.UUID | None]
    department_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_domain(cls, r: RoutingRule) -> RoutingRuleType:
        return cls(id=strawberry.ID(str(r.id)), category_code=r.category,
                   area_depth=r.area_depth, note=r.note, created_at=r.created_at,
                   created_by=r.created_by, area_unit_id=r.area_unit_id,
                   department_id=r.department_id)

    @strawberry.field(description="The area whose subtree the rule covers; null = anywhere")
    def area(self) -> OrgUnitRef | None:
        return org_unit(self.area_unit_id) if self.area_unit_id else None

    @strawberry.field
    def department(self) -> OrgUnitRef:
        return org_unit(self.department_id)

    @strawberry.field
    async def category(self, info: GqlInfo) -> CategoryType | None:
        table = await category_table(info)
        found = table.get(self.category_code)
        return CategoryType.from_domain(found, table) if found else None


@strawberry.type(description="The routing rule that was deleted")
class DeletedRoutingRule:
    id: strawberry.ID


CategoryResult = Annotated[CategoryType | InvalidInputError | NotFoundError | ConflictError,
                           strawberry.union("CategoryResult")]
RoutingRuleResult = Annotated[RoutingRuleType | InvalidInputError | NotFoundError | ConflictError,
                              strawberry.union("RoutingRuleResult")]
DeleteRoutingRuleResult = Annotated[DeletedRoutingRule | NotFoundError | InvalidInputError,
                                    strawberry.union("DeleteRoutingRuleResult")]


@strawberry.input
class CreateCategoryInput:
    code: str = strawberry.field(description="Lower-case, dot-separated: parentCode + '.' + a "
                                             "segment, e.g. water.tank")
    name: str
    parent_code: str | None = strawberry.field(default=None,
                                               description="Null for a top-level category")
    position: int | None = strawberry.field(default=None,
                                            description="Display order; default: last")


@strawberry.input(description="Rename, deactivate (or reactivate) or reorder a category; "
                              "fields left null stay as they are")
class UpdateCategoryInput:
    code: str
    name: str | None = None
    active: bool | None = None
    position: int | None = None


@strawberry.input
class SetRoutingRuleInput:
    category_code: str
    department_id: strawberry.ID
    area_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null = anywhere (admins only)")
    note: str = ""


@strawberry.input
class DeleteRoutingRuleInput:
    id: strawberry.ID


async def _category_result(info: GqlInfo, action: Awaitable[Category]) -> CategoryResult:
    async def run() -> CategoryType:
        done = await action
        info.context.loaders.pop(_TABLE, None)  # the request's copy predates the change
        return CategoryType.from_domain(done, await category_table(info))

    result: Any = await as_result(run(), lambda c: c)
    return result


@strawberry.type
class Query:
    @strawberry.field(description="The category taxonomy, each parent before its children; "
                                  "these codes are what submitTicket's category takes")
    async def categories(self, info: GqlInfo, include_inactive: bool = False) -> list[CategoryType]:
        info.context.require()
        table = await category_table(info)
        return [CategoryType.from_domain(c, table) for c in tree_order(table)
                if include_inactive or usable(table, c.code)]

    @strawberry.field(description="One category by code; null if there is none")
    async def category(self, info: GqlInfo, code: str) -> CategoryType | None:
        info.context.require()
        table = await category_table(info)
        return CategoryType.from_domain(table[code], table) if code in table else None

    @strawberry.field(description="Routing rules by category code (staff)")
    async def routing_rules(self, info: GqlInfo, first: int = 20, after: str | None = None,
                            category_code: str | None = None) -> Connection[RoutingRuleType]:
        staff(info)
        rows = await tx.routing_rules(uow(info), decode_keyset(after, str), check_first(first) + 1,
                                      category_code)
        return page(rows, first, key=lambda r: [r.category, str(r.id)],
                    node=RoutingRuleType.from_domain)

    @strawberry.field(description="Departments the best-matching routing rules suggest for the "
                                  "ticket (several when rules tie; empty when none applies)")
    async def route_ticket(self, info: GqlInfo, ticket_id: strawberry.ID) -> list[OrgUnitRef]:
        units = await tx.route_ticket(parse_id(ticket_id, "ticketId"), uow(info), staff(info))
        return [org_unit(u.id) for u in units]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add a category (admin or supervisor)")
    async def create_category(self, info: GqlInfo, input: CreateCategoryInput) -> CategoryResult:
        who = actor(info, *EDITOR_ROLES)
        cmd = tx.CreateCategory(code=input.code.strip(), name=input.name,
                                parent_code=input.parent_code or None, position=input.position)
        return await _category_result(info, tx.create_category(cmd, uow(info), who))

    @strawberry.mutation(description="Rename, deactivate or reorder a category (admin or "
                                      "supervisor); existing tickets keep their category")
    async def update_category(self, info: GqlInfo, input: UpdateCategoryInput) -> CategoryResult:
        who = actor(info, *EDITOR_ROLES)
        cmd = tx.UpdateCategory(code=input.code, name=input.name, active=input.active,
                                position=input.position)
        return await _category_result(info, tx.update_category(cmd, uow(info), who))

    @strawberry.mutation(description="Route a category in an area to a department (admin or "
                                      "supervisor for the area); the same category, area and "
                                      "department again updates the note")
    async def set_routing_rule(self, info: GqlInfo,
                               input: SetRoutingRuleInput) -> RoutingRuleResult:
        who = actor(info, *EDITOR_ROLES)

        async def run() -> RoutingRule:
            cmd = tx.SetRoutingRule(
                category=input.category_code, department_id=parse_id(input.department_id,
                                                                     "departmentId"),
                area_unit_id=parse_id(input.area_unit_id, "areaUnitId")
                if input.area_unit_id else None, note=input.note)
            return await tx.set_routing_rule(cmd, uow(info), who)

        result: Any = await as_result(run(), RoutingRuleType.from_domain)
        return result

    @strawberry.mutation(description="Delete a routing rule (admin or supervisor for its area)")
    async def delete_routing_rule(self, info: GqlInfo,
                                  input: DeleteRoutingRuleInput) -> DeleteRoutingRuleResult:
        who = actor(info, *EDITOR_ROLES)

        async def run() -> uuid.UUID:
            return await tx.delete_routing_rule(tx.DeleteRoutingRule(parse_id(input.id, "id")),
                                                uow(info), who)

        result: Any = await as_result(run(), lambda i: DeletedRoutingRule(id=strawberry.ID(str(i))))
        return result


TYPES: list[type] = [CategoryType, RoutingRuleType]
