"""Commands and their handlers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain import ticket as tk
from lianxin.tickets.domain.errors import OutOfScope, UnknownOrgUnit
from lianxin.tickets.domain.events import TicketSubmitted


@dataclass(frozen=True, slots=True)
class SubmitTicket:
    id: uuid.UUID
    org_unit_id: uuid.UUID
    channel: tk.Channel
    category: str
    text: str
    submitted_by: str
    # Org unit ids whose subtrees the submitter works in; None: may submit anywhere
    # (residents, who live somewhere, and admins).
    scope: tuple[str, ...] | None = None


async def submit_ticket(cmd: SubmitTicket, uow: UnitOfWork,
                        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> tk.Ticket:
    """Record a demand against an org unit; a retried submit returns the first ticket."""
    async with uow:
        unit = await uow.org_units.get(cmd.org_unit_id)
        if unit is None:
            raise UnknownOrgUnit(f"org unit {cmd.org_unit_id} is unknown to the tickets service; "
                                 "check the id (a unit created a moment ago may take a second "
                                 "to arrive)", field="orgUnitId")
        if cmd.scope is not None and not any(str(p) in cmd.scope for p in unit.path):
            raise OutOfScope(f"org unit {cmd.org_unit_id} is outside your org scope",
                             field="orgUnitId")
        found = await uow.tickets.get_many([cmd.id])
        ticket, created = tk.submit(cmd.id, unit, cmd.channel, cmd.category, cmd.text,
                                    cmd.submitted_by, clock(), found[0] if found else None)
        if created and not await uow.tickets.add(ticket):
            # An identical retry won the race and committed first: answer as a retry would.
            [winner] = await uow.tickets.get_many([cmd.id])
            ticket, created = tk.submit(cmd.id, unit, cmd.channel, cmd.category, cmd.text,
                                        cmd.submitted_by, clock(), winner)
        if created:
            uow.record(TicketSubmitted(ticket))
            await uow.commit()
        return ticket


@dataclass(frozen=True, slots=True)
class RecordOrgUnit:
    """Keep the local copy of a people-service org unit (from OrgUnitCreated)."""

    unit: tk.OrgUnitRef


async def record_org_unit(cmd: RecordOrgUnit, uow: UnitOfWork) -> None:
    """Called inside the consumer's unit of work (which commits it with the dedupe row)."""
    await uow.org_units.upsert(cmd.unit)


@dataclass(frozen=True, slots=True)
class RenameOrgUnitRef:
    id: uuid.UUID
    name: str


async def rename_org_unit_ref(cmd: RenameOrgUnitRef, uow: UnitOfWork) -> None:
    """Follow a rename in the local copy (inside the consumer's unit of work)."""
    await uow.org_units.rename(cmd.id, cmd.name)


@dataclass(frozen=True, slots=True)
class MoveOrgUnitRef:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    path: tuple[uuid.UUID, ...]
    old_path: tuple[uuid.UUID, ...]


async def move_org_unit_ref(cmd: MoveOrgUnitRef, uow: UnitOfWork) -> None:
    """Follow a move: the unit's subtree and the paths of its tickets are re-rooted."""
    await uow.org_units.move(cmd.id, cmd.parent_id, cmd.path, cmd.old_path)
