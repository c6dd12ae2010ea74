"""A GraphQL query's sessions read without a transaction; everything else keeps one."""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.kit.db import READ_ONLY, make_sessions
from sqlalchemy.ext.asyncio import AsyncEngine

# now() is the transaction's start: equal twice inside one transaction, apart in autocommit.
TWICE = "SELECT now() AS a, pg_sleep(0.01) AS s", "SELECT now() AS b"


async def two_nows(engine: AsyncEngine, **kw: object) -> tuple[object, object]:
    async with make_sessions(engine)() as session:
        if kw:
            await session.connection(execution_options=kw)
        first = await session.scalar(sa.text(TWICE[0]))
        second = await session.scalar(sa.text(TWICE[1]))
        await session.rollback()
    return first, second


async def test_a_query_reads_statement_by_statement(engine: AsyncEngine) -> None:
    token = READ_ONLY.set(True)
    try:
        first, second = await two_nows(engine)
    finally:
        READ_ONLY.reset(token)
    assert first != second


async def test_writes_and_snapshots_keep_their_transaction(engine: AsyncEngine) -> None:
    first, second = await two_nows(engine)
    assert first == second
    token = READ_ONLY.set(True)
    try:  # a read that asks for one snapshot still gets it inside a query
        first, second = await two_nows(engine, isolation_level="REPEATABLE READ")
    finally:
        READ_ONLY.reset(token)
    assert first == second
