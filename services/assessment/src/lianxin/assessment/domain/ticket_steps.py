"""One step of a ticket's fold per event type: the fields of the fact (ticket_fact.py) an
event changes. The choices the counter definitions leave open are listed in facts.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from lianxin.assessment.domain import ticket_events as ev
from lianxin.assessment.domain.periods import china_day
from lianxin.assessment.domain.ticket_fact import (
    ACTIVE,
    CANCELLED,
    DONE,
    RETURNED,
    STOPPED,
    AssignmentFact,
    TicketFact,
)

Changes = dict[str, Any]


def _moved(f: TicketFact, clock: str, due: dt.datetime | None) -> Changes:
    """A deadline set anew: an overdue alarm on the old one no longer holds."""
    if due is None:
        return {}
    name = "accept_due" if clock == ev.ACCEPT else "handle_due"
    if getattr(f, name) == due:
        return {}
    return {name: due, "overdue_clocks": f.overdue_clocks - {clock}}


def _assignments(f: TicketFact, change: Callable[[AssignmentFact], AssignmentFact | None]) -> Changes:
    return {"assignments": tuple(change(a) or a for a in f.assignments)}


def _set(status: str, pick: Callable[[AssignmentFact], bool] = lambda a: a.status == ACTIVE,
         **more: Any) -> Callable[[AssignmentFact], AssignmentFact | None]:
    return lambda a: replace(a, status=status, **more) if pick(a) else None


def _submitted(f: TicketFact, e: ev.TicketSubmitted) -> Changes:
    return {"day": china_day(e.submitted_at), "code": e.code, "org_unit_id": e.org_unit_id,
            "org_path": e.org_path, "handling_unit_id": e.handling_unit_id or e.org_unit_id,
            "category": e.category, "kind": e.kind, "channel": e.channel, "ledger": e.ledger,
            "urgency": e.urgency, "imported": e.imported, "submitted_at": e.submitted_at,
            "status": f.status or "received", "accept_due": f.accept_due or e.accept_due}


def _accepted(f: TicketFact, e: ev.TicketAccepted) -> Changes:
    return {"status": e.status, "accepted_at": f.accepted_at or e.meta.occurred_at,
            "response": e.on_time if f.response is None else f.response,
            **_moved(f, ev.HANDLE, e.handle_due)}


def _escalated(f: TicketFact, e: ev.TicketEscalated) -> Changes:
    return {"status": e.status, "handling_unit_id": e.to_unit_id or f.handling_unit_id,
            **_moved(f, ev.ACCEPT, e.accept_due), **_moved(f, ev.HANDLE, e.handle_due),
            **_assignments(f, _set(CANCELLED))}


def _dispatched(f: TicketFact, e: ev.TicketDispatched) -> Changes:
    new = AssignmentFact(e.assignment_id, e.department_id, e.cadre_id, e.role)
    known = any(a.id == e.assignment_id for a in f.assignments)
    return {"status": e.status, "assignments": f.assignments + (() if known else (new,)),
            **(_moved(f, ev.HANDLE, e.due) if e.role in ev.LEAD_ROLES else {})}


def _returned(f: TicketFact, e: ev.TicketDispatchReturned) -> Changes:
    named = _set(RETURNED, lambda a: a.id == e.assignment_id, returned=True)
    return {"status": e.status, **_assignments(f, lambda a: named(a) or _set(RETURNED)(a))}


def _completed(f: TicketFact, e: ev.AssignmentCompleted) -> Changes:
    return _assignments(f, _set(DONE, lambda a: a.id == e.assignment_id, on_time=e.on_time))


def _resolved(f: TicketFact, e: ev.TicketResolved) -> Changes:
    if e.outcome == ev.EXPLAINED:
        work = _set(STOPPED)
    else:
        work = _set(DONE, lambda a: a.status == ACTIVE and a.role in ev.LEAD_ROLES,
                    on_time=e.on_time)
    response = f.response if f.response is not None or not e.on_the_spot else True
    return {"status": e.status, "outcome": e.outcome, "on_the_spot": e.on_the_spot,
            "resolved_at": e.meta.occurred_at, "resolved_on_time": e.on_time,
            "handling_days": e.handling_days, "response": response, **_assignments(f, work)}


def _reopened(f: TicketFact, e: ev.TicketReopened) -> Changes:
    lead = f.lead
    again = _set(ACTIVE, lambda a: lead is not None and a.id == lead.id and a.status != ACTIVE)
    return {"status": e.status, "reopen_count": max(f.reopen_count, e.reopen_count),
            **_moved(f, ev.HANDLE, e.handle_due), **_assignments(f, again)}


def _overdue(f: TicketFact, e: ev.TicketOverdue) -> Changes:
    runs = ev.CLOCK_RUNS.get(e.clock)
    if runs is None:
        return {}   # the feedback clock: not an accept or handling deadline
    current = f.accept_due if e.clock == ev.ACCEPT else f.handle_due
    holds = f.status in runs and (current is None or e.due is None or current == e.due)
    late = {"response": False} if e.clock == ev.ACCEPT and f.response is None else {}
    return {"overdue": True, **late,
            "overdue_clocks": f.overdue_clocks | {e.clock} if holds else f.overdue_clocks}


STEPS: Mapping[type, Callable[[TicketFact, Any], Changes]] = {
    ev.TicketSubmitted: _submitted,
    ev.TicketAccepted: _accepted,
    ev.TicketEscalated: _escalated,
    ev.TicketDispatched: _dispatched,
    ev.TicketDispatchReturned: _returned,
    ev.TicketStarted: lambda f, e: {"status": e.status},
    ev.AssignmentCompleted: _completed,
    ev.TicketResolved: _resolved,
    ev.TicketRated: lambda f, e: {"rated_at": e.meta.occurred_at, "solved": e.solved,
                                  "satisfaction": e.satisfaction},
    ev.TicketReopened: _reopened,
    ev.TicketClosed: lambda f, e: {"status": "closed", "closed_at": e.meta.occurred_at},
    ev.TicketMerged: lambda f, e: {"status": "merged", "master_id": e.master_id,
                                   **_assignments(f, _set(STOPPED))},
    ev.TicketResumed: lambda f, e: _moved(f, ev.HANDLE, e.handle_due),
    ev.TicketExtensionDecided: lambda f, e: _moved(f, ev.HANDLE, e.handle_due)
    if e.approved else {},
    ev.TicketDeadlinesRecomputed: lambda f, e: {**_moved(f, ev.ACCEPT, e.accept_due),
                                                **_moved(f, ev.HANDLE, e.handle_due)},
    ev.TicketOverdue: _overdue,
}
