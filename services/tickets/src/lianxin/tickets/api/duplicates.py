"""GraphQL for duplicate suggestions (重复诉求提示), hot spots and repeat requesters
(举一反三). Queries only; merging is `mergeTickets` (api/feedback.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.tickets.api.common import GqlInfo, OrgUnitRef, TicketRef, actor, org_unit, staff, uow
from lianxin.tickets.app import duplicates, hotspots
from lianxin.tickets.domain.hotspots import HotSpot
from lianxin.tickets.domain.ticket import Ticket

if TYPE_CHECKING:
    from lianxin.tickets.api.types import TicketType

# Aggregate counts without texts: the command centre's screen and analysts may read them too.
HOT_SPOT_ROLES = ("cadre", "supervisor", "admin", "analyst", "screen")


def _ticket(t: Ticket) -> TicketType:
    from lianxin.tickets.api.types import TicketType
    return TicketType.from_domain(t)


@strawberry.type(name="SimilarTicket", description="A ticket that may be the same problem")
class SimilarTicketType:
    score: float = strawberry.field(description="Text similarity, 0 … 1 (suggested from 0.5)")
    source: strawberry.Private[Ticket]

    @strawberry.field
    def ticket(self) -> TicketRef:
        return _ticket(self.source)

    @classmethod
    def of(cls, pair: tuple[Ticket, float]) -> SimilarTicketType:
        return cls(score=pair[1], source=pair[0])


@strawberry.type(name="HotSpot", description="Tickets of one top-level category at one place in "
                 "one ISO week (China time)")
class HotSpotType:
    category: str = strawberry.field(description="Top-level category code, e.g. water")
    week: str = strawberry.field(description="ISO week, e.g. 2026-W47")
    week_start: dt.date = strawberry.field(description="Its Monday")
    count: int
    spike: bool = strawberry.field(description="count ≥ 3 and ≥ 2 × the mean of the 4 weeks "
                                               "before (weeks without tickets count as 0)")
    place_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The child of the unit asked about (the unit itself for "
                                  "tickets recorded at it)")
    def place(self) -> OrgUnitRef:
        return org_unit(self.place_id)

    @classmethod
    def from_domain(cls, h: HotSpot) -> HotSpotType:
        return cls(category=h.category, week=h.week, week_start=h.week_start, count=h.count,
                   spike=h.spike, place_id=h.place_id)


@strawberry.type(name="RepeatRequester", description="Someone who keeps raising demands, known "
                 "only by an opaque key (no name, phone or resident id)")
class RepeatRequesterType:
    requester_key: str = strawberry.field(description="Opaque and stable: a truncated hash")
    ticket_count: int
    last_ticket_at: dt.datetime
    source: strawberry.Private[list[Ticket]]

    @strawberry.field(description="Their newest tickets here (at most 10) that you may see")
    def tickets(self) -> list[TicketRef]:
        return [_ticket(t) for t in self.source]

    @classmethod
    def from_domain(cls, r: hotspots.RepeatRequester) -> RepeatRequesterType:
        return cls(requester_key=r.requester_key, ticket_count=r.ticket_count,
                   last_ticket_at=r.last_ticket_at, source=r.tickets)


@strawberry.type
class Query:
    @strawberry.field(description="Open tickets (or resolved within 30 days) of the last 90 days "
                      "in the same village or community and top-level category that may be the "
                      "same problem as this text, best first; only those you may see")
    async def similar_tickets(self, info: GqlInfo, text: str, org_unit_id: strawberry.ID,
                              category: str, first: int = 5) -> list[SimilarTicketType]:
        found = await duplicates.similar_tickets(
            uow(info), actor(info), text, parse_id(org_unit_id, "orgUnitId"), category, first)
        return [SimilarTicketType.of(pair) for pair in found]

    @strawberry.field(description="Ticket counts by top-level category × place (each child of "
                      "the unit) × ISO week for the last `weeks` weeks, with a spike flag; "
                      "newest week first. The unit must lie in your scope (else FORBIDDEN)")
    async def hot_spots(self, info: GqlInfo, org_unit_id: strawberry.ID, weeks: int = 8,
                        category: str | None = None) -> list[HotSpotType]:
        found = await hotspots.hot_spots(uow(info), actor(info, *HOT_SPOT_ROLES),
                                         parse_id(org_unit_id, "orgUnitId"), weeks, category)
        return [HotSpotType.from_domain(h) for h in found]

    @strawberry.field(description="Requesters with at least `minTickets` tickets placed under "
                      "the unit since `since`, most first (at most 100); staff only")
    async def repeat_requesters(self, info: GqlInfo, org_unit_id: strawberry.ID,
                                since: dt.datetime, min_tickets: int = 3
                                ) -> list[RepeatRequesterType]:
        found = await hotspots.repeat_requesters(
            uow(info), staff(info), parse_id(org_unit_id, "orgUnitId"), since, min_tickets)
        return [RepeatRequesterType.from_domain(r) for r in found]


TYPES = [SimilarTicketType, HotSpotType, RepeatRequesterType]
