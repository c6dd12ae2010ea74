"""INSERT … SELECT FROM unnest(arrays): many rows in one statement, one parameter per column.

Why: a multi-row VALUES statement is built and compiled anew for every chunk (its shape
depends on the row count) and binds one parameter per cell; an executemany runs the
statement once per row on the server. With one array per column the statement is the same
whatever the row count (compiled once, prepared once by asyncpg), the arrays are encoded by
asyncpg's C codecs, and the server inserts the rows in one go, in the arrays' order (lock
order, for writers that sort their rows). Scalar columns only: unnest flattens arrays of
arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert


@cache
def unnest_insert(table: sa.Table, columns: tuple[str, ...]) -> Insert:
    """`INSERT INTO table (columns) SELECT * FROM unnest(:columns…)`; execute it with
    `{column: [values…]}` (`columns(…)` builds that). Add ON CONFLICT to the result."""
    arrays = [sa.cast(sa.bindparam(c), ARRAY(table.c[c].type)) for c in columns]
    rows = sa.func.unnest(*arrays).table_valued(*columns).render_derived()
    return insert(table).from_select(list(columns), sa.select(*(rows.c[c] for c in columns)))


def columns(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, list[Any]]:
    """Row tuples (in `names` order) → the parameters of `unnest_insert`: a list per column."""
    if not rows:
        return {n: [] for n in names}
    return {n: list(values) for n, values in zip(names, zip(*rows, strict=True), strict=True)}
