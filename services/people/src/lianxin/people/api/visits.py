"""GraphQL type Visit (走访 / 民情日记) and the Ticket stub it links demands to."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.kit.gqltypes import Connection, check_first, decode_keyset, page
from lianxin.kit.ids import parse_id
from lianxin.people.api import work_loaders as wl
from lianxin.people.api.cadres import CadreType
from lianxin.people.api.common import GqlInfo, sees_register
from lianxin.people.api.types import OrgUnitType, load_units
from lianxin.people.domain.visit import Visit, VisitKind

if TYPE_CHECKING:
    from lianxin.people.api.campaigns import CampaignType
    from lianxin.people.api.register import HouseholdType

VisitKindEnum = strawberry.enum(VisitKind, name="VisitKind", description="Home visit 入户走访, "
                                "courtyard meeting 院坝会, forum 座谈会, reception day 接待日")


@strawberry.federation.type(keys=["id"], name="Visit", description="A visit or meeting a cadre "
                            "led, with who took part, whom it reached and the demands raised")
class VisitType:
    id: strawberry.ID
    kind: VisitKindEnum  # type: ignore[valid-type]
    visited_on: dt.date
    place: str
    notes: str
    cadre_id: strawberry.Private[uuid.UUID]
    participant_ids: strawberry.Private[tuple[uuid.UUID, ...]]
    household_ids: strawberry.Private[tuple[uuid.UUID, ...]]
    ticket_ids: strawberry.Private[tuple[uuid.UUID, ...]]
    org_unit_id: strawberry.Private[uuid.UUID]
    campaign_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_domain(cls, v: Visit) -> VisitType:
        return cls(id=strawberry.ID(str(v.id)), kind=v.kind, visited_on=v.visited_on,
                   place=v.place, notes=v.notes, cadre_id=v.cadre_id,
                   participant_ids=v.participant_cadre_ids, household_ids=v.household_ids,
                   ticket_ids=v.ticket_ids, org_unit_id=v.org_unit_id, campaign_id=v.campaign_id)

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> VisitType | None:
        [found] = await wl.load_visits(info, [parse_id(id, "id")])
        return cls.from_domain(found) if found else None

    @strawberry.field(description="The cadre who led it")
    async def cadre(self, info: GqlInfo) -> CadreType | None:
        [found] = await wl.load_cadres(info, [self.cadre_id])
        return CadreType.from_domain(found) if found else None

    @strawberry.field(description="Other cadres who took part (those you may see)")
    async def participants(self, info: GqlInfo) -> list[CadreType]:
        found = await wl.load_cadres(info, list(self.participant_ids))
        return [CadreType.from_domain(c) for c in found if c]

    @strawberry.field(description="Households visited or attending (those you may see)")
    async def households(self, info: GqlInfo) -> list[Annotated[
            HouseholdType, strawberry.lazy("lianxin.people.api.register")]]:
        from lianxin.people.api.register import HouseholdType, load_households

        found = await load_households(info, list(self.household_ids))
        return [HouseholdType.from_domain(h) for h in found if h]

    @strawberry.field(description="Where it took place")
    async def org_unit(self, info: GqlInfo) -> OrgUnitType | None:
        [unit] = await load_units(info, [self.org_unit_id])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field
    async def campaign(self, info: GqlInfo) -> Annotated[
            CampaignType, strawberry.lazy("lianxin.people.api.campaigns")] | None:
        from lianxin.people.api.campaigns import CampaignType

        if self.campaign_id is None:
            return None
        [found] = await wl.load_campaigns(info, [self.campaign_id])
        return CampaignType.from_domain(found) if found else None

    @strawberry.field(name="ticketIds", description="Demands raised during the visit, as the "
                      "cadre's app logged them (ids of tickets). The tickets themselves: "
                      "`tickets` (tickets service).")
    def logged_ticket_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(str(t)) for t in self.ticket_ids]



async def visits_connection(info: GqlInfo, owner: str, owner_id: uuid.UUID, first: int,
                            after: str | None) -> Connection[VisitType]:
    """Visits of a cadre ("cadre") or to a household ("household"), newest first."""
    principal = info.context.require()
    first = check_first(first)
    rows = await wl.visit_page_of(info, owner, owner_id, decode_keyset(after, dt.date.fromisoformat),
                                  first + 1)
    connection = page(rows, first, lambda v: (v.visited_on.isoformat(), str(v.id)),
                      VisitType.from_domain)
    # Hidden after paging, so cursors and hasNextPage still follow the underlying rows.
    connection.edges = [e for e, v in zip(connection.edges, rows, strict=False)
                        if sees_register(principal, v.org_path)]
    return connection
