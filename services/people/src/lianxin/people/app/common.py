"""What every people use case shares: the caller's org scope, today in China, and one
transaction around an `*_in` step.

A `scope` says which org paths the caller may see and write at (None: anywhere — the importer
and other system callers).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain.errors import IdConflict, OutOfScope

Scope = Callable[[Sequence[uuid.UUID]], bool]
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # no daylight saving since 1991

C = TypeVar("C")
T = TypeVar("T")


def today() -> dt.date:
    """Today in China: a tag 'active today' flips at local midnight, not UTC's."""
    return dt.datetime.now(CHINA).date()


def visible(scope: Scope | None, path: Sequence[uuid.UUID]) -> bool:
    return scope is None or scope(path)


def check_scope(scope: Scope | None, path: Sequence[uuid.UUID], what: str) -> None:
    """OutOfScope unless the caller may write at this org path."""
    if not visible(scope, path):
        raise OutOfScope(f"{what} lies outside your org scope")


class StaleEntity(IdConflict):
    """Someone else changed the entity between our read and our write (a CONFLICT: retry)."""


def stale(what: str, entity_id: uuid.UUID) -> StaleEntity:
    return StaleEntity(f"{what} {entity_id} was changed by someone else meanwhile; reload it and "
                       "try again", field="id")


async def in_transaction(step: Callable[[C, UnitOfWork, Scope | None], Awaitable[tuple[T, bool]]],
                         cmd: C, uow: UnitOfWork, scope: Scope | None) -> T:
    """Run `step` (a `verb_noun_in`) in its own unit of work; commit only if it wrote something."""
    async with uow:
        result, changed = await step(cmd, uow, scope)
        if changed:
            await uow.commit()
        return result
