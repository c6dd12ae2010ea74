"""Ledger rows (台账) imported a chunk per transaction: the same use cases (`submit_ticket`, then
`transition` per step) run on a `ChunkUnitOfWork` that keeps each row's writes in memory and
writes the chunk's tickets, history lines, assignments and events in a few bulk statements.

Why: one transaction per row spent nearly all its time in round trips — a ticket written once
and updated for every step, each step's history line, assignment and events one statement each,
the same org units, categories, policies and calendar read again for every row. Here a ticket is
written once, in the state its last step left it; history lines and events are the very ones
the live steps make, in the same order.

A row is all or nothing: its writes are staged while it runs, kept when it ends cleanly, and
dropped (code number included) when it raises. What the import reads meanwhile — org units,
categories, SLA policies, the working-day calendar — does not change during an import, so it is
read once (app/import_reads.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lianxin.tickets.app.import_reads import Calendar, Categories, ImportReads, OrgUnits, Policies
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.assignment import Assignment
from lianxin.tickets.domain.errors import StaleTicket
from lianxin.tickets.domain.events import Event
from lianxin.tickets.domain.states import HistoryEntry
from lianxin.tickets.domain.ticket import Ticket


@dataclass(slots=True)
class _Staged:
    """Writes of the chunk so far, or of the row running now."""

    tickets: dict[uuid.UUID, Ticket] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    assignments: dict[uuid.UUID, Assignment] = field(default_factory=dict)
    events: list[tuple[Event, dt.datetime | None, Ticket | None]] = field(default_factory=list)
    codes: dict[tuple[str, int], int] = field(default_factory=dict)


class _Tickets:
    def __init__(self, chunk: ChunkUnitOfWork) -> None:
        self._chunk = chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chunk.real.tickets, name)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Ticket]:
        c = self._chunk
        unknown = [i for i in ids if c.staged(i) is None and i not in c.absent
                   and i not in c.stored]
        read = {t.id: t for t in await c.real.tickets.get_many(unknown)} if unknown else {}
        return [t for i in ids
                if (t := c.staged(i) or c.stored.get(i) or read.get(i)) is not None]

    async def get_for_update(self, ticket_id: uuid.UUID) -> Ticket | None:
        found = self._chunk.staged(ticket_id)
        if found is None:
            raise LookupError(f"ticket {ticket_id} is not one this chunk imports")
        return found

    async def add(self, t: Ticket) -> bool:
        if self._chunk.staged(t.id) is not None or t.id not in self._chunk.absent:
            return False  # only tickets the chunk checked are absent are written in bulk
        self._chunk.row.tickets[t.id] = t
        return True

    async def save(self, t: Ticket) -> None:
        before = self._chunk.staged(t.id)
        if before is None or before.version != t.version - 1:
            raise StaleTicket(f"ticket {t.code} was changed meanwhile", field="id")
        self._chunk.row.tickets[t.id] = t

    async def next_code(self, prefix: str, year: int) -> int:
        c = self._chunk
        if (prefix, year) not in c.code_base:
            # The first number drawn locks the counter row until commit: no other writer can
            # draw from it meanwhile, so the chunk counts on from here and stores the last.
            c.code_base[prefix, year] = await c.real.tickets.next_code(prefix, year) - 1
        last = c.row.codes.get((prefix, year), c.done.codes.get((prefix, year),
                                                                 c.code_base[prefix, year]))
        c.row.codes[prefix, year] = last + 1
        return last + 1


class _History:
    def __init__(self, chunk: ChunkUnitOfWork) -> None:
        self._chunk = chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chunk.real.history, name)

    async def add(self, entry: HistoryEntry) -> None:
        self._chunk.row.history.append(entry)

    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]
                          ) -> dict[uuid.UUID, list[HistoryEntry]]:
        c = self._chunk
        unknown = [i for i in ticket_ids if i not in c.stored_history]
        if unknown:
            c.stored_history.update(await c.real.history.for_tickets(unknown))
        return {i: c.stored_history[i] for i in ticket_ids}


class _Assignments:
    def __init__(self, chunk: ChunkUnitOfWork) -> None:
        self._chunk = chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chunk.real.assignments, name)

    async def add(self, a: Assignment) -> None:
        self._chunk.row.assignments[a.id] = a

    async def save(self, a: Assignment) -> None:
        c = self._chunk
        if a.id not in c.row.assignments and a.id not in c.done.assignments:
            raise LookupError(f"assignment {a.id} is not one this chunk imports")
        c.row.assignments[a.id] = a


class ChunkUnitOfWork:
    """The use cases' unit of work for the rows of one chunk, inside the chunk's transaction
    (`real`). Entering, leaving and committing are no-ops: `begin_row`, `keep_row` and
    `drop_row` delimit a row, `flush` writes what the kept rows staged."""

    def __init__(self, real: UnitOfWork, reads: ImportReads) -> None:
        # Reads of what does not change during an import, answered from `reads` after the first.
        self.real = real
        self.absent: set[uuid.UUID] = set()  # ticket ids checked absent in this transaction
        self.stored: dict[uuid.UUID, Ticket] = {}  # … and those found, with their history
        self.stored_history: dict[uuid.UUID, list[HistoryEntry]] = {}
        self.done, self.row = _Staged(), _Staged()
        self.code_base: dict[tuple[str, int], int] = {}
        self.tickets = _Tickets(self)
        self.history = _History(self)
        self.assignments = _Assignments(self)
        self.org_units = OrgUnits(real.org_units, reads)
        self.categories = Categories(real.categories, reads)
        self.sla_policies = Policies(real.sla_policies, reads)
        self.calendar = Calendar(real.calendar, reads)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    async def check(self, ids: Sequence[uuid.UUID]) -> None:
        """Read which of these tickets exist (with their history) in one go: the rows that
        create them write without asking again, the rows of those found compare with them."""
        found = await self.real.tickets.get_many(ids)
        self.stored.update((t.id, t) for t in found)
        self.absent.update(set(ids) - self.stored.keys())
        if found:
            self.stored_history.update(await self.real.history.for_tickets([t.id for t in found]))

    def staged(self, ticket_id: uuid.UUID) -> Ticket | None:
        return self.row.tickets.get(ticket_id) or self.done.tickets.get(ticket_id)

    async def __aenter__(self) -> ChunkUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def record(self, event: Event, occurred_at: dt.datetime | None = None,
               about: Ticket | None = None) -> None:
        self.row.events.append((event, occurred_at, about))

    async def commit(self) -> None:
        return None  # the row is kept by keep_row, the chunk committed by its transaction

    def begin_row(self) -> None:
        self.row = _Staged()

    def keep_row(self) -> None:
        r, d = self.row, self.done
        d.tickets.update(r.tickets)
        d.history += r.history
        d.assignments.update(r.assignments)
        d.events += r.events
        d.codes.update(r.codes)
        self.row = _Staged()

    def drop_row(self) -> None:
        self.row = _Staged()

    async def flush(self) -> None:
        """Write the kept rows' tickets, history lines, assignments, code counters and events
        into the chunk's transaction (the caller commits it)."""
        d, real = self.done, self.real
        if d.tickets:
            await real.tickets.add_many(list(d.tickets.values()))
        if d.history:
            await real.history.add_many(d.history)
        if d.assignments:
            await real.assignments.add_many(list(d.assignments.values()))
        for (prefix, year), base in self.code_base.items():
            await real.tickets.set_last_code(prefix, year, d.codes.get((prefix, year), base))
        for event, occurred_at, about in d.events:
            real.record(event, occurred_at, about)
        await real.commit()

