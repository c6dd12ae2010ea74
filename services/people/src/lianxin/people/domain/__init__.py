"""People domain: who — the organisation tree, residents and households, cadres, pairings,
visits and campaigns. Standard library only (plus the stdlib-only lianxin.kit.errors)."""

from lianxin.people.domain.errors import (
    DomainError,
    IdConflict,
    InvalidInput,
    InvalidOrgUnit,
    NotFound,
    OrgUnitIdConflict,
    OutOfScope,
    UnknownOrgUnit,
    UnknownParent,
)
from lianxin.people.domain.org import OrgUnit, OrgUnitKind, OrgUnitSubkind, new_org_unit

__all__ = ["DomainError", "IdConflict", "InvalidInput", "InvalidOrgUnit", "NotFound", "OrgUnit",
           "OrgUnitIdConflict", "OrgUnitKind", "OrgUnitSubkind", "OutOfScope", "UnknownOrgUnit",
           "UnknownParent", "new_org_unit"]
