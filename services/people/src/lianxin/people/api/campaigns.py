"""GraphQL type Campaign (活动): a time-boxed drive setting pairing quotas and coverage."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.people.api import work_loaders as wl
from lianxin.people.api.cadres import CadreType, RankEnum
from lianxin.people.api.common import GqlInfo
from lianxin.people.api.types import OrgUnitType, load_units
from lianxin.people.domain.cadre import Rank
from lianxin.people.domain.campaign import Campaign


@strawberry.type(name="RankQuota", description="Households a cadre of this rank must be paired with")
class RankQuotaType:
    rank: RankEnum  # type: ignore[valid-type]
    households: int


@strawberry.federation.type(keys=["id"], name="Campaign", description="A campaign (活动), e.g. "
                            "“ten thousand cadres to the grassroots”: its period, quotas and "
                            "visit-coverage target")
class CampaignType:
    id: strawberry.ID
    name: str
    starts_on: dt.date
    ends_on: dt.date
    min_households: int | None = strawberry.field(
        description="Households every cadre must be paired with (overrides quotaByRank)")
    coverage_target: float = strawberry.field(
        description="Share of households to be visited, 0–1 (1 = every household)")
    rank_quotas: strawberry.Private[tuple[tuple[Rank, int], ...]]
    organiser_id: strawberry.Private[uuid.UUID]
    org_unit_ids: strawberry.Private[tuple[uuid.UUID, ...]]
    cadre_ids: strawberry.Private[tuple[uuid.UUID, ...]]

    @classmethod
    def from_domain(cls, c: Campaign) -> CampaignType:
        return cls(id=strawberry.ID(str(c.id)), name=c.name, starts_on=c.starts_on,
                   ends_on=c.ends_on, min_households=c.min_households,
                   coverage_target=c.coverage_target, rank_quotas=c.quota_by_rank,
                   organiser_id=c.org_unit_id, org_unit_ids=c.org_unit_ids, cadre_ids=c.cadre_ids)

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> CampaignType | None:
        [found] = await wl.load_campaigns(info, [parse_id(id, "id")])
        return cls.from_domain(found) if found else None

    @strawberry.field(description="Households required per rank; ranks not listed keep the "
                      "default quota")
    def quota_by_rank(self) -> list[RankQuotaType]:
        return [RankQuotaType(rank=rank, households=n) for rank, n in self.rank_quotas]

    @strawberry.field(description="The unit organising the campaign")
    async def organiser(self, info: GqlInfo) -> OrgUnitType | None:
        [unit] = await load_units(info, [self.organiser_id])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="Units taking part (those you may see)")
    async def org_units(self, info: GqlInfo) -> list[OrgUnitType]:
        return [OrgUnitType.from_domain(u) for u in await load_units(info, list(self.org_unit_ids))
                if u]

    @strawberry.field(description="Cadres named for the campaign (those you may see)")
    async def cadres(self, info: GqlInfo) -> list[CadreType]:
        return [CadreType.from_domain(c) for c in await wl.load_cadres(info, list(self.cadre_ids))
                if c]
