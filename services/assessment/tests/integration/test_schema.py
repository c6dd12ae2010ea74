"""The projection schema: the migration builds `proj` from the same MetaData replay uses."""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.assessment.adapters.schema import create_projection_schema, drop_projection_schema
from lianxin.assessment.adapters.tables import proj_metadata
from sqlalchemy.ext.asyncio import AsyncEngine


async def _tables(engine: AsyncEngine, schema: str) -> dict[str, list[str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = :s ORDER BY table_name, ordinal_position"), {"s": schema})
        out: dict[str, list[str]] = {}
        for table, column in rows:
            out.setdefault(table, []).append(column)
        return out


async def test_migration_and_a_fresh_schema_have_the_same_shape(engine: AsyncEngine) -> None:
    live = await _tables(engine, "proj")
    assert set(live) == {t.name for t in proj_metadata.sorted_tables}
    async with engine.begin() as conn:
        await conn.run_sync(create_projection_schema, "proj_next")
    assert await _tables(engine, "proj_next") == live
    async with engine.begin() as conn:
        await conn.run_sync(drop_projection_schema, "proj_next")
    assert await _tables(engine, "proj_next") == {}
