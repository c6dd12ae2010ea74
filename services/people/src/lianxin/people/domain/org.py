"""Organisation tree (组织): county → township → village/community → grid, with departments
and party organisations attached to a level."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace

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


class OrgUnitSubkind(enum.Enum):
    """Finer kind of a township or party organisation."""

    XIANG = "xiang"                    # 乡
    ZHEN = "zhen"                      # 镇
    JIEDAO = "jiedao"                  # 街道
    COMMITTEE = "committee"            # 党委
    GENERAL_BRANCH = "general_branch"  # 党总支
    BRANCH = "branch"                  # 党支部


_SUBKINDS = {
    OrgUnitKind.TOWNSHIP: {OrgUnitSubkind.XIANG, OrgUnitSubkind.ZHEN, OrgUnitSubkind.JIEDAO},
    OrgUnitKind.PARTY_ORG: {OrgUnitSubkind.COMMITTEE, OrgUnitSubkind.GENERAL_BRANCH,
                            OrgUnitSubkind.BRANCH},
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
    subkind: OrgUnitSubkind | None = None

    def same_content(self, other: OrgUnit) -> bool:
        return ((self.parent_id, self.name, self.kind, self.subkind) ==
                (other.parent_id, other.name, other.kind, other.subkind))

    def renamed(self, name: str) -> OrgUnit:
        """The unit under a new name (history keeps the old one)."""
        return replace(self, name=_clean_name(name), version=self.version + 1)

    def moved_under(self, parent: OrgUnit) -> OrgUnit:
        """The unit under a new parent; its subtree's paths follow (see the repository)."""
        if self.id in parent.path:
            raise InvalidOrgUnit(f"cannot move {self.name} under {parent.name}: that unit lies "
                                 "inside its own subtree", field="parentId")
        _check_parent(self.kind, parent)
        return replace(self, parent_id=parent.id, path=(*parent.path, self.id),
                       version=self.version + 1)


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidOrgUnit("name must not be empty", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidOrgUnit(f"name must be at most {MAX_NAME_LENGTH} characters", field="name")
    return name


def _check_parent(kind: OrgUnitKind, parent: OrgUnit | None) -> None:
    parent_kind = parent.kind if parent else None
    if parent_kind not in _ALLOWED_PARENTS[kind]:
        allowed = sorted(k.name if k else "no parent (a root)" for k in _ALLOWED_PARENTS[kind])
        raise InvalidOrgUnit(
            f"a {kind.name} cannot sit under {parent_kind.name if parent_kind else 'no parent'}; "
            f"allowed: {', '.join(allowed)}", field="parentId")


def new_org_unit(unit_id: uuid.UUID, name: str, kind: OrgUnitKind, parent: OrgUnit | None,
                 existing: OrgUnit | None = None,
                 subkind: OrgUnitSubkind | None = None) -> tuple[OrgUnit, bool]:
    """Validate and build a unit; returns (unit, created). A retry with the same id and content
    returns the stored unit with created=False; the same id with other content is a conflict."""
    name = _clean_name(name)
    _check_parent(kind, parent)
    if subkind is not None and subkind not in _SUBKINDS.get(kind, set()):
        allowed = sorted(s.name for s in _SUBKINDS.get(kind, set())) or ["none"]
        raise InvalidOrgUnit(f"a {kind.name} cannot have subkind {subkind.name}; allowed: "
                             f"{', '.join(allowed)}", field="subkind")
    unit = OrgUnit(id=unit_id, parent_id=parent.id if parent else None, name=name, kind=kind,
                   path=(*parent.path, unit_id) if parent else (unit_id,), subkind=subkind)
    if existing is not None:
        if not existing.same_content(unit):
            raise OrgUnitIdConflict(
                f"org unit {unit_id} already exists with other content; use a new id",
                field="id")
        return existing, False
    return unit, True
