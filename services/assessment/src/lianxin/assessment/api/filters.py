"""The analysts' filter: GraphQL input → a MetricsQuery checked for what a person can fix
(period or from/to, known kinds, channels and ledgers), plus the request's store and the
deployment's default exclusions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import strawberry
from lianxin.assessment.adapters.rankings_repo import SqlRankingStore
from lianxin.assessment.api.types import Exclusion, MetricsDimension, PeriodInput
from lianxin.assessment.app.metrics import DEFAULT_EXCLUDE, MetricsQuery
from lianxin.assessment.domain.periods import Period
from lianxin.events.v1 import tickets_pb2
from lianxin.kit.errors import InvalidInput
from lianxin.kit.graphql import RequestContext
from lianxin.kit.ids import parse_id
from strawberry.types import Info

GqlInfo = Info[RequestContext, None]


def _names(enum: object, prefix: str) -> frozenset[str]:
    """The values of a tickets.proto enum in the tickets API's spelling (HOTLINE …)."""
    keys: list[str] = enum.keys()  # type: ignore[attr-defined]
    return frozenset(k.removeprefix(prefix) for k in keys if not k.endswith("UNSPECIFIED"))


# From the event contract, so the accepted values follow the tickets service's.
KNOWN = {"kind": _names(tickets_pb2.TicketKind, "TICKET_KIND_"),
         "channel": _names(tickets_pb2.Channel, "CHANNEL_"),
         "ledger": _names(tickets_pb2.Ledger, "LEDGER_")}


@strawberry.input(description="Which tickets to count. Give `period`, or `from`/`to` (either may "
                              "be left open), not both; unit ids must lie in your org scope")
class MetricsFilter:
    org_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Exactly at this unit (not below it)")
    subtree_id: strawberry.ID | None = strawberry.field(
        default=None, description="At this unit or anywhere below it")
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="Led by this department (an org unit of kind department)")
    cadre_id: strawberry.ID | None = strawberry.field(
        default=None, description="With this responsible cadre")
    category: str | None = strawberry.field(
        default=None, description='A category code; "water" covers "water" and "water.*"')
    kind: str | None = strawberry.field(default=None, description="A TicketKind, e.g. DEMAND")
    channel: str | None = strawberry.field(default=None, description="A Channel, e.g. HOTLINE")
    ledger: str | None = strawberry.field(default=None, description="A Ledger, e.g. NEEDY")
    period: PeriodInput | None = None
    from_: dt.date | None = strawberry.field(default=None, name="from",
                                             description="First China date, inclusive")
    to: dt.date | None = strawberry.field(default=None, description="Last China date, inclusive")
    exclude: list[Exclusion] | None = strawberry.field(default=None, description=(
        "Classes left out; default: the deployment's LIANXIN_ASSESSMENT_EXCLUDE "
        "(EXPLAINED and MERGED unless configured otherwise); [] counts everything"))


def _enum_value(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    spelled = value.strip().upper()
    if spelled not in KNOWN[field]:
        raise InvalidInput(f"{field} {value!r} is unknown; use one of "
                           f"{', '.join(sorted(KNOWN[field]))}", field=field)
    return spelled.lower()


def _id(value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    return parse_id(value, field) if value is not None else None


def period_of_filter(f: MetricsFilter) -> Period | None:
    if f.period is not None and (f.from_ is not None or f.to is not None):
        raise InvalidInput("give period, or from and to — not both", field="period")
    return f.period.to_period() if f.period is not None else None


def default_exclude(info: GqlInfo) -> frozenset[str]:
    """LIANXIN_ASSESSMENT_EXCLUDE of the running service (the module default elsewhere)."""
    settings = info.context.resources.settings
    return frozenset(getattr(settings, "assessment_exclusions", DEFAULT_EXCLUDE))


def to_query(info: GqlInfo, f: MetricsFilter, group_by: list[MetricsDimension],
             measures: list[str]) -> MetricsQuery:
    """The engine's query for this filter; InvalidInput naming the field to fix."""
    period = period_of_filter(f)
    return MetricsQuery(
        subtree=_id(f.subtree_id, "subtreeId"), org_unit=_id(f.org_unit_id, "orgUnitId"),
        department=_id(f.department_id, "departmentId"), cadre=_id(f.cadre_id, "cadreId"),
        category=f.category.strip() if f.category else None,
        kind=_enum_value("kind", f.kind), channel=_enum_value("channel", f.channel),
        ledger=_enum_value("ledger", f.ledger),
        start=period.start if period else f.from_, end=period.end if period else f.to,
        group_by=tuple(g.value for g in group_by), measures=tuple(measures),
        exclude=default_exclude(info) if f.exclude is None else
        frozenset(e.value for e in f.exclude))


@asynccontextmanager
async def store(info: GqlInfo, write: bool = False) -> AsyncIterator[SqlRankingStore]:
    """The request's store on a session of its own (a transaction when writing)."""
    async with info.context.resources.sessions() as session:
        if write:
            async with session.begin():
                yield SqlRankingStore(session)
        else:
            yield SqlRankingStore(session)
