"""The screen wall (大屏): `dashboard(orgUnitId)` as a query, and as a subscription that pushes a
fresh one whenever the projection commits a change to the unit's figures (app/dashboard.py).

Readers: cadre, supervisor, analyst, screen, admin; the unit must lie in the caller's org scope
(checked once, when subscribing). Ids, counts and rates only — no personal data — so any wall
screen may show it."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError
from lianxin.assessment.adapters.dashboard_repo import SqlAlarmReader
from lianxin.assessment.adapters.live import hub_for
from lianxin.assessment.adapters.metrics_repo import SqlMetricsReader
from lianxin.assessment.adapters.rankings_repo import SqlRankingStore
from lianxin.assessment.api.filters import default_exclude
from lianxin.assessment.app.dashboard import Alarm, Dashboard, RankEntry, Value, build_dashboard, watch
from lianxin.assessment.app.scope import READER_ROLES, visible_unit
from lianxin.kit.errors import CodedError
from lianxin.kit.graphql import RequestContext
from lianxin.kit.ids import parse_id
from strawberry.types import Info

GqlInfo = Info[RequestContext, None]
MIN_INTERVAL_MS = 250  # default of LIANXIN_DASHBOARD_MIN_INTERVAL_MS


@strawberry.type(name="DashboardRate", description="A rate with its parts (null: nothing to "
                                                    "rate yet)")
class RateType:
    value: float | None
    numerator: float
    denominator: float

    @classmethod
    def of(cls, v: Value) -> RateType:
        return cls(value=v[0], numerator=v[1], denominator=v[2])


@strawberry.type(name="DashboardAlarm", description="A ticket past a deadline (TicketOverdue)")
class AlarmType:
    ticket_id: strawberry.ID
    code: str
    clock: str = strawberry.field(description="The deadline that ran out (accept, handle, …)")
    level: int = strawberry.field(description="Escalation level (1 = first alarm)")
    due: dt.datetime | None
    at: dt.datetime = strawberry.field(description="When the alarm was raised")

    @classmethod
    def of(cls, a: Alarm) -> AlarmType:
        return cls(ticket_id=strawberry.ID(str(a.ticket_id)), code=a.code, clock=a.clock,
                   level=a.level, due=a.due, at=a.at)


@strawberry.type(name="DashboardRankEntry", description="A child unit's place this month (赛马)")
class RankEntryType:
    org_unit_id: strawberry.ID
    name: str
    score: float | None
    rank: int | None
    rank_change: int | None = strawberry.field(
        description="Places gained since last month (negative: lost); null if unranked then")

    @classmethod
    def of(cls, r: RankEntry) -> RankEntryType:
        return cls(org_unit_id=strawberry.ID(str(r.org_unit_id)), name=r.name, score=r.score,
                   rank=r.rank, rank_change=r.rank_change)


@strawberry.type(name="Dashboard", description="A subtree's live figures for the screen wall "
                 "(excluding explained-as-unreasonable and merged tickets)")
class DashboardType:
    org_unit_id: strawberry.ID
    today: dt.date = strawberry.field(description="The China date the day figures are for")
    submitted_today: int = strawberry.field(description="Tickets submitted today")
    resolved_today: int = strawberry.field(
        description="Tickets submitted today that are already resolved (figures belong to the "
                    "day a ticket was submitted)")
    open: int = strawberry.field(description="Tickets not yet resolved (nor merged), now")
    overdue_open: int = strawberry.field(description="Open tickets past a deadline, now")
    month_start: dt.date = strawberry.field(description="First day of this month's rates")
    response_rate: RateType = strawberry.field(description="This month: accepted within the "
                                                           "deadline ÷ due for acceptance")
    on_time_rate: RateType = strawberry.field(description="This month: resolved by the "
                                                          "deadline ÷ resolved")
    satisfaction_rate: RateType = strawberry.field(description="This month: satisfied or "
                                                               "basically satisfied ÷ rated")
    alarms: list[AlarmType] = strawberry.field(description="The latest 10 overdue alarms")
    ranking: list[RankEntryType] = strawberry.field(description="The children's ranking "
                                                                "this month")
    updated_at: dt.datetime | None = strawberry.field(
        description="When the newest event behind these figures happened")
    built_at: dt.datetime

    @classmethod
    def of(cls, d: Dashboard) -> DashboardType:
        f = d.figures
        return cls(
            org_unit_id=strawberry.ID(str(d.org_unit_id)), today=d.today,
            submitted_today=int(f["SUBMITTED"][1]), resolved_today=int(f["RESOLVED"][1]),
            open=int(f["OPEN"][1]), overdue_open=int(f["OVERDUE_OPEN"][1]),
            month_start=d.month_start, response_rate=RateType.of(f["RESPONSE_RATE"]),
            on_time_rate=RateType.of(f["ON_TIME_RATE"]),
            satisfaction_rate=RateType.of(f["SATISFACTION_RATE"]),
            alarms=[AlarmType.of(a) for a in d.alarms],
            ranking=[RankEntryType.of(r) for r in d.ranking],
            updated_at=d.updated_at, built_at=d.built_at)


async def _visible(info: GqlInfo, org_unit_id: strawberry.ID) -> uuid.UUID:
    ctx = info.context
    viewer = ctx.require(*READER_ROLES)
    unit_id = parse_id(org_unit_id, "orgUnitId")
    async with ctx.resources.sessions() as session:
        return (await visible_unit(SqlMetricsReader(session), viewer, unit_id)).id


async def _build(info: GqlInfo, unit: uuid.UUID) -> Dashboard:
    async with info.context.resources.sessions() as session:
        # One snapshot for every figure: under read committed each statement could see another
        # projection commit, and a screen would show a new ranking beside an old count.
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ",
                                                    "postgresql_readonly": True})
        return await build_dashboard(SqlRankingStore(session), SqlAlarmReader(session), unit,
                                     dt.datetime.now(dt.UTC), default_exclude(info))


def _min_interval_s(info: GqlInfo) -> float:
    settings = info.context.resources.settings
    return float(getattr(settings, "dashboard_min_interval_ms", MIN_INTERVAL_MS)) / 1000


@strawberry.type
class Query:
    @strawberry.field(description="A subtree's screen-wall figures now (see the subscription)")
    async def dashboard(self, info: GqlInfo, org_unit_id: strawberry.ID) -> DashboardType:
        return DashboardType.of(await _build(info, await _visible(info, org_unit_id)))


@strawberry.type
class Subscription:
    @strawberry.subscription(description="A subtree's screen-wall figures: the current ones at "
                             "once, then fresh ones whenever they change (at most a few per "
                             "second; on SERVICE_UNAVAILABLE subscribe again)")
    async def dashboard(self, info: GqlInfo,
                        org_unit_id: strawberry.ID) -> AsyncGenerator[DashboardType, None]:
        try:
            unit = await _visible(info, org_unit_id)
            async with hub_for(info.context.resources.engine).subscribe() as changes, \
                    contextlib.aclosing(watch(unit, lambda: _build(info, unit), changes,
                                              min_interval_s=_min_interval_s(info))) as stream:
                async for dashboard in stream:
                    yield DashboardType.of(dashboard)
        except CodedError as exc:
            # The kit's ErrorCodes extension sees only executed results, not streamed ones:
            # give the error its code here.
            raise GraphQLError(exc.message, extensions={"code": exc.code}) from exc


TYPES = [DashboardType, RateType, AlarmType, RankEntryType]
