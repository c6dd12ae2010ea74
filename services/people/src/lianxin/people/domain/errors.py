"""Expected failures of the people domain; `code` becomes the API error's extensions.code.

`lianxin.kit.errors` is the one non-stdlib import the domain may use: it is stdlib-only itself
and gives every service the same error shape.
"""

from __future__ import annotations

from lianxin.kit.errors import CodedError as DomainError


class UnknownParent(DomainError):
    code = "UNKNOWN_ORG_UNIT"


class UnknownOrgUnit(DomainError):
    code = "UNKNOWN_ORG_UNIT"


class NotFound(DomainError):
    """A referenced household, resident, cadre, pairing or campaign does not exist (or is
    outside the caller's scope, which must look the same)."""

    code = "NOT_FOUND"


class InvalidInput(DomainError):
    code = "BAD_USER_INPUT"


class InvalidOrgUnit(InvalidInput):
    pass


class IdConflict(DomainError):
    """The client reused an id for different content (an idempotent retry must match)."""

    code = "CONFLICT"


class OrgUnitIdConflict(IdConflict):
    pass


class OutOfScope(DomainError):
    """The caller may not write here: the unit lies outside their org scope."""

    code = "FORBIDDEN"
