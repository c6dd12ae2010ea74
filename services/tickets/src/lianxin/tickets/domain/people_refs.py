"""Local read models of the people service's cadres and pairings, fed by people.v1 (never a
synchronous call): a caller's token subject maps to a cadre, a contact card's token to a
pairing and through it to a household and its place."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CadreRef:
    """A cadre (干部), from CadreRegistered."""

    id: uuid.UUID
    subject: str | None               # login subject of the cadre's token, when they have one
    work_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]   # the work unit's path


@dataclass(frozen=True, slots=True)
class PairingRef:
    """A pairing (结对联户), from PairingCreated / PairingEnded; one per contact card."""

    id: uuid.UUID
    cadre_id: uuid.UUID
    household_id: uuid.UUID | None      # exactly one of household and contact point is set
    contact_point_id: uuid.UUID | None
    org_path: tuple[uuid.UUID, ...]     # the household's (or contact point's) place, root first
    active: bool = True

    @property
    def place_id(self) -> uuid.UUID:
        """The org unit the household (or contact point) belongs to."""
        return self.org_path[-1]
