"""Who may see which figures: every query names a unit (a subtree, a place, a department or a
cadre's work unit) that must lie inside the caller's org scope. The units come from the
people read model (proj.org_unit, proj.cadre), so a unit the projection has not seen yet is
answered NOT_FOUND with a message that says so, not an empty figure."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from lianxin.assessment.app.metrics import MetricsQuery, MetricsRow
from lianxin.kit.errors import Forbidden, InvalidInput, NotFound

# Roles that read figures (residents read none; "system" passes as admin).
READER_ROLES = ("cadre", "supervisor", "analyst", "screen", "admin")
PUBLISHER_ROLES = ("supervisor", "admin")
# Stability-risk items (涉稳) are shown only to roles cleared for them — the tickets service's
# rule (lianxin.tickets.app.common): these roles, or anyone holding the permission.
CLEARED_ROLES = ("supervisor", "admin", "system")
STABILITY_PERMISSION = "stability:read"
STABILITY_RISK = "stability_risk"  # the kind and the ledger of such items, as in the facts


@dataclass(frozen=True, slots=True)
class Unit:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    kind: str                      # county, township, village, department, …
    path: tuple[uuid.UUID, ...]    # root … the unit itself


@dataclass(frozen=True, slots=True)
class CadreRef:
    id: uuid.UUID
    work_unit_id: uuid.UUID | None
    org_path: tuple[uuid.UUID, ...]


class Viewer(Protocol):
    """The caller (lianxin.kit.auth.Principal fits)."""

    @property
    def is_admin(self) -> bool: ...

    @property
    def org_scope(self) -> tuple[str, ...]: ...

    @property
    def role(self) -> str: ...

    @property
    def permissions(self) -> frozenset[str]: ...

    def sees_path(self, path: Sequence[str]) -> bool: ...


class Directory(Protocol):
    async def units(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Unit]:
        """The known units among `ids`."""
        ...

    async def cadres(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, CadreRef]:
        """The known cadres among `ids`."""
        ...


def _sees(viewer: Viewer, path: Sequence[uuid.UUID]) -> bool:
    return viewer.sees_path([str(u) for u in path])


def check_unit(viewer: Viewer, unit_id: uuid.UUID, unit: Unit | None,
               field: str = "orgUnitId") -> Unit:
    """The unit, if it exists and lies inside the caller's scope (NOT_FOUND / FORBIDDEN)."""
    if unit is None:
        raise NotFound(f"org unit {unit_id} is unknown to the assessment service (it learns "
                       "units from the people service's events; check the id)", field=field)
    if not _sees(viewer, unit.path):
        raise Forbidden(f"org unit {unit.name} ({unit_id}) lies outside your org scope",
                        field=field)
    return unit


async def visible_unit(directory: Directory, viewer: Viewer, unit_id: uuid.UUID,
                       field: str = "orgUnitId") -> Unit:
    """`check_unit` of the unit with this id."""
    return check_unit(viewer, unit_id, (await directory.units([unit_id])).get(unit_id), field)


async def visible_cadre(directory: Directory, viewer: Viewer, cadre_id: uuid.UUID) -> CadreRef:
    """The cadre, if known and working inside the caller's scope (NOT_FOUND / FORBIDDEN)."""
    cadre = (await directory.cadres([cadre_id])).get(cadre_id)
    if cadre is None:
        raise NotFound(f"cadre {cadre_id} is unknown to the assessment service (check the id)",
                       field="cadreId")
    if not _sees(viewer, cadre.org_path):
        raise Forbidden(f"cadre {cadre_id} works outside your org scope", field="cadreId")
    return cadre


def cleared(viewer: Viewer) -> bool:
    """May see stability-risk items (涉稳), even as a group of a figure."""
    return viewer.role in CLEARED_ROLES or STABILITY_PERMISSION in viewer.permissions


def visible_rows(viewer: Viewer, rows: Sequence[MetricsRow]) -> list[MetricsRow]:
    """The rows the caller may see: a row keyed by the stability-risk kind or ledger names such
    items (a village's "1 stability risk" is the item itself), so only the cleared get it. They
    stay counted in totals that do not single them out."""
    if cleared(viewer):
        return list(rows)
    return [r for r in rows if STABILITY_RISK not in (r.keys.get("kind"), r.keys.get("ledger"))]


async def scoped_query(directory: Directory, viewer: Viewer, q: MetricsQuery) -> MetricsQuery:
    """`q` checked against the caller's scope. A non-admin who names no unit gets their own
    subtree (when their scope is one subtree) — never figures beyond it. Filtering on the
    stability-risk kind or ledger needs clearance (FORBIDDEN otherwise)."""
    if STABILITY_RISK in (q.kind, q.ledger) and not cleared(viewer):
        raise Forbidden("figures of stability-risk items (涉稳) need the "
                        f"{STABILITY_PERMISSION!r} permission", field="kind" if q.kind else "ledger")
    anchors = [(q.subtree, "subtreeId"), (q.org_unit, "orgUnitId"),
               (q.department, "departmentId")]
    for unit_id, field in anchors:
        if unit_id is not None:
            await visible_unit(directory, viewer, unit_id, field)
    if q.cadre is not None:
        await visible_cadre(directory, viewer, q.cadre)
    if viewer.is_admin or any(u is not None for u, _ in anchors) or q.cadre is not None:
        return q
    if len(viewer.org_scope) != 1:
        raise InvalidInput("your org scope holds several subtrees "
                           f"({', '.join(viewer.org_scope) or 'none'}): set subtreeId to one",
                           field="subtreeId")
    try:
        root = uuid.UUID(viewer.org_scope[0])
    except ValueError:
        raise InvalidInput("your token's org scope is not a unit id; set subtreeId",
                           field="subtreeId") from None
    return dataclasses.replace(q, subtree=root)
