"""Who may act on a ticket in its workflow: staff of the unit handling it (or above it) — and,
for some steps, staff of the department an assignment makes responsible, for whom the handling
unit may also act. And the assignments a step reads to decide."""

from __future__ import annotations

import uuid

from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.assignment import Assignment
from lianxin.tickets.domain.errors import OutOfScope
from lianxin.tickets.domain.ticket import Ticket


async def assignments_of(uow: UnitOfWork, ticket: Ticket) -> list[Assignment]:
    """The ticket's assignments, oldest first; call inside the step's unit of work."""
    return (await uow.assignments.for_tickets([ticket.id]))[ticket.id]


def require_handler(actor: Actor, ticket: Ticket, what: str | None = None) -> None:
    """FORBIDDEN unless the caller works at the unit handling the ticket (or above it); `what`
    names the step in the message ("answering" → "answering of ticket …")."""
    actor.require_at(ticket.handling_path, f"{what} of ticket {ticket.code}" if what
                     else f"ticket {ticket.code}'s handling unit")


def require_handler_or(actor: Actor, ticket: Ticket, assignment: Assignment | None,
                       what: str) -> None:
    """FORBIDDEN unless the caller works at the unit handling the ticket or at the department of
    `assignment` (none: the handling unit only); `what` begins the message ("pausing" →
    "pausing ticket … lies outside your org scope")."""
    if actor.works_at(ticket.handling_path):
        return
    if assignment is not None and actor.works_at(assignment.department_path):
        return
    raise OutOfScope(f"{what} ticket {ticket.code} lies outside your org scope", field="id")


async def unit_name(uow: UnitOfWork, unit_id: uuid.UUID) -> str:
    """The org unit's name for a history note; its id while the read model does not know it."""
    unit = await uow.org_units.get(unit_id)
    return unit.name if unit else str(unit_id)
