"""Strawberry types: Ticket is owned here; OrgUnit (owned by people) gains `tickets`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import strawberry
from lianxin.kit.auth import Principal
from lianxin.kit.errors import InvalidInput
from lianxin.kit.graphql import RequestContext, loader
from lianxin.kit.ids import parse_id
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app import queries
from lianxin.tickets.domain.ticket import Channel, Status, Ticket
from strawberry.types import Info

ChannelEnum = strawberry.enum(Channel, name="Channel", description="Where a demand came from")
StatusEnum = strawberry.enum(Status, name="TicketStatus")
MAX_PAGE = 100


def uow(info: Info[RequestContext, None]) -> TicketsUnitOfWork:
    return TicketsUnitOfWork(info.context.resources.sessions, actor=info.context.require())


def visible(principal: Principal, ticket: Ticket) -> bool:
    """Residents see their own tickets; everyone else sees tickets inside their org scope."""
    if principal.role == "resident":
        return ticket.submitted_by == principal.subject
    return principal.sees_path([str(p) for p in ticket.org_path])


async def load_tickets(info: Info[RequestContext, None], ids: list[uuid.UUID]) -> list[Ticket | None]:
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[Ticket | None]:
        return await queries.tickets_by_id(uow(info), keys)

    found = await loader(info.context, "ticket", batch).load_many(ids)
    return [t if t is not None and visible(principal, t) else None for t in found]


@strawberry.federation.type(keys=["id"], name="OrgUnit")
class OrgUnitType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> OrgUnitType:
        return cls(id=id)

    @strawberry.field(description=f"Newest tickets at this unit or below (at most {MAX_PAGE})")
    async def tickets(self, info: Info[RequestContext, None], first: int = 20) -> list[TicketType]:
        principal = info.context.require()
        if not 1 <= first <= MAX_PAGE:
            raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")

        async def batch(keys: list[tuple[uuid.UUID, int]]) -> list[list[Ticket]]:
            # Keys share one page size per request in practice; group by it to stay correct.
            out: dict[tuple[uuid.UUID, int], list[Ticket]] = {}
            for size in {n for _, n in keys}:
                ids = [k for k, n in keys if n == size]
                for org_id, found in zip(ids, await queries.tickets_under(uow(info), ids, size),
                                         strict=True):
                    out[(org_id, size)] = found
            return [out[k] for k in keys]

        found = await loader(info.context, "org_unit_tickets", batch).load(
            (parse_id(self.id, "id"), first))
        return [TicketType.from_domain(t) for t in found if visible(principal, t)]


@strawberry.federation.type(keys=["id"], name="Ticket",
                            description="A demand, opinion or complaint (民情诉求), kept verbatim")
class TicketType:
    id: strawberry.ID
    status: StatusEnum  # type: ignore[valid-type]
    channel: ChannelEnum  # type: ignore[valid-type]
    category: str
    text: str = strawberry.field(description="What the resident said, verbatim (原汁原味)")
    submitted_at: dt.datetime
    org_unit_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_domain(cls, t: Ticket) -> TicketType:
        return cls(id=strawberry.ID(str(t.id)), status=t.status, channel=t.channel,
                   category=t.category, text=t.text, submitted_at=t.submitted_at,
                   org_unit_id=t.org_unit_id)

    @classmethod
    async def resolve_reference(cls, info: Info[RequestContext, None],
                                id: strawberry.ID) -> TicketType | None:
        [t] = await load_tickets(info, [parse_id(id, "id")])
        return cls.from_domain(t) if t else None

    @strawberry.field(description="Where the demand belongs")
    def org_unit(self) -> OrgUnitType:
        return OrgUnitType(id=strawberry.ID(str(self.org_unit_id)))


@strawberry.input(description="A demand to record; the client chooses the id, so a retried "
                              "submit from a phone with a weak signal creates one ticket")
class SubmitTicketInput:
    id: strawberry.ID
    org_unit_id: strawberry.ID
    channel: ChannelEnum  # type: ignore[valid-type]
    category: Annotated[str, strawberry.argument(
        description="water, power, road, gas, housing, medical, schooling, social_security, "
                    "employment, environment, public_order or other")]
    text: str
