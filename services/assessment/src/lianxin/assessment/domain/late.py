"""Walking an aggregate's new events in order: which cube rows each one changed and when, and
which changed a closed month.

Late events (期后变动): an event that changes a cohort's figures after the cohort's month has
ended — a December rating of a November ticket — is counted at the cohort (`late_events`), so
a closed month's figures never change silently. Each cube row an event changed is stamped
with the event's time (the newest wins). Both are judged step by step, where the event stands
in its aggregate's order, so they do not depend on how events were batched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from lianxin.assessment.domain.cubes import Contribution, Delta, Point, changed_rows, deltas
from lianxin.assessment.domain.facts import in_order
from lianxin.assessment.domain.periods import china_day

S = TypeVar("S")
Stamps = dict[tuple[str, tuple[object, ...]], dt.datetime]   # (cube, row key) → newest event


def after_month(at: dt.datetime, cohort: dt.date) -> bool:
    """The event's China date falls in a calendar month after the cohort day's month."""
    day = china_day(at)
    return (day.year, day.month) > (cohort.year, cohort.month)


@dataclass(slots=True)
class Walked(Generic[S]):
    state: S
    late: Delta = field(default_factory=dict)      # late_events += 1 per late event
    stamps: Stamps = field(default_factory=dict)   # rows the new events changed


def _merge(into: Delta, delta: Delta) -> None:
    for cube, rows in delta.items():
        for key, counters in rows.items():
            row = into.setdefault(cube, {}).setdefault(key, {})
            for name, value in counters.items():
                row[name] = row.get(name, 0.0) + value


def walk(state: S, events: Sequence[Any], fresh: Collection[str],
         step: Callable[[S, Any], S], contribute: Callable[[S], list[Contribution]],
         where: Callable[[S, Any], Point | None]) -> Walked[S]:
    """Apply `events` in fold order from `state`. For each of the `fresh` events: the rows
    its step changed (stamped with its time) and, if it changed any after its cohort's month
    (`where` it landed), a late event there."""
    out = Walked(state)
    before: list[Contribution] | None = None   # contribute(out.state), when known
    for event in in_order(events):
        after = step(out.state, event)
        if event.meta.event_id in fresh:
            at = event.meta.occurred_at
            now = contribute(after)
            changed = changed_rows(contribute(out.state) if before is None else before, now)
            before = now
            p = where(after, event)
            if changed and p is not None and after_month(at, p.day):
                late = deltas([], [(p, {"late_events": 1.0})])
                _merge(out.late, late)
                changed += [(cube, key) for cube, rows in late.items() for key in rows]
            stamps = out.stamps
            for row in changed:
                stamps[row] = max(at, stamps.get(row, at))
        else:
            before = None
        out.state = after
    return out
