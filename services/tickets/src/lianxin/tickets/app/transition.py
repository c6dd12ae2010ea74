"""One way every transition runs: lock the ticket, check the caller may see it and the state
allows the action, apply the step, save the next version, append the history line, record the
events — all in one transaction, or nothing.

A client may send a request id with any step: a retry of a step that already committed (a
phone that lost the answer on a weak signal) returns the ticket as it is, instead of failing
on a state that has moved on."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from lianxin.kit.ids import uuid7
from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.errors import NotFound, TicketIdConflict
from lianxin.tickets.domain.events import Event
from lianxin.tickets.domain.states import Action, HistoryEntry, require
from lianxin.tickets.domain.ticket import Ticket

Detail = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Change:
    """What a step did: the ticket's next state (built with `Ticket.advance`), the events to
    publish, and the history line's note and details (no personal data in either)."""

    ticket: Ticket
    events: Sequence[Event] = ()
    note: str = ""
    details: Mapping[str, Detail] = field(default_factory=dict)
    # The action to record when it differs from the one checked (a DISSATISFIED rating
    # is checked as RATE and recorded as REOPEN).
    recorded_as: Action | None = None


Step = Callable[[Ticket, UnitOfWork, dt.datetime], Awaitable[Change]]


def not_found(ticket_id: uuid.UUID) -> NotFound:
    return NotFound(f"ticket {ticket_id} does not exist or is not yours to see", field="id")


async def transition(uow: UnitOfWork, ticket_id: uuid.UUID, action: Action, step: Step,
                     actor: Actor, *, request_id: uuid.UUID | None = None,
                     clock: Clock = utcnow) -> Ticket:
    """Run `step` on the ticket as one committed transition and return the ticket after it."""
    async with uow:
        if request_id is not None:
            done = await uow.history.get(request_id)
            if done is not None:
                if done.ticket_id != ticket_id:
                    raise TicketIdConflict(f"request id {request_id} was already used for another "
                                           "ticket; use a new one", field="requestId")
                [current] = await uow.tickets.get_many([ticket_id])
                return current
        ticket = await uow.tickets.get_for_update(ticket_id)
        if ticket is None or not actor.sees(ticket):
            raise not_found(ticket_id)
        require(ticket, action)
        now = clock()
        change = await step(ticket, uow, now)
        after = change.ticket
        if after.version == ticket.version:
            after = after.advance(now)
        await uow.tickets.save(after)
        await uow.history.add(HistoryEntry(
            id=request_id or uuid7(), ticket_id=ticket.id, version=after.version, at=now,
            actor=actor.subject, actor_role=actor.role, action=change.recorded_as or action,
            from_status=ticket.status, to_status=after.status, note=change.note,
            details=dict(change.details)))
        for event in change.events:
            uow.record(event, occurred_at=now, about=after)
        await uow.commit()
        return after

