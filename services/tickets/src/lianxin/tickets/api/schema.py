"""The tickets subgraph schema."""

from __future__ import annotations

import strawberry
from lianxin.kit.graphql import RequestContext, make_schema
from lianxin.kit.ids import parse_id
from lianxin.tickets.api.types import (
    OrgUnitType,
    SubmitTicketInput,
    TicketType,
    load_tickets,
    uow,
)
from lianxin.tickets.app.commands import SubmitTicket, submit_ticket
from strawberry.types import Info


@strawberry.type
class Query:
    @strawberry.field(description="One ticket; null if unknown or not yours to see")
    async def ticket(self, info: Info[RequestContext, None], id: strawberry.ID) -> TicketType | None:
        [t] = await load_tickets(info, [parse_id(id, "id")])
        return TicketType.from_domain(t) if t else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a demand. Retrying with the same id and content "
                                     "returns the first ticket; other content is a CONFLICT.")
    async def submit_ticket(self, info: Info[RequestContext, None],
                            input: SubmitTicketInput) -> TicketType:
        principal = info.context.require("resident", "cadre", "supervisor")
        unrestricted = principal.is_admin or principal.role == "resident"
        cmd = SubmitTicket(
            id=parse_id(input.id, "id"), org_unit_id=parse_id(input.org_unit_id, "orgUnitId"),
            channel=input.channel, category=input.category, text=input.text,
            submitted_by=principal.subject,
            scope=None if unrestricted else principal.org_scope)
        return TicketType.from_domain(await submit_ticket(cmd, uow(info)))


def build_schema() -> strawberry.federation.Schema:
    return make_schema(Query, Mutation, types=[TicketType, OrgUnitType])
