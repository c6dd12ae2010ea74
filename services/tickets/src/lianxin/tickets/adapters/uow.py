"""The tickets service's SQL unit of work: one transaction, every repository, and the outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from lianxin.kit.auth import SYSTEM, Principal
from lianxin.kit.settings import PiiConfig
from lianxin.kit.uow import SqlUnitOfWork
from lianxin.tickets.adapters.analytics_repo import SqlTicketAnalytics
from lianxin.tickets.adapters.assignment_repo import SqlAssignments
from lianxin.tickets.adapters.events import TOPIC, to_pending
from lianxin.tickets.adapters.extension_repo import SqlExtensions
from lianxin.tickets.adapters.live import LiveBatch
from lianxin.tickets.adapters.merge_repo import SqlMergeReads
from lianxin.tickets.adapters.people_refs import SqlCadreRefs, SqlPairingRefs
from lianxin.tickets.adapters.reads import SqlTicketReads
from lianxin.tickets.adapters.repository import (
    SqlHistoryRepository,
    SqlOrgUnitRefRepository,
    SqlTicketRepository,
)
from lianxin.tickets.adapters.sla_repo import SqlAlerts, SqlCalendar, SqlNotices, SqlSlaPolicies
from lianxin.tickets.adapters.taxonomy_repo import SqlCategories, SqlRoutingRules
from lianxin.tickets.adapters.whistle_repo import SqlWhistles
from lianxin.tickets.domain.events import Event
from lianxin.tickets.domain.ticket import Ticket
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class TicketsUnitOfWork(SqlUnitOfWork):
    topic = TOPIC
    tickets: SqlTicketRepository
    reads: SqlTicketReads
    analytics: SqlTicketAnalytics
    history: SqlHistoryRepository
    org_units: SqlOrgUnitRefRepository
    assignments: SqlAssignments
    whistles: SqlWhistles
    calendar: SqlCalendar
    sla_policies: SqlSlaPolicies
    alerts: SqlAlerts
    notices: SqlNotices
    categories: SqlCategories
    routing_rules: SqlRoutingRules
    cadres: SqlCadreRefs
    pairings: SqlPairingRefs
    extensions: SqlExtensions
    merges: SqlMergeReads

    def __init__(self, sessions: async_sessionmaker[AsyncSession], pii: PiiConfig,
                 actor: Principal = SYSTEM, traceparent: str = "") -> None:
        super().__init__(sessions, actor, traceparent)
        self.pii = pii

    def _open(self) -> None:
        self.tickets = SqlTicketRepository(self.session, self.pii)
        self.reads = SqlTicketReads(self.session, self.pii)
        self.analytics = SqlTicketAnalytics(self.session, self.pii)
        self.live = LiveBatch()  # the live ticket feed (adapters/live.py), sent at commit
        self.history = SqlHistoryRepository(self.session)
        self.org_units = SqlOrgUnitRefRepository(self.session)
        self.assignments = SqlAssignments(self.session)
        self.whistles = SqlWhistles(self.session)
        self.calendar = SqlCalendar(self.session)
        self.sla_policies = SqlSlaPolicies(self.session)
        self.alerts = SqlAlerts(self.session)
        self.notices = SqlNotices(self.session)
        self.categories = SqlCategories(self.session)
        self.routing_rules = SqlRoutingRules(self.session)
        self.cadres = SqlCadreRefs(self.session)
        self.pairings = SqlPairingRefs(self.session, self.pii.link_token_secret)
        self.extensions = SqlExtensions(self.session)
        self.merges = SqlMergeReads(self.session, self.pii)

    def record(self, event: Event, occurred_at: dt.datetime | None = None,
               about: Ticket | None = None) -> None:
        self.emit(replace(to_pending(event), occurred_at=occurred_at))
        self.live.add(event, occurred_at, about)

    async def commit(self) -> None:
        # pg_notify is transactional: subscribers hear of the events only if this commits.
        await self.live.flush(self.session)
        await super().commit()
