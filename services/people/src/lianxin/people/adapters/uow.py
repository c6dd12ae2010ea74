"""The people service's SQL unit of work."""

from __future__ import annotations

from lianxin.kit.uow import SqlUnitOfWork
from lianxin.people.adapters.events import TOPIC, to_pending
from lianxin.people.adapters.repository import SqlOrgUnitRepository
from lianxin.people.domain.events import Event


class PeopleUnitOfWork(SqlUnitOfWork):
    topic = TOPIC

    def _open(self) -> None:
        self.org_units = SqlOrgUnitRepository(self.session)

    def record(self, event: Event) -> None:
        self.emit(to_pending(event))
