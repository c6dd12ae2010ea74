"""What the assessment use cases need from storage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol


class TicketCountRepository(Protocol):
    async def increment(self, org_ids: Sequence[uuid.UUID], by: int = 1) -> None: ...
    async def counts(self, org_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]: ...


class UnitOfWork(Protocol):
    @property
    def ticket_counts(self) -> TicketCountRepository: ...

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None: ...
    async def commit(self) -> None: ...
