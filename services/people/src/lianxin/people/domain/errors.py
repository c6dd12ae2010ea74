"""Expected failures of the people domain; `code` becomes the API error's extensions.code.

`lianxin.kit.errors` is the one non-stdlib import the domain may use: it is stdlib-only itself
and gives every service the same error shape.
"""

from __future__ import annotations

from lianxin.kit.errors import CodedError as DomainError


class UnknownParent(DomainError):
    code = "UNKNOWN_ORG_UNIT"


class InvalidOrgUnit(DomainError):
    code = "BAD_USER_INPUT"


class OrgUnitIdConflict(DomainError):
    """The client reused an id for a different org unit (an idempotent retry must match)."""

    code = "CONFLICT"
