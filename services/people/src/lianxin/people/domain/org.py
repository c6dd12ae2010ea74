"""Organisation tree (组织): county → township → village/community → grid, with departments
and party organisations attached to a level."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from lianxin.people.domain.errors import InvalidOrgUnit, OrgUnitIdConflict

MAX_NAME_LENGTH = 100


class OrgUnitKind(enum.Enum):
    COUNTY = "county"          # 县
    TOWNSHIP = "township"      # 乡 / 镇 / 街道
    VILLAGE = "village"        # 村
    COMMUNITY = "community"    # 社区
    GRID = "grid"              # 网格 / 民情责任区
    DEPARTMENT = "department"  # 职能部门
    PARTY_ORG = "party_org"    # 党委 / 党总支 / 党支部


# Which kinds a unit of each kind may sit under (None: may be a root).
_ALLOWED_PARENTS: dict[OrgUnitKind, set[OrgUnitKind | None]] = {
    OrgUnitKind.COUNTY: {None},
    OrgUnitKind.TOWNSHIP: {OrgUnitKind.COUNTY},
    OrgUnitKind.VILLAGE: {OrgUnitKind.TOWNSHIP},
    OrgUnitKind.COMMUNITY: {OrgUnitKind.TOWNSHIP},
    OrgUnitKind.GRID: {OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY},
    OrgUnitKind.DEPARTMENT: {OrgUnitKind.COUNTY, OrgUnitKind.TOWNSHIP},
    OrgUnitKind.PARTY_ORG: {OrgUnitKind.COUNTY, OrgUnitKind.TOWNSHIP, OrgUnitKind.VILLAGE,
                            OrgUnitKind.COMMUNITY, OrgUnitKind.DEPARTMENT, OrgUnitKind.PARTY_ORG},
}


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """A node of the tree; `path` holds the ids from the root down to this unit, inclusive."""

    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    kind: OrgUnitKind
    path: tuple[uuid.UUID, ...]
    version: int = 1

    def same_content(self, other: OrgUnit) -> bool:
        return (self.parent_id, self.name, self.kind) == (other.parent_id, other.name, other.kind)


def new_org_unit(unit_id: uuid.UUID, name: str, kind: OrgUnitKind, parent: OrgUnit | None,
                 existing: OrgUnit | None = None) -> tuple[OrgUnit, bool]:
    """Validate and build a unit; returns (unit, created). A retry with the same id and content
    returns the stored unit with created=False; the same id with other content is a conflict."""
    name = " ".join(name.split())
    if not name:
        raise InvalidOrgUnit("name must not be empty", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidOrgUnit(f"name must be at most {MAX_NAME_LENGTH} characters", field="name")
    parent_kind = parent.kind if parent else None
    if parent_kind not in _ALLOWED_PARENTS[kind]:
        allowed = sorted(k.name if k else "no parent (a root)" for k in _ALLOWED_PARENTS[kind])
        raise InvalidOrgUnit(
            f"a {kind.name} cannot sit under {parent_kind.name if parent_kind else 'no parent'}; "
            f"allowed: {', '.join(allowed)}", field="parentId")
    unit = OrgUnit(id=unit_id, parent_id=parent.id if parent else None, name=name, kind=kind,
                   path=(*parent.path, unit_id) if parent else (unit_id,))
    if existing is not None:
        if not existing.same_content(unit):
            raise OrgUnitIdConflict(
                f"org unit {unit_id} already exists with other content; use a new id",
                field="id")
        return existing, False
    return unit, True
