"""GraphQL of coverage (覆盖): `Campaign.coverage(subtreeId)` and its gap lists. Readers: cadre,
supervisor, analyst, screen, admin; the subtree must lie in the caller's org scope. Ids and
counts only — households and cadres are references the people subgraph resolves."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from lianxin.assessment.adapters.coverage_repo import SqlCoverageReader
from lianxin.assessment.app import coverage as app
from lianxin.assessment.app.scope import READER_ROLES
from lianxin.assessment.domain import coverage as rules
from lianxin.kit.gqltypes import (
    Connection,
    Edge,
    PageInfo,
    check_first,
    decode_cursor,
    encode_cursor,
)
from lianxin.kit.graphql import RequestContext, loader
from lianxin.kit.ids import parse_id
from strawberry.types import Info

if TYPE_CHECKING:
    from lianxin.assessment.api.org_unit import OrgUnitType
    from lianxin.assessment.api.people_entities import CadreType, HouseholdType

GqlInfo = Info[RequestContext, None]
R = TypeVar("R")
N = TypeVar("N")
_ENTITIES = "lianxin.assessment.api.people_entities"
HouseholdRef = Annotated["HouseholdType", strawberry.lazy(_ENTITIES)]
CadreRef = Annotated["CadreType", strawberry.lazy(_ENTITIES)]
OrgUnitRef = Annotated["OrgUnitType", strawberry.lazy("lianxin.assessment.api.org_unit")]


def _household(household_id: uuid.UUID) -> HouseholdType:
    from lianxin.assessment.api.people_entities import HouseholdType
    return HouseholdType(id=strawberry.ID(str(household_id)))


def _unit(unit_id: uuid.UUID) -> OrgUnitType:
    from lianxin.assessment.api.org_unit import OrgUnitType
    return OrgUnitType(id=strawberry.ID(str(unit_id)))


def _cadre(cadre_id: uuid.UUID) -> CadreType:
    from lianxin.assessment.api.people_entities import CadreType
    return CadreType(id=strawberry.ID(str(cadre_id)))


def _after(cursor: str | None) -> uuid.UUID | None:
    key = decode_cursor(cursor)
    return parse_id(str(key[0]), "after") if key else None


@strawberry.type(name="UnvisitedHousehold", description="A registered household not visited "
                 "within the campaign's dates, and the org unit it is registered at")
class UnvisitedHouseholdType:
    household: HouseholdRef
    org_unit: OrgUnitRef

    @classmethod
    def of(cls, h: rules.UnvisitedHousehold) -> UnvisitedHouseholdType:
        return cls(household=_household(h.id), org_unit=_unit(h.org_unit_id))


def _connection(found: app.Slice[R], key: Callable[[R], uuid.UUID], node: Callable[[R], N],
                total: int) -> Connection[N]:
    """A page keyed by id: the cursor is the last row's id."""
    edges = [Edge(cursor=encode_cursor([str(key(r))]), node=node(r)) for r in found.rows]
    return Connection(edges=edges, total_count=total, page_info=PageInfo(
        has_next_page=found.has_next, end_cursor=edges[-1].cursor if edges else None))


@strawberry.type(name="CadreQuotaGap", description="A taking-part cadre below the pairing or "
                 "the visit quota, and what they miss. " + rules.PAIRING_QUOTA + " " +
                 rules.VISIT_QUOTA)
class CadreQuotaGapType:
    cadre: CadreRef
    rank: str = strawberry.field(description='Lower-case rank ("division", "section" …; "" '
                                             "for a party member without office)")
    required_households: int
    paired_households: int = strawberry.field(description="Active household pairings")
    pairing_shortfall: int = strawberry.field(description="Households still to pair with")
    meets_pairing_quota: bool
    households_to_visit: int
    households_visited: int
    meets_visit_quota: bool
    unvisited_households: list[HouseholdRef] = strawberry.field(
        description="Paired households they have not visited within the campaign's dates")

    @classmethod
    def of(cls, q: rules.CadreQuota) -> CadreQuotaGapType:
        return cls(cadre=_cadre(q.cadre_id), rank=q.rank, required_households=q.required,
                   paired_households=q.paired, pairing_shortfall=q.pairing_shortfall,
                   meets_pairing_quota=q.meets_pairing_quota, households_to_visit=q.to_visit,
                   households_visited=q.visited, meets_visit_quota=q.meets_visit_quota,
                   unvisited_households=[_household(h) for h in q.unvisited])


def _reader_call(info: GqlInfo) -> tuple[Any, Any]:
    ctx = info.context
    return ctx.resources.sessions, ctx.require(*READER_ROLES)


@strawberry.type(name="Coverage", description="A campaign's coverage in one org subtree. " +
                 rules.REGISTERED + " " + rules.VISITED + " " + rules.TAKING_PART)
class CoverageType:
    subtree: OrgUnitRef = strawberry.field(description="The subtree the figures cover")
    starts_on: dt.date | None
    ends_on: dt.date | None
    households_registered: int = strawberry.field(description=rules.REGISTERED)
    households_visited: int = strawberry.field(description=rules.VISITED)
    visit_rate: float | None = strawberry.field(description=rules.RATE)
    coverage_target: float = strawberry.field(description="The campaign's target visit rate, "
                                                          "0–1")
    target_met: bool = strawberry.field(description="Visit rate ≥ coverage target")
    cadres_taking_part: int = strawberry.field(description=rules.TAKING_PART)
    cadres_meeting_pairing_quota: int = strawberry.field(description=rules.PAIRING_QUOTA)
    cadres_meeting_visit_quota: int = strawberry.field(description=rules.VISIT_QUOTA)
    cadres_meeting_both: int
    pairings: int = strawberry.field(description=rules.CARDS)
    contact_cards_issued: int = strawberry.field(description=rules.CARDS)
    campaign_id: strawberry.Private[uuid.UUID]
    subtree_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, c: rules.Coverage) -> CoverageType:
        return cls(
            subtree=_unit(c.subtree_id), starts_on=c.starts_on,
            ends_on=c.ends_on, households_registered=c.households_registered,
            households_visited=c.households_visited, visit_rate=c.visit_rate,
            coverage_target=c.coverage_target, target_met=c.target_met,
            cadres_taking_part=c.cadres_taking_part,
            cadres_meeting_pairing_quota=c.cadres_meeting_pairing_quota,
            cadres_meeting_visit_quota=c.cadres_meeting_visit_quota,
            cadres_meeting_both=c.cadres_meeting_both, pairings=c.pairings,
            contact_cards_issued=c.contact_cards_issued, campaign_id=c.campaign_id,
            subtree_id=c.subtree_id)

    @strawberry.field(description="Registered households of the subtree not visited within the "
                                  "campaign's dates, by id (the gap list: who has not been "
                                  "visited); totalCount = registered − visited")
    async def unvisited_households(self, info: GqlInfo, first: int = 20,
                                   after: str | None = None
                                   ) -> Connection[UnvisitedHouseholdType]:
        sessions, viewer = _reader_call(info)
        async with sessions() as session:
            found = await app.unvisited_households(
                SqlCoverageReader(session), viewer, self.campaign_id, self.subtree_id,
                check_first(first), _after(after))
        return _connection(found, lambda h: h.id, UnvisitedHouseholdType.of,
                           self.households_registered - self.households_visited)

    @strawberry.field(description="Taking-part cadres below the pairing or the visit quota, "
                                  "by id (who has not visited), with what they miss")
    async def cadres_below_quota(self, info: GqlInfo, first: int = 20,
                                 after: str | None = None) -> Connection[CadreQuotaGapType]:
        sessions, viewer = _reader_call(info)
        async with sessions() as session:
            found = await app.cadres_below_quota(
                SqlCoverageReader(session), viewer, self.campaign_id, self.subtree_id,
                check_first(first), _after(after))
        return _connection(found, lambda q: q.cadre_id, CadreQuotaGapType.of,
                           self.cadres_taking_part - self.cadres_meeting_both)


async def campaign_coverage(info: GqlInfo, campaign_id: strawberry.ID,
                            subtree_id: strawberry.ID | None) -> CoverageType | None:
    """Resolver of `Campaign.coverage` (batched per request by campaign and subtree)."""
    sessions, viewer = _reader_call(info)
    key = (parse_id(campaign_id, "id"), parse_id(subtree_id, "subtreeId") if subtree_id else None)

    async def batch(keys: list[tuple[uuid.UUID, uuid.UUID | None]]) -> list[Any]:
        async with sessions() as session:
            reader = SqlCoverageReader(session)
            out: list[Any] = []
            for campaign, subtree in keys:
                try:
                    out.append(await app.campaign_coverage(reader, viewer, campaign, subtree))
                except Exception as exc:  # raised by `load`, for this key only
                    out.append(exc)
            return out

    found = await loader(info.context, "campaign_coverage", batch).load(key)
    return CoverageType.of(found) if found is not None else None


TYPES = [CoverageType, CadreQuotaGapType, UnvisitedHouseholdType]
