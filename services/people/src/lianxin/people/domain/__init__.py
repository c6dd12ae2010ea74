"""People domain: who — the organisation tree (and, later, residents, cadres, pairings). Stdlib only."""

from lianxin.people.domain.errors import (
           DomainError,
           InvalidOrgUnit,
           OrgUnitIdConflict,
           UnknownParent,
)
from lianxin.people.domain.org import OrgUnit, OrgUnitKind, new_org_unit

__all__ = ["DomainError", "InvalidOrgUnit", "OrgUnit", "OrgUnitIdConflict", "OrgUnitKind",
           "UnknownParent", "new_org_unit"]
