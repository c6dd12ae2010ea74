"""The tickets service's SQL unit of work."""

from __future__ import annotations

from lianxin.kit.uow import SqlUnitOfWork
from lianxin.tickets.adapters.events import TOPIC, to_pending
from lianxin.tickets.adapters.repository import SqlOrgUnitRefRepository, SqlTicketRepository
from lianxin.tickets.domain.events import Event


class TicketsUnitOfWork(SqlUnitOfWork):
    topic = TOPIC

    def _open(self) -> None:
        self.tickets = SqlTicketRepository(self.session)
        self.org_units = SqlOrgUnitRefRepository(self.session)

    def record(self, event: Event) -> None:
        self.emit(to_pending(event))
