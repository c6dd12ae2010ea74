"""GraphQL of the vanguard index (先锋指数): `Cadre.vanguardIndex(period, campaignId)` with its
breakdown, `vanguardRules` and the admin's `setVanguardRules`. Readers: cadre, supervisor,
analyst, screen, admin; the cadre's work unit must lie in the caller's org scope."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import strawberry
from lianxin.assessment.adapters.vanguard_repo import SqlVanguardStore
from lianxin.assessment.api.types import PeriodInput, PeriodType, period_type
from lianxin.assessment.app import vanguard as app
from lianxin.assessment.app.scope import READER_ROLES
from lianxin.assessment.domain import vanguard as rules
from lianxin.assessment.domain.periods import Period
from lianxin.kit.gqltypes import ConflictError, InvalidInputError, NotFoundError, as_result
from lianxin.kit.graphql import RequestContext, loader
from lianxin.kit.ids import parse_id
from strawberry.types import Info

GqlInfo = Info[RequestContext, None]
ITEMS_DOC = "Items: " + "; ".join(
    f"{i.name} ({i.label}, {i.group}): {i.definition} Built-in weight {i.weight:g}, cap "
    f"{'none' if i.cap is None else format(i.cap, 'g')}." for i in rules.ITEMS)


@strawberry.type(name="VanguardItem", description="One item of the index: points = "
                 "min(count × weight, cap)")
class ItemType:
    item: str = strawberry.field(description="The item's name (" + ", ".join(
        rules.ITEM_BY_NAME) + ")")
    label: str = strawberry.field(description="中文 label")
    group: str = strawberry.field(description='"basic" (duties done) or "bonus"')
    count: int
    weight: float
    cap: float | None = strawberry.field(description="null: uncapped")
    points: float
    source: str = strawberry.field(description='Where the rule comes from: "campaign", '
                                                '"deployment" or "built_in"')

    @classmethod
    def of(cls, s: rules.ItemScore) -> ItemType:
        return cls(item=s.item, label=s.label, group=s.group, count=s.count, weight=s.weight,
                   cap=s.cap, points=s.points, source=s.source)


@strawberry.type(name="VanguardIndex", description="先锋指数 of a party member for a period: "
                 "score = basic + bonus = the sum of the items' points. " + ITEMS_DOC)
class VanguardIndexType:
    period: PeriodType
    score: float
    basic: float = strawberry.field(description="Points of the basic items (duties done)")
    bonus: float = strawberry.field(description="Points of the bonus items")
    items: list[ItemType] = strawberry.field(description="The breakdown: why this score")


@strawberry.type(name="VanguardRule", description="The weight and cap in force for one item")
class RuleType:
    item: str
    label: str
    group: str
    definition: str
    weight: float
    cap: float | None = strawberry.field(description="null: uncapped")
    source: str = strawberry.field(description='"campaign", "deployment" or "built_in"')


@strawberry.type(name="VanguardRuleSet", description="The vanguard-index rules in force for a "
                 "campaign (or the deployment default): its own rule per item, else the "
                 "deployment default, else the built-in rule")
class RuleSetType:
    campaign_id: strawberry.ID | None
    rules: list[RuleType]

    @classmethod
    def of(cls, s: app.RuleSet) -> RuleSetType:
        return cls(campaign_id=strawberry.ID(str(s.campaign_id)) if s.campaign_id else None,
                   rules=[RuleType(item=r.item, label=rules.ITEM_BY_NAME[r.item].label,
                                   group=rules.ITEM_BY_NAME[r.item].group,
                                   definition=rules.ITEM_BY_NAME[r.item].definition,
                                   weight=r.weight, cap=r.cap, source=r.source)
                          for r in s.rules])


@strawberry.input(name="VanguardRuleInput", description="The weight and cap of one item")
class RuleInput:
    item: str = strawberry.field(description="An item name: " + ", ".join(rules.ITEM_BY_NAME))
    weight: float = strawberry.field(description=f"Points per count, 0–{rules.MAX_WEIGHT:g}")
    cap: float | None = strawberry.field(default=None, description="Most points the item can "
                                                                   "give; leave out for none")


@strawberry.input(description="Replace a campaign's rules (or, with no campaignId, the "
                  "deployment default); items left out fall back to the deployment default, "
                  "then the built-in rule")
class SetVanguardRulesInput:
    campaign_id: strawberry.ID | None = None
    rules: list[RuleInput]


SetVanguardRulesResult = Annotated[
    RuleSetType | InvalidInputError | NotFoundError,
    strawberry.union("SetVanguardRulesResult", description="The rules in force after the "
                                                           "change, or why nothing was written")]


def _campaign(value: strawberry.ID | None) -> uuid.UUID | None:
    return parse_id(value, "campaignId") if value is not None else None


async def vanguard_index(info: GqlInfo, cadre_id: strawberry.ID, period: PeriodInput,
                         campaign_id: strawberry.ID | None) -> VanguardIndexType | None:
    """Resolver of `Cadre.vanguardIndex`: one batch per (period, campaign) per request."""
    ctx = info.context
    viewer = ctx.require(*READER_ROLES)
    p = period.to_period()
    key = (parse_id(cadre_id, "id"), p, _campaign(campaign_id))

    async def batch(keys: list[tuple[uuid.UUID, Period, uuid.UUID | None]]) -> list[Any]:
        groups: dict[tuple[Period, uuid.UUID | None], list[uuid.UUID]] = {}
        for cadre, per, campaign in keys:
            groups.setdefault((per, campaign), []).append(cadre)
        found: dict[tuple[uuid.UUID, Period, uuid.UUID | None], Any] = {}
        async with ctx.resources.sessions() as session:
            store = SqlVanguardStore(session)
            for (per, campaign), cadres in groups.items():
                try:
                    scores: list[Any] = await app.vanguard_indexes(store, viewer, cadres, per,
                                                                   campaign)
                except Exception as exc:  # raised by `load`, for these keys only
                    scores = [exc] * len(cadres)
                found.update({(c, per, campaign): s for c, s in zip(cadres, scores, strict=True)})
        return [found[k] for k in keys]

    index = await loader(ctx, "vanguard_index", batch).load(key)
    if index is None:
        return None
    return VanguardIndexType(period=period_type(p), score=index.score, basic=index.basic,
                             bonus=index.bonus, items=[ItemType.of(s) for s in index.items])


@strawberry.type
class Query:
    @strawberry.field(description="The vanguard-index rules in force for a campaign (none: the "
                                  "deployment default)")
    async def vanguard_rules(self, info: GqlInfo,
                             campaign_id: strawberry.ID | None = None) -> RuleSetType:
        info.context.require(*READER_ROLES)
        async with info.context.resources.sessions() as session:
            return RuleSetType.of(await app.vanguard_rules(SqlVanguardStore(session),
                                                           _campaign(campaign_id)))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Set a campaign's vanguard-index weights and caps (admin)")
    async def set_vanguard_rules(self, info: GqlInfo,
                                 input: SetVanguardRulesInput) -> SetVanguardRulesResult:
        caller = info.context.require("admin")

        async def run() -> app.RuleSet:
            given = [rules.Rule(r.item.strip(), r.weight, r.cap) for r in input.rules]
            campaign = _campaign(input.campaign_id)
            async with info.context.resources.sessions() as session:
                return await app.set_vanguard_rules(SqlVanguardStore(session), caller.subject,
                                                    campaign, given)
        result = await as_result(run(), RuleSetType.of)
        assert not isinstance(result, ConflictError), "rules are replaced, never in conflict"
        return result


TYPES = [VanguardIndexType, ItemType, RuleSetType]
