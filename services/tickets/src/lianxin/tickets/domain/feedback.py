"""Feedback (回音 / 回访) as pure rules: answering the resident, their rating (or a staff return
visit recording it), reopening on dissatisfaction, closing without a rating, merging a duplicate
into its master (并单). Pause and extension (延期) live in `holds`. The use cases
(app/feedback.py, app/merge.py) load, lock and save; these functions only decide, raising a
domain error whose `field` names the GraphQL input to fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus, Role
from lianxin.tickets.domain.errors import IllegalTransition, InvalidTicket, NotFound
from lianxin.tickets.domain.sla import SlaPolicy
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import (
    MAX_TEXT_LENGTH,
    Channel,
    CloseReason,
    Deadline,
    Satisfaction,
    Status,
    Ticket,
)

CLOSING = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


def text(value: str | None, what: str, field: str) -> str:
    """`value` stripped; InvalidTicket when it is missing, empty or too long."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidTicket(f"{what} is required", field=field)
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise InvalidTicket(f"{what} is {len(cleaned)} characters; at most {MAX_TEXT_LENGTH}",
                            field=field)
    return cleaned


def optional_text(value: str | None, what: str, field: str) -> str:
    """`value` stripped, "" when missing or blank; InvalidTicket when too long."""
    return text(value, what, field) if value and value.strip() else ""


def _illegal(ticket: Ticket, action: Action, message: str, field: str = "ticketId") -> IllegalTransition:
    return IllegalTransition(message, field=field, status=ticket.status.name, action=action.name)


# --- answer (回复) ------------------------------------------------------------------------------
def answered(ticket: Ticket, now: dt.datetime, reply: str, channel: Channel) -> Ticket:
    """The resolution told to the resident; IllegalTransition when it already was."""
    if ticket.answered_at is not None:
        raise _illegal(ticket, Action.ANSWER, f"ticket {ticket.code} is already answered; the "
                       "resident rates it now (or a staff return visit records the rating)")
    return ticket.advance(now, answer=text(reply, "the reply to the resident", "reply"),
                          answer_channel=channel, answered_at=now)


def answer_on_time(ticket: Ticket, now: dt.datetime) -> bool:
    return ticket.feedback_due is None or now <= ticket.feedback_due.at


# --- rating, return visit, reopen --------------------------------------------------------------
def rated(ticket: Ticket, now: dt.datetime, solved: bool, satisfaction: Satisfaction,
          by_staff: bool) -> Ticket:
    """The rating set on an answered ticket; satisfied or basically satisfied also closes it
    (RATED). A dissatisfied rating leaves it RESOLVED here: `reopened` takes it from there."""
    if ticket.answered_at is None:
        raise _illegal(ticket, Action.RATE, f"ticket {ticket.code} has not been answered yet; "
                       "it can be rated once the resolution is answered to the resident")
    closing = satisfaction in CLOSING
    return ticket.advance(
        now, solved=solved, satisfaction=satisfaction, rated_at=now, rated_by_staff=by_staff,
        **({"status": Status.CLOSED, "close_reason": CloseReason.RATED, "closed_at": now}
           if closing else {}))


def reopened(ticket: Ticket, handle_due: Deadline) -> Ticket:
    """Dissatisfied (不满意): back to ASSIGNED with a fresh handle deadline; the previous
    resolution, answer and rating are cleared (the history keeps them). `ticket` is the rated
    one (its version already advanced)."""
    return replace(
        ticket, status=Status.ASSIGNED, reopen_count=ticket.reopen_count + 1,
        handle_due=handle_due, outcome=None, on_the_spot=False, resolution=None,
        resolved_at=None, answer=None, answer_channel=None, answered_at=None, feedback_due=None,
        solved=None, satisfaction=None, rated_at=None, rated_by_staff=None)


def to_reopen(ticket: Ticket, assignments: Sequence[Assignment]) -> Assignment | None:
    """The assignment a reopened ticket goes back to: the last LEAD or LOCAL one, when it was
    finished (DONE) or cancelled by an explanation. None when there is none, or when the last
    one is a RETURNED dispatch or LOCAL work of a unit the ticket was escalated away from."""
    leads = [a for a in assignments if a.role in (Role.LEAD, Role.LOCAL)]
    if not leads:
        return None
    last = leads[-1]
    if last.status is AssignmentStatus.DONE:
        return last
    if last.status is AssignmentStatus.CANCELLED and (
            last.role is Role.LEAD or last.department_id == ticket.handling_unit_id):
        return last
    return None


def reopened_assignment(a: Assignment, due: Deadline) -> Assignment:
    return replace(a, status=AssignmentStatus.OPEN, due=due, completed_at=None)


# --- closing without a rating ------------------------------------------------------------------
def rating_ends(ticket: Ticket, policy: SlaPolicy) -> dt.datetime | None:
    """When the resident's time to rate ends (policy.rating_days calendar days after the
    answer); None when the ticket is not answered."""
    if ticket.answered_at is None:
        return None
    return ticket.answered_at + dt.timedelta(days=policy.rating_days)


def unrated_due(ticket: Ticket, policy: SlaPolicy, now: dt.datetime) -> bool:
    """RESOLVED, answered, not rated, and the rating days are over."""
    ends = rating_ends(ticket, policy)
    return (ticket.status is Status.RESOLVED and ticket.rated_at is None
            and ends is not None and now >= ends)


def closed_unrated(ticket: Ticket, policy: SlaPolicy, now: dt.datetime) -> Ticket:
    """CLOSED with reason NO_RATING; IllegalTransition naming when it may close otherwise."""
    if not unrated_due(ticket, policy, now):
        ends = rating_ends(ticket, policy)
        why = ("it has not been answered yet" if ends is None else
               f"the resident may rate it until {ends.isoformat()}")
        raise _illegal(ticket, Action.CLOSE, f"ticket {ticket.code} cannot close without a "
                       f"rating: {why}")
    return ticket.advance(now, status=Status.CLOSED, close_reason=CloseReason.NO_RATING,
                          closed_at=now)


# --- merge (并单) -------------------------------------------------------------------------------
def merged(ticket: Ticket, master: Ticket | None, followers: Sequence[Ticket],
           now: dt.datetime) -> Ticket:
    """`ticket` MERGED into `master` (None: unknown or not the caller's to see). The master must
    be another ticket still open or resolved; no chains: a ticket others are merged into stays a
    master (merge the other way round)."""
    if master is not None and master.id == ticket.id:
        raise InvalidTicket("a ticket cannot be merged into itself; give the id of the ticket "
                            "it duplicates", field="masterId")
    if master is None:
        raise NotFound("the master ticket does not exist or is not yours to see",
                       field="masterId")
    if master.status in (Status.MERGED, Status.CLOSED):
        where = (f"; merge into {master.master_id} instead" if master.status is Status.MERGED
                 and master.master_id else "")
        raise _illegal(ticket, Action.MERGE, f"ticket {master.code} is {master.status.name} and "
                       f"cannot be a master{where}", field="masterId")
    if followers:
        codes = "、".join(f.code for f in followers[:5])
        raise _illegal(ticket, Action.MERGE, f"ticket {ticket.code} is the master of {codes}; "
                       f"merge {master.code} into {ticket.code} instead (merged tickets are "
                       "never chained)")
    return ticket.advance(now, status=Status.MERGED, master_id=master.id, paused_at=None)
