"""Cells of an imported spreadsheet row: how each kind's columns are read and checked.

A kind declares its columns as `Column`s (default header, converter, optional or not); `parse`
turns one row's cells into typed values and reports every bad cell at once, so a clerk fixes a
row in one go. The generic pieces live in `lianxin.kit.importing.cells` (shared with the tickets
ledger import); what is the people service's own — its id namespace, org-unit lookups and each
kind's spec — is here.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lianxin.kit.importing.cells import (
    CellError,
    Column,
    choice,
    date,
    id_or_name,
    parse,
    plain,
    text_of,
    uuid_of,
    year,
)
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain.errors import InvalidInput, UnknownOrgUnit
from lianxin.people.domain.org import OrgUnit

__all__ = ["NAMESPACE", "Apply", "CellError", "Column", "KindSpec", "Lookups", "choice", "date",
           "derived", "parse", "plain", "text_of", "unit_id", "unit_ref", "uuid_of", "year"]

NAMESPACE = uuid.UUID("6f1c3b0e-2d4a-5e8f-9a7b-1c0d2e3f4a5b")  # never change: ids derive from it


@dataclass(slots=True)
class Lookups:
    """Per-import caches shared by every batch (org units do not change during an import)."""

    _units_named: dict[str, list[OrgUnit]] | None = None

    async def unit(self, uow: UnitOfWork, ref: uuid.UUID | str, name: str) -> OrgUnit:
        """The unit with this id, or the one unit with exactly this name."""
        if isinstance(ref, uuid.UUID):
            found = await uow.org_units.get(ref)
            if found is None:
                raise UnknownOrgUnit(f"no org unit has the id {ref}", field=name)
            return found
        if self._units_named is None:
            self._units_named = {}
            for root in await uow.org_units.roots():
                for unit in await uow.org_units.subtree(root.id):
                    self._units_named.setdefault(unit.name, []).append(unit)
        named = self._units_named.get(ref, [])
        if len(named) != 1:
            raise InvalidInput(f"{ref!r} is neither an org unit id (a UUID) nor the exact name of "
                               f"one unit ({len(named)} units have that name): give its id",
                               field=name)
        return named[0]


Apply = Callable[[UnitOfWork, Mapping[str, Any], Lookups], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class KindSpec:
    columns: Mapping[str, Column]
    apply: Apply  # writes one parsed row: 'created', 'updated' or 'unchanged'; raises first
    from_api: Mapping[str, str]  # field names in use-case errors → column names
    # Groups of optional columns of which the sheet must have at least one.
    any_of: tuple[tuple[str, ...], ...] = ()


unit_id = uuid_of("an org unit id")
# An org unit id, or else a unit's exact name (resolved when the row is applied).
unit_ref = id_or_name


def derived(*parts: object) -> uuid.UUID:
    """A deterministic id from a natural key (never from clear personal data: pass digests)."""
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))
