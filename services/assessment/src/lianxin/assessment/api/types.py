"""GraphQL types every assessment area shares: periods, measures and their definitions,
dimensions, exclusions, ranking levels (values are the domain's, defined once)."""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import strawberry
from lianxin.assessment.app.rankings import Level
from lianxin.assessment.domain.measures import MEASURES
from lianxin.assessment.domain.periods import Period, PeriodKind, period_of

PeriodKindEnum = strawberry.enum(PeriodKind, name="PeriodKind", description=(
    "Assessment period: weeks run Monday–Sunday, halves January–June and July–December"))
RankingLevelEnum = strawberry.enum(Level, name="RankingLevel", description=(
    "What a ranking ranks: CHILDREN the unit's child units that are places (not departments "
    "nor party bodies), DEPARTMENTS the units of kind department below it (by the tickets "
    "they lead, wherever from), CADRES the responsible cadres working in its subtree"))

if TYPE_CHECKING:
    class Measure(enum.Enum):
        SUBMITTED = "SUBMITTED"
else:
    Measure = strawberry.enum(
        enum.Enum("Measure", {n: strawberry.enum_value(n, description=m.definition)
                              for n, m in MEASURES.items()}),
        name="Measure", description="A figure computed from the rollups; each value's "
                                    "description is its written definition")


@strawberry.enum(description="What to group metrics rows by (at most one of DAY, WEEK, MONTH)")
class MetricsDimension(enum.Enum):
    ORG_UNIT = "org_unit"      # children of the subtree (plus the subtree's own row)
    CATEGORY = "category"
    KIND = "kind"
    CHANNEL = "channel"
    LEDGER = "ledger"
    DEPARTMENT = "department"
    CADRE = "cadre"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@strawberry.enum(description="Classes of tickets left out of the figures")
class Exclusion(enum.Enum):
    EXPLAINED = "explained"    # resolved as explained: unreasonable or already decided
    MERGED = "merged"          # merged into another ticket (a duplicate)


@strawberry.enum(description="The step of a trend series")
class Granularity(enum.Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@strawberry.input(description="The period of `kind` containing `date` (e.g. MONTH + 2026-09-14 "
                              "is September 2026)")
class PeriodInput:
    kind: PeriodKind
    date: dt.date

    def to_period(self) -> Period:
        return period_of(self.kind, self.date)


@strawberry.type(name="Period")
class PeriodType:
    kind: PeriodKind
    start: dt.date = strawberry.field(description="First day (China date)")
    end: dt.date = strawberry.field(description="Last day, inclusive")
    label: str = strawberry.field(description='"2026-09", "2026-W40", "2026-Q3", "2026-H2" …')

    @strawberry.field(description="The period of the same kind just before")
    def previous(self) -> PeriodType:
        return period_type(Period(self.kind, self.start, self.end).previous)


def period_type(p: Period) -> PeriodType:
    return PeriodType(kind=p.kind, start=p.start, end=p.end, label=p.label)


@strawberry.type
class MeasureValue:
    measure: Measure
    value: float | None = strawberry.field(description=(
        "The figure; null when undefined (a rate with nothing to divide by) or unbounded (a "
        "90% handling time beyond 60 working days: numerator and denominator still tell)"))
    numerator: float
    denominator: float = strawberry.field(description="1 for counts")


def measure_values(values: Mapping[str, tuple[float | None, float, float]],
                   order: tuple[str, ...]) -> list[MeasureValue]:
    """GraphQL values of the measures in `order` (those present)."""
    return [MeasureValue(measure=Measure[m], value=finite(values[m][0]),
                         numerator=values[m][1], denominator=values[m][2])
            for m in order if m in values]


def finite(value: float | None) -> float | None:
    # GraphQL Floats are finite; an unbounded p90 (beyond the last bucket) reads as null.
    return None if value is None or math.isinf(value) else value


@strawberry.type
class MeasureDefinition:
    measure: Measure
    label: str = strawberry.field(description="中文 label (screens and CSV headers)")
    unit: str = strawberry.field(description='"ratio" (0–1), "count" or "working days"')
    definition: str


TYPES = [PeriodType, MeasureValue, MeasureDefinition]
