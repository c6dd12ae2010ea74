"""The OrgUnit entity (owned by people) as the assessment subgraph extends it: the subtree's
figures (kpis), the ranking of what lies below it, and its scorecard. Departments are org units
of kind department, so `scorecard` is also the issue's Department.scorecard."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from lianxin.assessment.adapters.metrics_repo import SqlMetricsReader
from lianxin.assessment.adapters.rankings_repo import SqlRankingStore
from lianxin.assessment.api.filters import GqlInfo, default_exclude, store
from lianxin.assessment.api.rankings import RankingType, ScorecardType, ranking_type, scorecard_type
from lianxin.assessment.api.types import MeasureValue, PeriodInput, PeriodType, measure_values, period_type
from lianxin.assessment.app import rankings
from lianxin.assessment.app.metrics import MetricsQuery, MetricsRow, compute_per_subtree
from lianxin.assessment.app.rankings import Level
from lianxin.assessment.app.scope import READER_ROLES, check_unit
from lianxin.assessment.domain.measures import MEASURES
from lianxin.kit.errors import CodedError
from lianxin.kit.graphql import RequestContext, loader
from lianxin.kit.ids import parse_id
from strawberry.types import Info

ALL_MEASURES = tuple(MEASURES)
# ticketCount: all time, every class (merged and explained included)
EVERY_TICKET = MetricsQuery(measures=("SUBMITTED",), exclude=frozenset())


@strawberry.type(description="Every measure of a subtree for a period")
class Kpis:
    period: PeriodType
    values: list[MeasureValue]
    updated_at: dt.datetime | None


@strawberry.federation.type(keys=["id"], name="OrgUnit")
class OrgUnitType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> OrgUnitType:
        return cls(id=id)

    @strawberry.field(description="Tickets submitted at this unit or anywhere below it, all "
                                  "time and every class (from the event projection; a second "
                                  "or so behind)")
    async def ticket_count(self, info: Info[RequestContext, None]) -> int:
        ctx = info.context
        ctx.require()

        async def batch(keys: list[uuid.UUID]) -> list[int]:
            async with ctx.resources.sessions() as session:
                rows = await compute_per_subtree(SqlMetricsReader(session),
                                                 tuple(dict.fromkeys(keys)), EVERY_TICKET)
            return [int(rows[k].values["SUBMITTED"][0] or 0) for k in keys]

        result: int = await loader(ctx, "ticket_count", batch).load(parse_id(self.id, "id"))
        return result

    @strawberry.field(description="Every measure for this unit's subtree in the period (the "
                                  "deployment's default exclusions apply)")
    async def kpis(self, info: GqlInfo, period: PeriodInput) -> Kpis:
        viewer = info.context.require(*READER_ROLES)
        p = period.to_period()
        q = MetricsQuery(start=p.start, end=p.end, measures=ALL_MEASURES,
                         exclude=default_exclude(info))

        async def batch(keys: list[uuid.UUID]) -> list[MetricsRow | BaseException]:
            async with info.context.resources.sessions() as session:
                s = SqlRankingStore(session)
                units = await s.units(keys)
                out: dict[uuid.UUID, MetricsRow | BaseException] = {}
                for k in keys:
                    try:
                        check_unit(viewer, k, units.get(k), "id")
                    except CodedError as exc:   # raised by this key's load()
                        out[k] = exc
                ok = tuple(k for k in dict.fromkeys(keys) if k not in out)
                out.update(await compute_per_subtree(s, ok, q))
            return [out[k] for k in keys]

        key = f"kpis:{p.kind.value}:{p.start}"
        row: MetricsRow = await loader(info.context, key, batch).load(parse_id(self.id, "id"))
        return Kpis(period=period_type(p), values=measure_values(row.values, ALL_MEASURES),
                    updated_at=row.updated_at)

    @strawberry.field(description="The ranking of the units, departments or cadres below this "
                                  "unit for the period, with rank change since the previous "
                                  "period; the published snapshot once published")
    async def ranking(self, info: GqlInfo, period: PeriodInput,
                      level: Level = Level.CHILDREN) -> RankingType:
        viewer = info.context.require(*READER_ROLES)
        async with store(info) as s:
            r = await rankings.ranking(s, viewer, parse_id(self.id, "id"), level,
                                       period.to_period(), default_exclude(info))
        return ranking_type(r)

    @strawberry.field(description="This unit's scorecard: a department's by the tickets it leads "
                                  "(ranked among the departments under its parent), any other "
                                  "unit's by its subtree (ranked among its siblings)")
    async def scorecard(self, info: GqlInfo, period: PeriodInput) -> ScorecardType:
        viewer = info.context.require(*READER_ROLES)
        async with store(info) as s:
            card = await rankings.scorecard(s, viewer, parse_id(self.id, "id"),
                                            period.to_period(), default_exclude(info))
        return scorecard_type(card)


TYPES = [OrgUnitType]
