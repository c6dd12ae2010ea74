"""The assessment subgraph: figures attached to entities owned by other services."""

from __future__ import annotations

import uuid

import strawberry
from lianxin.assessment.adapters.uow import AssessmentUnitOfWork
from lianxin.assessment.app.projections import ticket_counts
from lianxin.kit.graphql import RequestContext, loader, make_schema
from lianxin.kit.ids import parse_id
from strawberry.types import Info


@strawberry.federation.type(keys=["id"], name="OrgUnit")
class OrgUnitType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> OrgUnitType:
        return cls(id=id)

    @strawberry.field(description="Tickets submitted at this unit or anywhere below it "
                                  "(from the event projection; a second or so behind)")
    async def ticket_count(self, info: Info[RequestContext, None]) -> int:
        ctx = info.context
        ctx.require()

        async def batch(keys: list[uuid.UUID]) -> list[int]:
            return await ticket_counts(AssessmentUnitOfWork(ctx.resources.sessions), keys)

        result: int = await loader(ctx, "ticket_count", batch).load(parse_id(self.id, "id"))
        return result


@strawberry.type
class Query:
    @strawberry.field(description="Assessment service version (a subgraph needs one root field)")
    def assessment_version(self) -> str:
        return "1"


def build_schema() -> strawberry.federation.Schema:
    return make_schema(Query, types=[OrgUnitType])
