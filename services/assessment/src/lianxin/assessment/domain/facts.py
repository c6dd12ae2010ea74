"""Facts: one per ticket (and per whistle task, whistle_facts.py), the fold of its events, and
the counters it contributes to the cubes (the comments of measures.COUNTERS define them).
The fact's fields are in ticket_fact.py, the step of each event type in ticket_steps.py.

A fact is the fold of its aggregate's events in (version, occurred_at, event_id) order, so
events that arrive late, out of order or twice still give the fact in-order delivery would.
Choices the definitions leave open, made here once:
- response: judged by whichever comes first — the first acceptance (its on-time flag), a
  resolution on the spot (on time), or an accept-clock overdue alarm (late);
- resolution, rating: the latest counts; a reopened ticket stays resolved (with its last
  resolution's figures) and is open again until resolved anew;
- overdue: an accept or handle alarm at any level; `overdue_now` holds while that clock runs
  with that very deadline (a moved deadline or a stopped clock clears it);
- lead (department and cadre of ticket counters): the latest lead or local assignment that
  was neither returned nor cancelled by an escalation; its completion is the resolution, on
  time when the ticket's handle clock was met (the lead's deadline is the ticket's).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from lianxin.assessment.domain import ticket_events as ev
from lianxin.assessment.domain.cubes import Contribution, Point
from lianxin.assessment.domain.measures import hist_bucket
from lianxin.assessment.domain.periods import china_day
from lianxin.assessment.domain.ticket_fact import DONE, AssignmentFact, TicketFact
from lianxin.assessment.domain.ticket_steps import STEPS

__all__ = ["AssignmentFact", "TicketFact", "apply", "china_day", "contributions", "fold",
           "in_order", "point"]


def apply(fact: TicketFact, event: ev.TicketEvent) -> TicketFact:
    """The fact after one more event (events the figures ignore only move the version)."""
    step = STEPS.get(type(event))
    changes = step(fact, event) if step is not None else {}
    if changes.get("status") == "":
        del changes["status"]   # an unspecified status in the event keeps the one known
    status = changes.get("status", fact.status)
    # A clock that stopped (accepted, resolved, merged …) is no longer overdue now.
    changes["overdue_clocks"] = frozenset(
        c for c in changes.get("overdue_clocks", fact.overdue_clocks)
        if status in ev.CLOCK_RUNS[c])
    at = event.meta.occurred_at
    changes["version"] = max(fact.version, event.meta.version)
    changes["updated_at"] = at if fact.updated_at is None else max(fact.updated_at, at)
    return replace(fact, **changes)


def in_order(events: Iterable[ev.Event]) -> list[Any]:
    """Events sorted for folding, each event id once."""
    unique = {e.meta.event_id: e for e in events}
    return sorted(unique.values(), key=lambda e: e.meta.order)


def fold(ticket_id: uuid.UUID, events: Iterable[ev.TicketEvent]) -> TicketFact:
    """The fact of a ticket from all its events, whatever order they came in."""
    fact = TicketFact(ticket_id)
    for event in in_order(events):
        fact = apply(fact, event)
    return fact


def point(f: TicketFact) -> Point:
    """Where the ticket's own counters land."""
    assert f.day is not None, "a ticket is placed only once its submission is known"
    lead = f.lead
    return Point(f.org_path, f.day, f.klass, f.category, f.kind, f.channel, f.ledger,
                 lead.department_id if lead else None, lead.cadre_id if lead else None)


def contributions(f: TicketFact) -> list[Contribution]:
    """The counters of measures.COUNTERS this ticket adds, at its point and (assignment
    counters) at each assignment's department and cadre. Nothing before its submission."""
    if f.day is None:
        return []
    here = point(f)
    c: dict[str, float] = {"submitted": 1}
    if f.response is not None:
        c |= {"accept_judged": 1, "accepted_on_time": int(f.response)}
    if f.resolved_at is not None:
        days = f.handling_days or 0.0
        c |= {"resolved": 1, "resolved_on_time": int(bool(f.resolved_on_time)),
              "handling_millidays": round(days * 1000), hist_bucket(days): 1}
    if f.rated_at is not None:
        c |= {"rated": 1, "solved": int(bool(f.solved)),
              "satisfied": int(f.satisfaction in ev.SATISFIED)}
    c |= {"reopened": int(f.reopen_count > 0), "overdue": int(f.overdue),
          "open": int(f.is_open), "overdue_open": int(f.overdue_now)}
    out: list[Contribution] = [(here, {k: v for k, v in c.items() if v})]
    for a in f.assignments:
        done = a.status == DONE
        out.append((replace(here, department_id=a.department_id, cadre_id=a.cadre_id), {
            k: v for k, v in {"assignments": 1, "assignments_done": int(done),
                              "assignments_on_time": int(done and bool(a.on_time)),
                              "returned": int(a.returned)}.items() if v}))
    return out
