"""Read use cases; each opens its own unit of work and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain import OrgUnit, OrgUnitKind


async def org_units_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[OrgUnit | None]:
    """Units in the order of `ids`, None where unknown (DataLoader contract)."""
    async with uow:
        found = {u.id: u for u in await uow.org_units.get_many(ids)}
    return [found.get(i) for i in ids]


async def children_by_parent(uow: UnitOfWork, parent_ids: Sequence[uuid.UUID]) -> list[list[OrgUnit]]:
    """Children of each parent, in the order of `parent_ids`, sorted by name."""
    async with uow:
        units = await uow.org_units.children_of(parent_ids)
    by_parent: dict[uuid.UUID, list[OrgUnit]] = {p: [] for p in parent_ids}
    for unit in sorted(units, key=lambda u: u.name):
        if unit.parent_id is not None:
            by_parent[unit.parent_id].append(unit)
    return [by_parent[p] for p in parent_ids]


async def root_units(uow: UnitOfWork) -> list[OrgUnit]:
    async with uow:
        return sorted(await uow.org_units.roots(), key=lambda u: u.name)


async def subtree_units(uow: UnitOfWork, root_id: uuid.UUID,
                        kinds: Sequence[OrgUnitKind] = ()) -> list[OrgUnit]:
    """Every unit at or below `root_id` (optionally of some kinds), by depth then name."""
    async with uow:
        units = await uow.org_units.subtree(root_id, kinds)
    return sorted(units, key=lambda u: (len(u.path), u.name))


async def org_unit_history(uow: UnitOfWork, unit_ids: Sequence[uuid.UUID]) -> list[list[dict[str, object]]]:
    """Each unit's versions, oldest first (created, renamed, moved), in the order of `unit_ids`."""
    async with uow:
        found = await uow.org_units.history(unit_ids)
    by_unit: dict[uuid.UUID, list[dict[str, object]]] = {u: [] for u in unit_ids}
    for change in found:
        by_unit[change["org_unit_id"]].append(change)  # type: ignore[index]
    return [by_unit[u] for u in unit_ids]
