"""Commands (imperative) and their handlers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain import OrgUnit, OrgUnitKind, UnknownParent, new_org_unit
from lianxin.people.domain.events import OrgUnitCreated


@dataclass(frozen=True, slots=True)
class CreateOrgUnit:
    id: uuid.UUID
    name: str
    kind: OrgUnitKind
    parent_id: uuid.UUID | None = None


async def create_org_unit(cmd: CreateOrgUnit, uow: UnitOfWork) -> OrgUnit:
    """Create an org unit under its parent; a retry with the same id and content is a no-op."""
    async with uow:
        parent = None
        if cmd.parent_id is not None:
            parent = await uow.org_units.get(cmd.parent_id)
            if parent is None:
                raise UnknownParent(f"parent org unit {cmd.parent_id} does not exist",
                                    field="parentId")
        existing = await uow.org_units.get(cmd.id)
        unit, created = new_org_unit(cmd.id, cmd.name, cmd.kind, parent, existing)
        if created and not await uow.org_units.add(unit):
            # An identical retry won the race and committed first: answer as a retry would.
            unit, created = new_org_unit(cmd.id, cmd.name, cmd.kind, parent,
                                         await uow.org_units.get(cmd.id))
        if created:
            uow.record(OrgUnitCreated(unit))
            await uow.commit()
        return unit
