"""Whistle task facts (吹哨报到): one per department a whistle summoned, and its counters.

A whistle is a small aggregate (blown, a report-in and a completion per task, closed), so its
tasks are always re-folded from all of the whistle's events — no version bookkeeping. A task
counts at the blower's org path, on the China date the whistle was blown, in the summoned
department's row; report-in credit for a cadre goes through `reported_by` (token subject).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from lianxin.assessment.domain import ticket_events as ev
from lianxin.assessment.domain.cubes import NORMAL, Contribution, Point
from lianxin.assessment.domain.facts import in_order
from lianxin.assessment.domain.periods import china_day


@dataclass(frozen=True, slots=True)
class WhistleTaskFact:
    task_id: uuid.UUID
    whistle_id: uuid.UUID
    ticket_id: uuid.UUID
    department_id: uuid.UUID
    blower_unit_id: uuid.UUID
    blower_path: tuple[uuid.UUID, ...]
    day: dt.date
    blown_at: dt.datetime
    report_in_due: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    reported_by: str | None = None
    late: bool | None = None
    late_seconds: int | None = None
    updated_at: dt.datetime | None = None


Tasks = Mapping[uuid.UUID, WhistleTaskFact]


def _touched(t: WhistleTaskFact, at: dt.datetime) -> WhistleTaskFact:
    return replace(t, updated_at=at if t.updated_at is None else max(t.updated_at, at))


def apply_whistle(tasks: Tasks, e: ev.WhistleEvent) -> dict[uuid.UUID, WhistleTaskFact]:
    """The whistle's tasks after one more event (a step for a task not yet known — its whistle
    not yet seen — is ignored; the re-fold once the whistle arrives takes it in)."""
    out = dict(tasks)
    at = e.meta.occurred_at
    if isinstance(e, ev.WhistleBlown):
        for task_id, department_id in e.tasks:
            out[task_id] = out.get(task_id) or WhistleTaskFact(
                task_id, e.meta.aggregate_id, e.ticket_id, department_id, e.blower_unit_id,
                e.blower_path, china_day(at), at, e.report_in_due, updated_at=at)
    elif isinstance(e, ev.WhistleReportedIn) and e.task_id in out:
        out[e.task_id] = _touched(replace(
            out[e.task_id], reported_at=at, reported_by=e.meta.actor or None, late=e.late,
            late_seconds=e.late_seconds), at)
    elif isinstance(e, ev.WhistleTaskCompleted) and e.task_id in out:
        out[e.task_id] = _touched(replace(out[e.task_id], completed_at=at), at)
    elif isinstance(e, ev.WhistleClosed):
        out = {k: _touched(t, at) for k, t in out.items()}
    return out


def fold_whistle(events: Iterable[ev.WhistleEvent]) -> dict[uuid.UUID, WhistleTaskFact]:
    """The tasks of one whistle from all its events, whatever order they came in."""
    tasks: dict[uuid.UUID, WhistleTaskFact] = {}
    for e in in_order(events):
        tasks = apply_whistle(tasks, e)
    return tasks


def task_point(t: WhistleTaskFact) -> Point:
    return Point(t.blower_path, t.day, NORMAL, department_id=t.department_id)


def whistle_contributions(t: WhistleTaskFact) -> list[Contribution]:
    """whistle_tasks, whistle_reported and whistle_on_time (reported in by the deadline)."""
    reported = t.reported_at is not None
    counters = {"whistle_tasks": 1.0, "whistle_reported": float(reported),
                "whistle_on_time": float(reported and not t.late)}
    return [(task_point(t), {k: v for k, v in counters.items() if v})]


def tasks_contributions(tasks: Iterable[WhistleTaskFact]) -> list[Contribution]:
    return [c for t in tasks for c in whistle_contributions(t)]
