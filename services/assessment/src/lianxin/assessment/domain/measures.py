"""Counters and measures: what is counted, and the written definition of every rate.

Counters are additive (a subtree's or a month's figure is the sum of its parts), so they live in
rollups ("cubes") kept current by the projections; every measure is computed from counters at
query time. A ticket's counters belong to its *cohort*: the China date it was submitted (a
whistle's to the date it was blown). A late event — a rating in December for a ticket of
November — updates November's figures and is visible there (`late_events`, `updated_at`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Handling-time histogram: a resolved ticket counts in the first bucket whose upper bound (in
# working days) is ≥ its handling time; the last bucket is unbounded.
HIST_BOUNDS: tuple[float, ...] = (0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 60, float("inf"))
HIST = tuple(f"hist_{i:02d}" for i in range(len(HIST_BOUNDS)))

COUNTERS: tuple[str, ...] = (
    "submitted",          # tickets received
    "accept_judged",      # accepted, resolved on the spot, or past the accept deadline unaccepted
    "accepted_on_time",   # …of which accepted (or resolved on the spot) by the accept deadline
    "resolved",           # tickets resolved (the latest resolution counts)
    "resolved_on_time",   # …of which by the handling deadline in force then
    # Σ working days from submission to resolution over resolved, in thousandths: integers
    # sum exactly in any order, so a replay reproduces the figure to the last digit
    "handling_millidays",
    *HIST,
    "rated",              # tickets with a rating (the latest rating counts)
    "solved",             # …the resident (or return visit) says the problem is solved
    "satisfied",          # …satisfied or basically satisfied
    "reopened",           # tickets reopened at least once
    "overdue",            # tickets that passed an accept or handling deadline at least once
    "open",               # gauge: not yet resolved (nor merged)
    "overdue_open",       # gauge: open and past a deadline now
    "assignments",        # department assignments (lead and co-handling) dispatched
    "assignments_done",   # …completed
    "assignments_on_time",  # …completed by their deadline
    "returned",           # assignments returned by the department (退单)
    "whistle_tasks",      # departments summoned by whistles (吹哨)
    "whistle_reported",   # …that reported in
    "whistle_on_time",    # …by the report-in deadline
    "late_events",        # events that changed this cohort after its month had ended
)
FLOAT_COUNTERS: frozenset[str] = frozenset()  # none: every counter sums exactly

Counters = Mapping[str, float]


def ratio(num: str, den: str, scale: float = 1.0
          ) -> Callable[[Counters], tuple[float | None, float, float]]:
    def compute(c: Counters) -> tuple[float | None, float, float]:
        n, d = float(c.get(num, 0)) / scale, float(c.get(den, 0))
        return (n / d if d else None), n, d
    return compute


def count(name: str) -> Callable[[Counters], tuple[float | None, float, float]]:
    def compute(c: Counters) -> tuple[float | None, float, float]:
        n = float(c.get(name, 0))
        return n, n, 1.0
    return compute


def p90(c: Counters) -> tuple[float | None, float, float]:
    """Smallest histogram bound within which at least 90 % of resolved tickets were handled."""
    total = sum(float(c.get(h, 0)) for h in HIST)
    if not total:
        return None, 0.0, 0.0
    running = 0.0
    for bound, h in zip(HIST_BOUNDS, HIST, strict=True):
        running += float(c.get(h, 0))
        if running >= 0.9 * total:
            return bound, running, total
    raise AssertionError("unreachable: the last bucket is unbounded")


def hist_bucket(days: float) -> str:
    """The histogram counter a handling time of `days` working days falls in."""
    return next(h for bound, h in zip(HIST_BOUNDS, HIST, strict=True) if days <= bound)


@dataclass(frozen=True, slots=True)
class Measure:
    name: str          # the GraphQL enum value, e.g. SATISFACTION_RATE
    label: str         # 中文 label for screens and CSV headers
    unit: str          # "ratio" (0–1), "count", "working days"
    definition: str    # the written definition (README, schema descriptions, CSV)
    compute: Callable[[Counters], tuple[float | None, float, float]]  # value, numerator, denominator


MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("SUBMITTED", "受理量", "count", "Tickets submitted in the period.",
            count("submitted")),
    Measure("RESPONSE_RATE", "响应率", "ratio",
            "Tickets accepted (or resolved on the spot) by their acceptance deadline ÷ tickets "
            "accepted, resolved on the spot, or past their acceptance deadline unaccepted.",
            ratio("accepted_on_time", "accept_judged")),
    Measure("ON_TIME_RATE", "按期办结率", "ratio",
            "Resolved tickets resolved by the handling deadline in force (after extensions) ÷ "
            "resolved tickets.", ratio("resolved_on_time", "resolved")),
    Measure("RESOLUTION_RATE", "解决率", "ratio",
            "Rated tickets whose resident (or staff on a return visit) says the problem is "
            "solved ÷ rated tickets.", ratio("solved", "rated")),
    Measure("SATISFACTION_RATE", "满意率", "ratio",
            "Rated tickets rated satisfied or basically satisfied ÷ rated tickets (the latest "
            "rating of each ticket counts).", ratio("satisfied", "rated")),
    Measure("REOPEN_RATE", "重办率", "ratio",
            "Resolved tickets reopened at least once (resident dissatisfied) ÷ resolved "
            "tickets.", ratio("reopened", "resolved")),
    Measure("MEAN_HANDLING_DAYS", "平均办理时长", "working days",
            "Mean working days from submission to (latest) resolution over resolved tickets, "
            "on the working-day calendar (weekends and holidays excluded, make-up days "
            "counted).", ratio("handling_millidays", "resolved", scale=1000)),
    Measure("P90_HANDLING_DAYS", "90%办理时长", "working days",
            "The smallest of 0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 60 working days within which "
            "at least 90 % of resolved tickets were resolved (beyond 60: infinite).", p90),
    Measure("OVERDUE", "超期件数", "count",
            "Tickets that passed an acceptance or handling deadline at least once.",
            count("overdue")),
    Measure("OPEN", "在办件数", "count",
            "Tickets not yet resolved (nor merged) now.", count("open")),
    Measure("OVERDUE_OPEN", "超期在办", "count",
            "Open tickets past an acceptance or handling deadline now.", count("overdue_open")),
    Measure("RESOLVED", "办结量", "count", "Tickets resolved.", count("resolved")),
    Measure("RATED", "评价量", "count", "Tickets rated.", count("rated")),
    Measure("ASSIGNMENT_ON_TIME_RATE", "部门按期完成率", "ratio",
            "Department assignments (lead and co-handling) completed by their deadline ÷ "
            "assignments completed.", ratio("assignments_on_time", "assignments_done")),
    Measure("RETURNED", "退单量", "count", "Assignments returned by departments (退单).",
            count("returned")),
    Measure("WHISTLE_ON_TIME_RATE", "吹哨报到及时率", "ratio",
            "Departments summoned by a whistle that reported in by the report-in deadline ÷ "
            "summoned departments that reported in.", ratio("whistle_on_time", "whistle_reported")),
    Measure("WHISTLE_TASKS", "吹哨召集部门次数", "count",
            "Departments summoned by whistles blown in the period.", count("whistle_tasks")),
    Measure("LATE_EVENTS", "期后变动", "count",
            "Events that changed the period's figures after the period's month had ended "
            "(e.g. a late rating): the figures of a closed month never change silently.",
            count("late_events")),
)}
