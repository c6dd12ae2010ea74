"""Scorecards and rankings (考核 / 赛马) in GraphQL: the ranking and scorecard types that
OrgUnit's fields answer, a cadre's scorecard, and publishing a ranking (fixed afterwards)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from lianxin.assessment.api.filters import GqlInfo, default_exclude, store
from lianxin.assessment.api.metrics import OrgUnitRef, org_unit_ref
from lianxin.assessment.api.people_entities import CadreType
from lianxin.assessment.api.types import MeasureValue, PeriodInput, PeriodType, measure_values, period_type
from lianxin.assessment.app import rankings
from lianxin.assessment.app.rankings import Level, Ranking, Scorecard
from lianxin.assessment.app.scope import PUBLISHER_ROLES, READER_ROLES
from lianxin.assessment.app.snapshots import Entry
from lianxin.assessment.domain.scoring import SCORECARD_MEASURES
from lianxin.kit.gqltypes import ConflictError, InvalidInputError, NotFoundError, as_result
from lianxin.kit.ids import parse_id

SCORE = ("Composite score 0–100: 100 × the weighted mean of satisfaction rate (0.3), on-time "
         "completion rate (0.3), response rate (0.2) and resolution rate (0.2) over the rates "
         "defined in the period, weights renormalised; null (unranked) when none is defined")


@strawberry.type(description="One entry of a ranking or a scorecard: score, rank (ties share "
                             "a rank: 1, 2, 2, 4) and the figures behind them")
class RankingRow:
    org_unit: OrgUnitRef | None = strawberry.field(description="Set for CHILDREN and DEPARTMENTS")
    cadre: CadreType | None = strawberry.field(description="Set for CADRES")
    score: float | None = strawberry.field(description=SCORE)
    rank: int | None
    previous_rank: int | None = strawberry.field(description=(
        "Rank in the previous period (its published ranking if there is one)"))
    rank_change: int | None = strawberry.field(description=(
        "previousRank − rank: positive = moved up (赛马)"))
    values: list[MeasureValue]
    updated_at: dt.datetime | None


@strawberry.type(name="Ranking")
class RankingType:
    scope: OrgUnitRef
    level: Level
    period: PeriodType
    rows: list[RankingRow]
    published: bool = strawberry.field(description="A published ranking stays fixed")
    published_at: dt.datetime | None
    published_by: str | None
    changed_since_published: bool = strawberry.field(description=(
        "Late events have changed the live figures since this ranking was published"))


@strawberry.type(name="Scorecard")
class ScorecardType:
    period: PeriodType
    level: Level = strawberry.field(description="The ranking this card's rank comes from")
    among: OrgUnitRef | None = strawberry.field(description=(
        "The unit whose ranking holds this rank (the parent, or a cadre's work unit)"))
    row: RankingRow


def _row(level: Level, e: Entry) -> RankingRow:
    cadre = CadreType(id=strawberry.ID(str(e.key))) if level is Level.CADRES else None
    return RankingRow(org_unit=None if cadre else org_unit_ref(e.key), cadre=cadre,
                      score=e.score, rank=e.rank, previous_rank=e.previous_rank,
                      rank_change=e.rank_change, values=measure_values(e.values, SCORECARD_MEASURES),
                      updated_at=e.updated_at)


def ranking_type(r: Ranking) -> RankingType:
    scope = org_unit_ref(r.scope)
    assert scope is not None
    return RankingType(scope=scope, level=r.level, period=period_type(r.period),
                       rows=[_row(r.level, e) for e in r.entries], published=r.published,
                       published_at=r.published_at, published_by=r.published_by,
                       changed_since_published=r.changed_since_published)


def scorecard_type(card: Scorecard) -> ScorecardType:
    return ScorecardType(period=period_type(card.period), level=card.level,
                         among=org_unit_ref(card.among), row=_row(card.level, card.entry))


@strawberry.input
class PublishRankingInput:
    org_unit_id: strawberry.ID
    level: Level = Level.CHILDREN
    period: PeriodInput


PublishRankingResult = Annotated[
    RankingType | InvalidInputError | NotFoundError | ConflictError,
    strawberry.union("PublishRankingResult", description="The published ranking, or why "
                     "nothing was published (CONFLICT: it was published already)")]


@strawberry.type
class Query:
    @strawberry.field(description="A responsible cadre's scorecard for the period, ranked among "
                                  "the cadres of their work unit's subtree")
    async def cadre_scorecard(self, info: GqlInfo, cadre_id: strawberry.ID,
                              period: PeriodInput) -> ScorecardType:
        viewer = info.context.require(*READER_ROLES)
        async with store(info) as s:
            card = await rankings.cadre_scorecard(s, viewer, parse_id(cadre_id, "cadreId"),
                                                  period.to_period(), default_exclude(info))
        return scorecard_type(card)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Publish a ranking (supervisor, admin): its rows are stored "
                                     "and answered from then on, whatever late events change")
    async def publish_ranking(self, info: GqlInfo,
                              input: PublishRankingInput) -> PublishRankingResult:
        viewer = info.context.require(*PUBLISHER_ROLES)

        async def run() -> Ranking:
            scope = parse_id(input.org_unit_id, "orgUnitId")
            async with store(info, write=True) as s:
                return await rankings.publish(s, viewer, viewer.subject, scope, input.level,
                                              input.period.to_period(), default_exclude(info),
                                              dt.datetime.now(dt.UTC))
        return await as_result(run(), ranking_type)


TYPES = [RankingType, ScorecardType]
