"""What every tickets use case shares: who is acting, what they may see and act on, and the
clock (injectable, so tests drive deadlines and the scheduler with a fake time)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lianxin.tickets.domain.errors import OutOfScope
from lianxin.tickets.domain.ticket import Ticket

Clock = Callable[[], dt.datetime]
STABILITY_PERMISSION = "stability:read"
CLEARED_ROLES = ("supervisor", "admin", "system")


# How far this process's clock runs ahead of the real one: zero, except in dev and test stacks
# whose operator travelled in time (adapters/dev_clock.py) to take tickets past their deadlines.
_offset = dt.timedelta(0)


def utcnow() -> dt.datetime:
    """Now, for every use case and the scheduler (tests inject their own clock instead)."""
    return dt.datetime.now(dt.UTC) + _offset


def set_clock_offset(offset: dt.timedelta) -> None:
    global _offset
    _offset = offset


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller as the use cases see it. `org_scope`: org unit ids whose subtrees they work in;
    None means everywhere (admins, the system, the importer)."""

    subject: str
    role: str
    org_scope: frozenset[uuid.UUID] | None = None
    permissions: frozenset[str] = frozenset()

    @property
    def is_resident(self) -> bool:
        return self.role == "resident"

    @property
    def cleared(self) -> bool:
        """May see stability-risk items (涉稳) and confidential requesters."""
        return self.role in CLEARED_ROLES or STABILITY_PERMISSION in self.permissions

    def works_at(self, path: Sequence[uuid.UUID]) -> bool:
        """Whether an org unit with this path lies in the caller's scope (staff only)."""
        if self.is_resident:
            return False
        return self.org_scope is None or any(p in self.org_scope for p in path)

    def owns(self, ticket: Ticket) -> bool:
        """The resident (or whoever) who submitted it, or the resident it was recorded for."""
        return ticket.submitted_by == self.subject or (
            ticket.contact.resident_id is not None and str(ticket.contact.resident_id) == self.subject)

    def sees(self, ticket: Ticket) -> bool:
        """Residents see their own tickets; staff those reaching into their scope; stability-risk
        items only the cleared (and whoever recorded them)."""
        if self.owns(ticket):
            return True
        if self.is_resident:
            return False
        if ticket.sensitive and not self.cleared:
            return False
        return self.works_at(ticket.reach)

    def require_at(self, path: Sequence[uuid.UUID], what: str) -> None:
        """OutOfScope (FORBIDDEN) unless the caller may act at this org path."""
        if not self.works_at(path):
            raise OutOfScope(f"{what} lies outside your org scope", field="id")


SYSTEM_ACTOR = Actor(subject="system", role="system")
