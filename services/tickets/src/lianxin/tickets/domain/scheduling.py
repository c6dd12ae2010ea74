"""Which deadline alarms are due for a ticket at a given moment (pure: the scheduler in
app/scheduler.py raises each one exactly once), where supervision (督办) goes, and what a
deadline was computed from, so it can be computed again when the calendar changes.

Alarm levels on the clock that is running (ACCEPT while received, HANDLE while accepted,
assigned or in progress, FEEDBACK while resolved and not yet answered; none while paused):

    0  due soon   now ≥ due − policy.due_soon_hours (skipped once the deadline has passed)
    1  overdue    now ≥ due; a supervision notice to the handling unit's parent
    2  overdue    now ≥ due + policy.escalate_after_days working days; a notice one level
                  higher, and on the ACCEPT clock (escalate_on_overdue) the ticket moves up
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.sla import CLOCK_STATES, Clock, SlaPolicy, SupervisionNotice
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import Deadline, Status, Ticket

DUE_SOON, OVERDUE, ESCALATED = 0, 1, 2
DUE_FIELD = {Clock.ACCEPT: "accept_due", Clock.HANDLE: "handle_due",
             Clock.FEEDBACK: "feedback_due"}


@dataclass(frozen=True, slots=True)
class Alarm:
    clock: Clock
    level: int
    due: dt.datetime

    @property
    def action(self) -> Action:
        """How the alarm shows in the ticket's history."""
        return (Action.DUE_SOON, Action.OVERDUE, Action.SUPERVISE)[min(self.level, 2)]


def running_clock(ticket: Ticket) -> tuple[Clock, Deadline] | None:
    """The clock the ticket's state runs and its deadline (None: no clock runs, or it has no
    deadline). A paused ticket's clock still runs here; alarms skip it, recomputing does not."""
    for clock, states in CLOCK_STATES.items():
        if ticket.status in states:
            if clock is Clock.FEEDBACK and ticket.answered_at is not None:
                return None
            due: Deadline | None = getattr(ticket, DUE_FIELD[clock])
            return (clock, due) if due is not None else None
    return None


def escalation_at(due: dt.datetime, policy: SlaPolicy, calendar: WorkCalendar) -> dt.datetime:
    """When an overdue deadline reaches level 2."""
    return calendar.after_deadline(due, policy.escalate_after_days).at


def due_alarms(ticket: Ticket, policy: SlaPolicy, calendar: WorkCalendar,
               now: dt.datetime) -> list[Alarm]:
    """The alarms the ticket has reached at `now`, lowest level first (the scheduler raises
    those not raised before). Levels 1 and 2 are both listed once level 2 is reached, so a
    scheduler that was down still opens both notices; "due soon" is dropped once overdue."""
    running = running_clock(ticket)
    if running is None or ticket.paused_at is not None:
        return []
    clock, deadline = running
    due = deadline.at
    if now >= due:
        levels = [OVERDUE]
        if now >= escalation_at(due, policy, calendar):
            levels.append(ESCALATED)
    elif now >= due - dt.timedelta(hours=policy.due_soon_hours):
        levels = [DUE_SOON]
    else:
        levels = []
    return [Alarm(clock, level, due) for level in levels]


def still_due(ticket: Ticket, alarm: Alarm, policy: SlaPolicy, calendar: WorkCalendar,
              now: dt.datetime) -> bool:
    """Whether the alarm still holds for the ticket as it is now (re-checked under the lock)."""
    return alarm in due_alarms(ticket, policy, calendar, now)


def notice_stands(ticket: Ticket, notice: SupervisionNotice) -> bool:
    """A notice stays open while its clock still runs on the same deadline (a paused ticket's
    too); it closes when the ticket leaves the step, closes, or gets a new deadline."""
    running = running_clock(ticket)
    return running is not None and running[0] is notice.clock and running[1].at == notice.due


def supervising_path(handling_path: Sequence[uuid.UUID], level: int) -> tuple[uuid.UUID, ...]:
    """Where a level-`level` notice goes: `level` steps up from the handling unit (its parent
    at level 1, grandparent at level 2), stopping at the top of the tree."""
    if not handling_path:
        raise ValueError("a ticket is always handled somewhere")
    top = max(0, len(handling_path) - 1 - level)
    return tuple(handling_path[:top + 1])


def escalates(alarm: Alarm, policy: SlaPolicy) -> bool:
    """Level 2 on the accept clock moves the ticket up a level, when the policy says so."""
    return alarm.clock is Clock.ACCEPT and alarm.level >= ESCALATED and policy.escalate_on_overdue


def rating_window_over(ticket: Ticket, policy: SlaPolicy, now: dt.datetime) -> bool:
    """Answered, not rated, and the resident's rating days (calendar days) are over."""
    return (ticket.status is Status.RESOLVED and ticket.answered_at is not None
            and ticket.rated_at is None
            and now >= ticket.answered_at + dt.timedelta(days=policy.rating_days))


# --- what a deadline was computed from -----------------------------------------------------
# A history entry that sets a deadline carries in its details `due_start` (ISO datetime) and
# `due_days` (working days), and `due_clock` ("accept" / "handle" / "feedback"; "handle" when
# absent). These actions may set the deadline of each clock; when the newest of them carries no
# such details, the deadline is kept as it is (we cannot know what it was counted from).
SETTERS: dict[Clock, frozenset[Action]] = {
    Clock.ACCEPT: frozenset({Action.SUBMIT, Action.ESCALATE, Action.IMPORT}),
    Clock.HANDLE: frozenset({Action.ACCEPT, Action.HANDLE_HERE, Action.DISPATCH,
                             Action.REASSIGN, Action.RETURN, Action.REOPEN, Action.ESCALATE,
                             Action.DECIDE_EXTENSION, Action.RESUME, Action.IMPORT}),
    Clock.FEEDBACK: frozenset({Action.RESOLVE, Action.RESOLVE_ON_SPOT, Action.EXPLAIN,
                               Action.DECIDE_EXTENSION, Action.RESUME, Action.IMPORT}),
}
_FROM_TICKET = {Clock.ACCEPT: frozenset({Action.SUBMIT}),
                Clock.FEEDBACK: frozenset({Action.RESOLVE, Action.RESOLVE_ON_SPOT,
                                           Action.EXPLAIN})}


def _details_basis(entry: HistoryEntry, clock: Clock) -> tuple[dt.datetime, int] | None:
    d = entry.details
    if d.get("due_clock", Clock.HANDLE.value) != clock.value:
        return None
    start, days = d.get("due_start"), d.get("due_days")
    if not isinstance(start, str) or not isinstance(days, int) or isinstance(days, bool):
        return None
    try:
        at = dt.datetime.fromisoformat(start)
    except ValueError:
        return None
    return (at, days) if at.tzinfo is not None and days >= 0 else None


def deadline_basis(ticket: Ticket, clock: Clock, history: Sequence[HistoryEntry],
                   policy: SlaPolicy) -> tuple[dt.datetime, int] | None:
    """(start, working days) the clock's current deadline counts from, or None to keep it."""
    for entry in sorted(history, key=lambda e: e.version, reverse=True):
        basis = _details_basis(entry, clock)
        if basis is not None:
            return basis
        if entry.action in SETTERS[clock]:
            if entry.action in _FROM_TICKET.get(clock, ()):
                break
            return None
    if clock is Clock.ACCEPT:
        return ticket.submitted_at, policy.accept_days
    if clock is Clock.FEEDBACK and ticket.resolved_at is not None:
        return ticket.resolved_at, policy.feedback_days
    return None
