"""Expected failures of the tickets domain; `code` becomes the API error's extensions.code."""

from __future__ import annotations

from lianxin.kit.errors import CodedError as DomainError


class UnknownOrgUnit(DomainError):
    code = "UNKNOWN_ORG_UNIT"


class InvalidTicket(DomainError):
    code = "BAD_USER_INPUT"


class TicketIdConflict(DomainError):
    """A retried submit must carry the same content as the first one."""

    code = "CONFLICT"


class OutOfScope(DomainError):
    code = "FORBIDDEN"
