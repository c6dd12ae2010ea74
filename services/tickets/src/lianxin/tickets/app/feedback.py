"""Feedback (回音): the resolution is answered to the resident (回复), who rates it — or staff
record the rating on a return visit (回访). Satisfied or basically satisfied closes the ticket;
dissatisfied reopens it (back to ASSIGNED with a fresh handle deadline, its last lead or local
assignment open again); no rating within the policy's rating days closes it NO_RATING (the SLA
scheduler calls `close_unrated`). The handler's reflections (反思, 五有 5) are added to the
history of a resolved or closed ticket.

Who: the handling unit's staff (or above it) answer, close unrated tickets and record return
visits — so may the staff of the ticket's own place, whose cadres visit the resident; only the
resident who owns the ticket rates it (anyone else gets NOT_FOUND); reflections come from staff
of any unit the ticket reaches (its place, handler, or a department with a task)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from lianxin.tickets.app.common import SYSTEM_ACTOR, Actor, Clock, utcnow
from lianxin.tickets.app.deadlines import deadline, policy_for
from lianxin.tickets.app.handling import assignments_of, require_handler
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, Step, not_found, transition
from lianxin.tickets.domain import feedback as rules
from lianxin.tickets.domain.errors import IllegalTransition, OutOfScope
from lianxin.tickets.domain.events import (
    TicketAnswered,
    TicketClosed,
    TicketRated,
    TicketReopened,
)
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Channel, Satisfaction, Status, Ticket


@dataclass(frozen=True, slots=True)
class AnswerTicket:
    ticket_id: uuid.UUID
    reply: str
    channel: Channel
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class RateTicket:
    ticket_id: uuid.UUID
    solved: bool
    satisfaction: Satisfaction
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class RecordReturnVisit:
    ticket_id: uuid.UUID
    solved: bool
    satisfaction: Satisfaction
    channel: Channel
    note: str
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class CloseUnratedTicket:
    ticket_id: uuid.UUID
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class AddReflection:
    ticket_id: uuid.UUID
    note: str
    request_id: uuid.UUID | None = None


async def answer_ticket(cmd: AnswerTicket, uow: UnitOfWork, actor: Actor,
                        clock: Clock = utcnow) -> Ticket:
    """回复: the resolution told to the resident, with the channel it went by; on time when
    within the feedback deadline. Once only."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        require_handler(actor, ticket, "answering")
        after = rules.answered(ticket, now, cmd.reply, cmd.channel)
        on_time = rules.answer_on_time(ticket, now)
        return Change(after, [TicketAnswered(after, on_time)],
                      note=f"answered to the resident ({cmd.channel.name})"
                           + ("" if on_time else ", late"),
                      details={"channel": cmd.channel.value, "on_time": on_time})

    return await transition(uow, cmd.ticket_id, Action.ANSWER, step, actor,
                            request_id=cmd.request_id, clock=clock)


def _rating(solved: bool, satisfaction: Satisfaction, by_staff: bool,
            channel: Channel | None = None, note: str = "") -> Step:
    """The rating step, shared by the resident's rating and a staff return visit."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        rated = rules.rated(ticket, now, solved, satisfaction, by_staff)
        details: dict[str, str | int | bool | None] = {
            "solved": solved, "satisfaction": satisfaction.value, "by_staff": by_staff,
            "channel": channel.value if channel else None}
        who = "return visit" if by_staff else "resident"
        if rated.status is Status.CLOSED:
            return Change(rated, [TicketRated(rated), TicketClosed(rated)],
                          note=note or f"rated {satisfaction.name} ({who}); closed",
                          details=details)
        return await _reopen(ticket, rated, uow, now, details, note or f"rated DISSATISFIED "
                             f"({who}); reopened")
    return step


async def _reopen(ticket: Ticket, rated: Ticket, uow: UnitOfWork, now: dt.datetime,
                  details: dict[str, str | int | bool | None], note: str) -> Change:
    policy = await policy_for(uow, ticket)
    due = await deadline(uow, now, policy.handle_days)
    after = rules.reopened(rated, due)
    assignments = await assignments_of(uow, ticket)
    again = rules.to_reopen(ticket, assignments)
    if again is not None:
        await uow.assignments.save(rules.reopened_assignment(again, due))
    previous: dict[str, str | bool | None] = {
        "previous_outcome": ticket.outcome.value if ticket.outcome else None,
        "previous_satisfaction": Satisfaction.DISSATISFIED.value,
        "on_the_spot": ticket.on_the_spot}
    # what the handle deadline counts from, so the scheduler can recompute it
    basis: dict[str, str | int] = {"due_clock": SlaClock.HANDLE.value,
                                   "due_start": now.isoformat(), "due_days": policy.handle_days}
    return Change(after, [TicketRated(rated), TicketReopened(after)], note=note,
                  recorded_as=Action.REOPEN, details={
                      **details, **previous, **basis, "reopen_count": after.reopen_count,
                      "handle_due": due.at.isoformat(),
                      "assignment_id": str(again.id) if again else None})


async def rate_ticket(cmd: RateTicket, uow: UnitOfWork, actor: Actor,
                      clock: Clock = utcnow) -> Ticket:
    """The resident rates the answered resolution: solved? and satisfied / basically satisfied
    (closed, RATED) / dissatisfied (reopened). Only the resident who owns the ticket; anyone
    else is told it does not exist."""
    inner = _rating(cmd.solved, cmd.satisfaction, by_staff=False)

    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        if not (actor.is_resident and actor.owns(ticket)):
            raise not_found(ticket.id)
        return await inner(ticket, uow, now)

    return await transition(uow, cmd.ticket_id, Action.RATE, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def record_return_visit(cmd: RecordReturnVisit, uow: UnitOfWork, actor: Actor,
                              clock: Clock = utcnow) -> Ticket:
    """回访: staff ask the resident and record the same rating on their behalf (rated by
    staff), with the channel and a note of the visit; same effects as the resident's rating."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        if not (actor.works_at(ticket.handling_path) or actor.works_at(ticket.org_path)):
            raise OutOfScope(f"a return visit on ticket {ticket.code} lies outside your org "
                             "scope", field="id")
        note = rules.text(cmd.note, "the note of the return visit", "note")
        inner = _rating(cmd.solved, cmd.satisfaction, True, cmd.channel,
                        f"return visit ({cmd.channel.name}): {note}")
        return await inner(ticket, uow, now)

    return await transition(uow, cmd.ticket_id, Action.RATE, step, actor,
                            request_id=cmd.request_id, clock=clock)


class _NotDue(Exception):
    """Raised inside the scheduler's close step to leave without writing."""


def _closing(actor: Actor, *, by_scheduler: bool = False) -> Step:
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        if not by_scheduler:
            require_handler(actor, ticket, "closing")
        policy = await policy_for(uow, ticket)
        if by_scheduler and not rules.unrated_due(ticket, policy, now):
            raise _NotDue
        after = rules.closed_unrated(ticket, policy, now)
        return Change(after, [TicketClosed(after)],
                      note=f"closed: not rated within {policy.rating_days} days of the answer",
                      details={"rating_days": policy.rating_days})
    return step


async def close_unrated(ticket_id: uuid.UUID, uow: UnitOfWork,
                        clock: Clock = utcnow) -> Ticket | None:
    """The SLA scheduler's close of a resolved ticket nobody rated within the policy's rating
    days (CLOSED, NO_RATING), as the system. None, with nothing written, when it is not due
    (yet) or no longer resolved (rated, reopened or closed meanwhile)."""
    try:
        return await transition(uow, ticket_id, Action.CLOSE,
                                _closing(SYSTEM_ACTOR, by_scheduler=True), SYSTEM_ACTOR,
                                clock=clock)
    except (_NotDue, IllegalTransition):
        return None


async def close_unrated_ticket(cmd: CloseUnratedTicket, uow: UnitOfWork, actor: Actor,
                               clock: Clock = utcnow) -> Ticket:
    """The handling unit closes a ticket whose rating days are over without a rating
    (NO_RATING), without waiting for the scheduler; ILLEGAL_TRANSITION naming when the
    resident's time ends otherwise."""
    return await transition(uow, cmd.ticket_id, Action.CLOSE, _closing(actor), actor,
                            request_id=cmd.request_id, clock=clock)


async def add_reflection(cmd: AddReflection, uow: UnitOfWork, actor: Actor,
                         clock: Clock = utcnow) -> Ticket:
    """反思: the handler's reflections on a resolved or closed ticket (五有 5) — a line in its
    history; the ticket's state does not change."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        if actor.is_resident or not actor.works_at(ticket.reach):
            raise OutOfScope(f"reflections on ticket {ticket.code} lie outside your org scope",
                             field="id")
        note = rules.text(cmd.note, "the reflection", "note")
        return Change(ticket.advance(now), note=note)

    return await transition(uow, cmd.ticket_id, Action.REFLECT, step, actor,
                            request_id=cmd.request_id, clock=clock)
