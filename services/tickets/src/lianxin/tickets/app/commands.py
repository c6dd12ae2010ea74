"""Read-model commands: the local copies of the people service's org units, cadres and
pairings, applied by the people.v1 consumer inside its unit of work (which commits them with
the dedupe row). Submitting a ticket lives in app/intake.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain import ticket as tk
from lianxin.tickets.domain.people_refs import CadreRef, PairingRef


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


@dataclass(frozen=True, slots=True)
class RecordCadre:
    """Keep the local copy of a cadre (from CadreRegistered); a redelivery overwrites it."""

    cadre: CadreRef


async def record_cadre(cmd: RecordCadre, uow: UnitOfWork) -> None:
    await uow.cadres.upsert(cmd.cadre)


@dataclass(frozen=True, slots=True)
class RecordPairing:
    """Keep the local copy of a pairing (from PairingCreated)."""

    pairing: PairingRef


async def record_pairing(cmd: RecordPairing, uow: UnitOfWork) -> None:
    await uow.pairings.upsert(cmd.pairing)


@dataclass(frozen=True, slots=True)
class EndPairing:
    """A pairing ended (from PairingEnded): its contact card no longer opens a demand."""

    id: uuid.UUID


async def end_pairing(cmd: EndPairing, uow: UnitOfWork) -> None:
    await uow.pairings.end(cmd.id)


@dataclass(frozen=True, slots=True)
class LinkVisit:
    """A visit logged in people names the demands raised on it (from VisitLogged): tickets
    submitted without the visit id learn it, so `Visit.tickets` lists them too."""

    visit_id: uuid.UUID
    ticket_ids: tuple[uuid.UUID, ...]


async def link_visit(cmd: LinkVisit, uow: UnitOfWork) -> None:
    if cmd.ticket_ids:
        await uow.tickets.link_visit(cmd.visit_id, cmd.ticket_ids)
