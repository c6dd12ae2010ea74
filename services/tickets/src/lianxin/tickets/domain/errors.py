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


class NotFound(DomainError):
    """A ticket, assignment, whistle, rule … that does not exist or is not the caller's to see."""

    code = "NOT_FOUND"


class IllegalTransition(DomainError):
    """The ticket's state does not allow this step (e.g. rating a ticket not yet answered)."""

    code = "ILLEGAL_TRANSITION"


class StaleTicket(DomainError):
    """Someone changed the ticket between our read and our write: reload and retry."""

    code = "CONFLICT"
