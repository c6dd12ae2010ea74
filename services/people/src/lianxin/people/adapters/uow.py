"""The people service's SQL unit of work: one transaction, every repository, and the outbox."""

from __future__ import annotations

from lianxin.kit.auth import SYSTEM, Principal
from lianxin.kit.settings import PiiConfig
from lianxin.kit.uow import SqlUnitOfWork
from lianxin.people.adapters.events import TOPIC, to_pending
from lianxin.people.adapters.register_repo import SqlHouseholds, SqlNeedsTags, SqlResidents
from lianxin.people.adapters.repository import SqlOrgUnitRepository
from lianxin.people.adapters.work_repo import SqlCadres, SqlCampaigns, SqlPairings, SqlVisits
from lianxin.people.domain.events import Event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class PeopleUnitOfWork(SqlUnitOfWork):
    topic = TOPIC

    def __init__(self, sessions: async_sessionmaker[AsyncSession], pii: PiiConfig,
                 actor: Principal = SYSTEM, traceparent: str = "") -> None:
        super().__init__(sessions, actor, traceparent)
        self.pii = pii

    def _open(self) -> None:
        self.org_units = SqlOrgUnitRepository(self.session, self.actor.subject)
        self.households = SqlHouseholds(self.session, self.pii)
        self.residents = SqlResidents(self.session, self.pii)
        self.needs_tags = SqlNeedsTags(self.session, self.pii)
        self.cadres = SqlCadres(self.session, self.pii)
        self.campaigns = SqlCampaigns(self.session)
        self.pairings = SqlPairings(self.session)
        self.visits = SqlVisits(self.session)

    def record(self, event: Event) -> None:
        self.emit(to_pending(event))
