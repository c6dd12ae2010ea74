"""The ticket-count rollup: a ticket counts at its unit and at every unit above."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest
from lianxin.assessment.app.projections import (
    CountSubmittedTicket,
    count_submitted_ticket,
    ticket_counts,
)
from lianxin.assessment.domain.rollup import rollup_targets

COUNTY, TOWN, VILLAGE, OTHER = (uuid.UUID(int=i) for i in (1, 2, 3, 4))


class FakeCounts:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, int] = {}

    async def increment(self, org_ids: Sequence[uuid.UUID], by: int = 1) -> None:
        for i in org_ids:
            self.rows[i] = self.rows.get(i, 0) + by

    async def counts(self, org_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        return {i: self.rows[i] for i in org_ids if i in self.rows}


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.ticket_counts = FakeCounts()

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        return None


async def test_ticket_counts_at_every_level_of_its_path() -> None:
    uow = FakeUnitOfWork()
    await count_submitted_ticket(CountSubmittedTicket(uuid.uuid4(), (COUNTY, TOWN, VILLAGE)), uow)
    await count_submitted_ticket(CountSubmittedTicket(uuid.uuid4(), (COUNTY, TOWN)), uow)
    assert await ticket_counts(uow, [COUNTY, TOWN, VILLAGE, OTHER]) == [2, 2, 1, 0]


def test_a_path_that_repeats_a_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="repeats"):
        rollup_targets([COUNTY, TOWN, COUNTY])
