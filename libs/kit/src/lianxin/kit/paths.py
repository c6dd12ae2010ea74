"""Materialised org paths (root → unit ids as a `uuid[]` column, GIN-indexed): the one SQL
statement that re-roots a moved subtree, shared by the owner of the tree and every read model
that copies paths."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession


async def reroot(session: AsyncSession, table: str, column: str, unit_id: uuid.UUID,
                 new_path: Sequence[uuid.UUID], old_path: Sequence[uuid.UUID]) -> int:
    """Every path in `table.column` that passes through `unit_id` gets `new_path` in place of
    its first len(old_path) ids; returns the rows changed. `table`/`column` are our constants,
    never user input."""
    result = await session.execute(sa.text(
        f"UPDATE {table} SET {column} = CAST(:new AS uuid[]) || "
        f"{column}[(:start) : cardinality({column})] WHERE {column} @> ARRAY[CAST(:id AS uuid)]"),
        {"new": list(new_path), "start": len(old_path) + 1, "id": unit_id})
    return int(result.rowcount)  # type: ignore[attr-defined]
