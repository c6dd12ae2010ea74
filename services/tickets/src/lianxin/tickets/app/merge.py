"""并单: a duplicate is merged into a master ticket and follows it — MERGED (terminal), its active
assignments cancelled; whatever the master's handling produces is every submitter's answer.

The handling unit's staff of the merged ticket merge it (or above); the master must be a ticket
they can see, other than this one, not itself merged or closed. Merged tickets are never
chained: a ticket others were merged into cannot be merged in turn (merge the other way round).
Both rows are locked, the duplicate first, so two crossing merges cannot build a chain."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.handling import assignments_of
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, transition
from lianxin.tickets.domain import feedback as rules
from lianxin.tickets.domain.events import TicketMerged
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Ticket
from lianxin.tickets.domain.triage import cancelled


@dataclass(frozen=True, slots=True)
class MergeTicket:
    ticket_id: uuid.UUID
    master_id: uuid.UUID
    note: str | None = None
    request_id: uuid.UUID | None = None


async def merge_ticket(cmd: MergeTicket, uow: UnitOfWork, actor: Actor,
                       clock: Clock = utcnow) -> Ticket:
    """Merge an open ticket into its master (并单)."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        actor.require_at(ticket.handling_path, f"merging ticket {ticket.code}")
        note = rules.optional_text(cmd.note, "the note", "note")
        master = (ticket if cmd.master_id == ticket.id
                  else await uow.tickets.get_for_update(cmd.master_id))
        if master is not None and not actor.sees(master):
            master = None
        followers = (await uow.merges.followers([ticket.id]))[ticket.id]
        after = rules.merged(ticket, master, followers, now)
        assignments = await assignments_of(uow, ticket)
        stopped = [cancelled(a, now) for a in assignments if a.active]
        for a in stopped:
            await uow.assignments.save(a)
        code = master.code if master else str(cmd.master_id)
        return Change(after, [TicketMerged(after)],
                      note=f"merged into {code}" + (f": {note}" if note else ""),
                      details={"master_id": str(cmd.master_id), "master_code": code,
                               "cancelled_assignments": len(stopped)})

    return await transition(uow, cmd.ticket_id, Action.MERGE, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def merged_into(uow: UnitOfWork, master_ids: Sequence[uuid.UUID]
                      ) -> dict[uuid.UUID, list[Ticket]]:
    """The tickets merged into each master, oldest first — unfiltered: callers show only those
    the viewer `sees` (a follower's submitter reads the master's answer through their own
    ticket's `master_id`, without seeing the master)."""
    async with uow:
        return await uow.merges.followers(master_ids)
