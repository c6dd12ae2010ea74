"""People-service entities this subgraph extends with their tickets (Federation: a stub with the
key only, and the fields the tickets service answers): `Household.tickets`,
`Cadre.assignedTickets`, `Visit.tickets`; `Resident` is a reference only.

Each list shows only the tickets the caller may see (`Actor.sees`, in SQL), so asking for
another household's or cadre's tickets shows what lies in your own scope and nothing else.
"""

from __future__ import annotations

import strawberry
from lianxin.kit.gqltypes import Connection
from lianxin.kit.ids import parse_id
from lianxin.tickets.api import ticket_loaders as tl
from lianxin.tickets.api.common import GqlInfo
from lianxin.tickets.api.lists import connection, list_query
from lianxin.tickets.api.types import TicketType
from lianxin.tickets.app.queries import Anchor, ListQuery
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

VISIT_SHOWN = 100  # tickets of one visit listed at most (newest first)


async def _page(info: GqlInfo, anchor: Anchor, owner: strawberry.ID, first: int,
                after: str | None) -> Connection[TicketType]:
    query = list_query(info, first, after)
    return connection(await tl.tickets_of(info, anchor, parse_id(owner, "id"), query), query)


@strawberry.federation.type(keys=["id"], name="Household")
class HouseholdType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> HouseholdType:
        return cls(id=id)

    @strawberry.field(description="Demands the household raised that you may see, newest first")
    async def tickets(self, info: GqlInfo, first: int = 20,
                      after: str | None = None) -> Connection[TicketType]:
        return await _page(info, Anchor.HOUSEHOLD, self.id, first, after)


@strawberry.federation.type(keys=["id"], name="Cadre")
class CadreType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> CadreType:
        return cls(id=id)

    @strawberry.field(description="Tickets with a dispatch naming the cadre as the responsible "
                      "person, that you may see, newest first. openOnly (default): only active "
                      "dispatches on tickets not yet resolved")
    async def assigned_tickets(self, info: GqlInfo, open_only: bool = True, first: int = 20,
                               after: str | None = None) -> Connection[TicketType]:
        anchor = Anchor.CADRE_OPEN if open_only else Anchor.CADRE
        return await _page(info, anchor, self.id, first, after)


@strawberry.federation.type(keys=["id"], name="Visit")
class VisitType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> VisitType:
        return cls(id=id)

    @strawberry.field(description=f"Demands (民情诉求) recorded on this visit that you may see, "
                                  f"newest first (at most {VISIT_SHOWN})")
    async def tickets(self, info: GqlInfo) -> list[TicketType]:
        found = await tl.tickets_of(info, Anchor.VISIT, parse_id(self.id, "id"),
                                    ListQuery(limit=VISIT_SHOWN))
        return [TicketType.from_domain(t) for t in found.tickets]


# People owns Resident; a ticket only names one (the gateway fetches the rest from people).
@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)], name="Resident")
class ResidentType:
    id: strawberry.ID


TYPES = [HouseholdType, CadreType, VisitType, ResidentType]
