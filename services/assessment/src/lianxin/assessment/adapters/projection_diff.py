"""Comparing two projection schemas table by table — the live `proj` and a rebuilt one — for a
replay's dry run: row counts and the rows only one side has, as multisets, with floats to 1e-9
(sums taken in another order differ in the last bits) and cube rows whose counters are all zero
left out (they hold no figure)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from lianxin.assessment.adapters.tables import PROJ, cube_tables
from lianxin.assessment.app.replay import TableDiff
from lianxin.assessment.domain.measures import COUNTERS
from sqlalchemy.ext.asyncio import AsyncConnection

CUBE_TABLES = frozenset(t.name for t in cube_tables.values())


def _rows(table: sa.Table) -> sa.Select[Any]:
    # Floats are summed in another order when batches differ: compare them to 1e-9.
    cols = [sa.func.round(sa.cast(c, sa.Numeric), 9).label(c.name)
            if isinstance(c.type, sa.Float) else c for c in table.c]
    stmt = sa.select(*cols)
    if table.name in CUBE_TABLES:
        # A cube row whose counters all went back to zero holds no figure; whether it is left
        # behind may depend on how events were batched.
        stmt = stmt.where(sa.or_(*(table.c[c] != 0 for c in COUNTERS)))
    return stmt


async def diff(conn: AsyncConnection, table: sa.Table, other: str) -> TableDiff:
    """Rows of `table` in proj (live) and in schema `other` (rebuilt), and rows only one side
    has (as multisets)."""
    rebuilt = table.to_metadata(sa.MetaData(), schema=other)
    live_rows, next_rows = _rows(table), _rows(rebuilt)

    def count(q: sa.Select[Any] | sa.CompoundSelect[Any]) -> sa.ScalarSelect[Any]:
        return sa.select(sa.func.count()).select_from(q.subquery()).scalar_subquery()

    stmt = sa.select(count(live_rows), count(next_rows),
                     count(live_rows.except_all(next_rows)),
                     count(next_rows.except_all(live_rows)))
    # A replay session points `proj` at the rebuild; name both schemas as they are (options
    # given to execute win over the connection's; a statement's would not).
    row = (await conn.execute(stmt, execution_options={
        "schema_translate_map": {PROJ: PROJ, other: other}})).one()
    return TableDiff(table.name, *row)
