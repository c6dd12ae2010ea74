"""Migration 0005 moves the code counters from county ids to code prefixes: the counters it builds
continue from the highest number already issued under each prefix and year, so no code is ever
handed out twice across the upgrade."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_engine
from lianxin.kit.migrations import upgrade
from lianxin.tickets.main import SPEC

pytestmark = pytest.mark.integration

ISSUED = ["墨江县-2026-000007", "墨江县-2026-000002", "宁洱县-2026-000001", "墨江县-2025-000040",
          "西双-版纳-2026-000003"]   # a prefix may contain '-'
# A ticket row as revision 0004 has it, with only the columns that need a value.
INSERT = sa.text(
    "INSERT INTO ticket (id, org_unit_id, org_path, channel, category, text, submitted_by, "
    "submitted_at, status, version, code, handling_unit_id, handling_path, reach) "
    "VALUES (:id, CAST(:u AS uuid), ARRAY[CAST(:u AS uuid)], 'wechat', 'water', 'x', 'r', :at, "
    "'received', 1, :code, CAST(:u AS uuid), ARRAY[CAST(:u AS uuid)], ARRAY[CAST(:u AS uuid)])")


async def test_the_counters_continue_from_the_codes_already_issued(embedded_pg: Any) -> None:
    name = f"tickets_0005_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(embedded_pg.create_database, name)
    url = embedded_pg.url(name)
    await asyncio.to_thread(upgrade, url, SPEC.migrations_dir, "0004")
    engine = make_engine(url)
    try:
        unit = uuid.uuid4()
        async with engine.begin() as conn:
            await conn.execute(INSERT, [{"id": uuid.uuid4(), "u": unit, "code": code,
                                         "at": dt.datetime.now(dt.UTC)} for code in ISSUED])
        await asyncio.to_thread(upgrade, url, SPEC.migrations_dir, "head")
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text(
                "SELECT prefix, year, last FROM ticket_code_counter"))).all()
        assert {(r.prefix, r.year): r.last for r in rows} == {
            ("墨江县", 2026): 7, ("宁洱县", 2026): 1, ("墨江县", 2025): 40, ("西双-版纳", 2026): 3}
    finally:
        await engine.dispose()
