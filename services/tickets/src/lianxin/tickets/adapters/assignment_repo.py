"""SQL repository: assignments (派单) of tickets to departments or to their own unit.

Assignments change only inside their ticket's transition, under the ticket's row lock, so they
need no lock or version of their own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.tickets.adapters.bulk import copy_rows
from lianxin.tickets.adapters.tables import assignment
from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus, DelayOn, Role
from lianxin.tickets.domain.errors import NotFound
from lianxin.tickets.domain.ticket import Deadline
from sqlalchemy.ext.asyncio import AsyncSession


def _assignment(row: sa.RowMapping) -> Assignment:
    return Assignment(
        id=row["id"], ticket_id=row["ticket_id"], department_id=row["department_id"],
        department_path=tuple(row["department_path"]), role=Role(row["role"]),
        responsible_name=row["responsible_name"], task=row["task"],
        due=Deadline(row["due"], row["due_provisional"]), assigned_at=row["assigned_at"],
        assigned_by=row["assigned_by"], responsible_cadre_id=row["responsible_cadre_id"],
        standard=row["standard"], status=AssignmentStatus(row["status"]),
        started_at=row["started_at"], completed_at=row["completed_at"], report=row["report"],
        returned_at=row["returned_at"], return_reason=row["return_reason"],
        delay_on=DelayOn(row["delay_on"]) if row["delay_on"] is not None else None,
        replaces_id=row["replaces_id"])


def _values(a: Assignment) -> dict[str, Any]:
    return {"id": a.id, "ticket_id": a.ticket_id, "department_id": a.department_id,
            "department_path": list(a.department_path), "role": a.role.value,
            "responsible_name": a.responsible_name, "responsible_cadre_id": a.responsible_cadre_id,
            "task": a.task, "standard": a.standard, "due": a.due.at,
            "due_provisional": a.due.provisional, "status": a.status.value,
            "assigned_at": a.assigned_at, "assigned_by": a.assigned_by,
            "started_at": a.started_at, "completed_at": a.completed_at, "report": a.report,
            "returned_at": a.returned_at, "return_reason": a.return_reason,
            "delay_on": a.delay_on.value if a.delay_on is not None else None,
            "replaces_id": a.replaces_id}


class SqlAssignments:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, a: Assignment) -> None:
        await self._session.execute(sa.insert(assignment).values(**_values(a)))

    async def add_many(self, assignments: Sequence[Assignment]) -> None:
        await copy_rows(self._session, assignment, [_values(a) for a in assignments])

    async def save(self, a: Assignment) -> None:
        values = _values(a)
        del values["id"], values["ticket_id"]
        result = await self._session.execute(
            sa.update(assignment).where(assignment.c.id == a.id).values(**values))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound(f"assignment {a.id} does not exist", field="assignmentId")

    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]
                          ) -> dict[uuid.UUID, list[Assignment]]:
        out: dict[uuid.UUID, list[Assignment]] = {i: [] for i in ticket_ids}
        if ticket_ids:
            rows = await self._session.execute(
                sa.select(assignment).where(assignment.c.ticket_id.in_(list(ticket_ids)))
                .order_by(assignment.c.assigned_at, assignment.c.id))
            for row in rows.mappings():
                out[row["ticket_id"]].append(_assignment(row))
        return out
