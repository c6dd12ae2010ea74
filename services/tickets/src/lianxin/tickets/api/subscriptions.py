"""Subscription `ticketEvents(orgUnitId)`: live alarms (overdue, due soon, supervision, every
transition) for the tickets reaching into an org unit, as they commit (adapters/live.py).

The unit must lie in the subscriber's scope (checked once, when subscribing); stability-risk
events go only to roles cleared for them. Events carry ids, the code, the type and the status —
never personal data — so a wall screen may show them; the client reads details with `ticket`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError
from lianxin.kit.errors import CodedError
from lianxin.kit.ids import parse_id
from lianxin.tickets.adapters.live import hub_for
from lianxin.tickets.api.common import STAFF_ROLES, GqlInfo, actor, uow
from lianxin.tickets.api.enums import StatusEnum
from lianxin.tickets.app import queries
from lianxin.tickets.app.queries import LiveTicketEvent

FOLLOWERS = (*STAFF_ROLES, "analyst", "screen")


@strawberry.type(name="TicketEvent", description="Something that just happened to a ticket")
class TicketEventType:
    ticket_id: strawberry.ID
    code: str
    type: str = strawberry.field(description="The event, e.g. TicketOverdue, TicketDispatched, "
                                             "SupervisionOpened, WhistleReportedIn")
    status: StatusEnum  # type: ignore[valid-type]
    at: dt.datetime
    org_unit_id: strawberry.ID = strawberry.field(description="The unit subscribed to")

    @classmethod
    def of(cls, e: LiveTicketEvent, unit_id: str) -> TicketEventType:
        return cls(ticket_id=strawberry.ID(str(e.ticket_id)), code=e.code, type=e.type,
                   status=e.status, at=e.at, org_unit_id=strawberry.ID(unit_id))


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Events of tickets reaching into an org unit in your "
                             "scope, from now on (nothing is replayed; on SERVICE_UNAVAILABLE "
                             "subscribe again)")
    async def ticket_events(self, info: GqlInfo,
                            org_unit_id: strawberry.ID) -> AsyncGenerator[TicketEventType, None]:
        try:
            caller = actor(info, *FOLLOWERS)
            unit = await queries.unit_in_scope(uow(info), caller,
                                               parse_id(org_unit_id, "orgUnitId"))
            async with hub_for(info.context.resources.engine).subscribe() as events:
                async for event in events:
                    if queries.follows(caller, unit.id, event):
                        yield TicketEventType.of(event, str(unit.id))
        except CodedError as exc:
            # The kit's ErrorCodes extension sees only executed results, not streamed ones:
            # give the error its code here.
            raise GraphQLError(exc.message, extensions={"code": exc.code}) from exc


TYPES = [TicketEventType]
