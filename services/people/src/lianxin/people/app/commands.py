"""Org-tree commands (imperative) and their handlers: create, rename, move."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain import (
    NotFound,
    OrgUnit,
    OrgUnitKind,
    OrgUnitSubkind,
    UnknownParent,
    new_org_unit,
)
from lianxin.people.domain.events import OrgUnitCreated, OrgUnitMoved, OrgUnitRenamed


@dataclass(frozen=True, slots=True)
class CreateOrgUnit:
    id: uuid.UUID
    name: str
    kind: OrgUnitKind
    parent_id: uuid.UUID | None = None
    subkind: OrgUnitSubkind | None = None


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
        unit, created = new_org_unit(cmd.id, cmd.name, cmd.kind, parent, existing, cmd.subkind)
        if created and not await uow.org_units.add(unit):
            # An identical retry won the race and committed first: answer as a retry would.
            unit, created = new_org_unit(cmd.id, cmd.name, cmd.kind, parent,
                                         await uow.org_units.get(cmd.id), cmd.subkind)
        if created:
            uow.record(OrgUnitCreated(unit))
            await uow.commit()
        return unit


@dataclass(frozen=True, slots=True)
class RenameOrgUnit:
    id: uuid.UUID
    name: str


async def rename_org_unit(cmd: RenameOrgUnit, uow: UnitOfWork) -> OrgUnit:
    """Rename a unit (history keeps the old name); the same name again changes nothing."""
    async with uow:
        unit = await _existing(uow, cmd.id)
        renamed = unit.renamed(cmd.name)
        if renamed.name == unit.name:
            return unit
        await uow.org_units.rename(renamed)
        uow.record(OrgUnitRenamed(renamed))
        await uow.commit()
        return renamed


@dataclass(frozen=True, slots=True)
class MoveOrgUnit:
    id: uuid.UUID
    parent_id: uuid.UUID


async def move_org_unit(cmd: MoveOrgUnit, uow: UnitOfWork) -> OrgUnit:
    """Move a unit and its subtree under another parent (e.g. a village merged into another
    township); every path below follows in the same transaction. Moving to the current parent
    changes nothing."""
    async with uow:
        unit = await _existing(uow, cmd.id)
        parent = await uow.org_units.get(cmd.parent_id)
        if parent is None:
            raise UnknownParent(f"parent org unit {cmd.parent_id} does not exist",
                                field="parentId")
        if unit.parent_id == parent.id:
            return unit
        moved = unit.moved_under(parent)
        await uow.org_units.move(moved, unit.path)
        uow.record(OrgUnitMoved(moved, unit.path))
        await uow.commit()
        return moved


async def _existing(uow: UnitOfWork, unit_id: uuid.UUID) -> OrgUnit:
    unit = await uow.org_units.get(unit_id)
    if unit is None:
        raise NotFound(f"org unit {unit_id} does not exist", field="id")
    return unit
