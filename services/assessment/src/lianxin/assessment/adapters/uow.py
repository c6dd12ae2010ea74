"""The assessment service's SQL unit of work (it emits no events yet)."""

from __future__ import annotations

from lianxin.assessment.adapters.repository import SqlTicketCountRepository
from lianxin.kit.uow import SqlUnitOfWork


class AssessmentUnitOfWork(SqlUnitOfWork):
    topic = "assessment.v1"

    def _open(self) -> None:
        self.ticket_counts = SqlTicketCountRepository(self.session)
