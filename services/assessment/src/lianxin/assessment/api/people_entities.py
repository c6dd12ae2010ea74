"""Entities owned by the people service that the assessment subgraph extends: Cadre (vanguard
index), Campaign (coverage), Household (a reference in coverage gap lists). References resolve
without a query; the fields batch their reads per request."""

from __future__ import annotations

import strawberry
from lianxin.assessment.api.coverage import CoverageType, campaign_coverage
from lianxin.assessment.api.types import PeriodInput
from lianxin.assessment.api.vanguard import VanguardIndexType, vanguard_index
from lianxin.kit.graphql import RequestContext
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

GqlInfo = Info[RequestContext, None]


@strawberry.federation.type(keys=["id"], name="Cadre")
class CadreType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> CadreType:
        return cls(id=id)

    @strawberry.field(description="先锋指数 for the period: null for a cadre who is not a party "
                                  "member. campaignId picks the campaign's weights, caps and "
                                  "pairing quota (default: the deployment's rules and the "
                                  "quota by rank). The cadre's work unit must lie in your org "
                                  "scope (FORBIDDEN otherwise; NOT_FOUND for a cadre not yet "
                                  "projected here)")
    async def vanguard_index(self, info: GqlInfo, period: PeriodInput,
                             campaign_id: strawberry.ID | None = None) -> VanguardIndexType | None:
        return await vanguard_index(info, self.id, period, campaign_id)


@strawberry.federation.type(keys=["id"], name="Campaign")
class CampaignType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> CampaignType:
        return cls(id=id)

    @strawberry.field(description="Coverage (覆盖) of the campaign in a subtree (default: the "
                                  "organising unit's), which must lie in your org scope; null "
                                  "until the campaign has been projected here")
    async def coverage(self, info: GqlInfo,
                       subtree_id: strawberry.ID | None = None) -> CoverageType | None:
        return await campaign_coverage(info, self.id, subtree_id)


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)], name="Household")
class HouseholdType:
    id: strawberry.ID


TYPES = [CadreType, CampaignType, HouseholdType]
