"""A unit of work held open by an importer around several use cases.

Use cases open (`async with uow`) and commit their own transaction. An importer that must run
several of them as one — a row brought through several steps, or a whole dry run — hands them
a `HeldUnitOfWork`: entering it again is a no-op and its `commit` only writes the queued events
and flushes, inside the transaction the importer opened. The importer commits (or, on an error
or in a dry run, rolls back) once, so nothing is half-written."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any

from lianxin.kit.uow import SqlUnitOfWork


class HeldUnitOfWork:
    """A view of an entered unit of work whose enter, exit and commit leave the transaction open
    (the outbox insert is still checked: events are written on `commit`)."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    async def __aenter__(self) -> HeldUnitOfWork:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    async def commit(self) -> None:
        await self._uow.flush_events()
        await self._uow.session.flush()


def held_transactions(make_uow: Callable[[], SqlUnitOfWork], *, commit: bool = True
                      ) -> Callable[[], AbstractAsyncContextManager[Any]]:
    """Factory of one-transaction scopes: each `async with factory() as uow` opens a fresh unit
    of work, yields it held, and commits on a clean exit (unless `commit` is False: a dry run);
    an exception rolls everything of the scope back."""
    @asynccontextmanager
    async def scope() -> AsyncIterator[Any]:
        async with make_uow() as uow:
            yield HeldUnitOfWork(uow)
            if commit:
                await uow.commit()
    return scope
