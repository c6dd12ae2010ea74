"""Importing a generated .xlsx into a real database, twice: the second run creates nothing."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_sessions
from lianxin.kit.pii import id_check_digit
from lianxin.people.adapters.spreadsheet import read_rows
from lianxin.people.adapters.uow import PeopleUnitOfWork
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.app.importer import import_rows
from lianxin.people.domain import OrgUnitKind
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
COUNTY, TOWN, GUINENG = (uuid.UUID(int=i) for i in (1, 2, 3))
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def id_number(birth: str, seq: str) -> str:
    first17 = f"530822{birth}{seq}"
    return first17 + id_check_digit(first17)


def workbook(path: Path, header: list[str], *rows: list[Any]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "台账"
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


async def test_importing_the_same_workbook_twice_creates_nothing_the_second_time(
        migrated_engine: Any, pii: Any, tmp_path: Path) -> None:
    engine: AsyncEngine = await migrated_engine(MIGRATIONS)
    sessions = make_sessions(engine)
    for cmd in (CreateOrgUnit(COUNTY, "墨江县", OrgUnitKind.COUNTY),
                CreateOrgUnit(TOWN, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY),
                CreateOrgUnit(GUINENG, "癸能村", OrgUnitKind.VILLAGE, TOWN)):
        await create_org_unit(cmd, PeopleUnitOfWork(sessions, pii))
    v = str(GUINENG)
    zhang = id_number("19620305", "031")
    files = {
        "households": workbook(tmp_path / "户.xlsx", ["户编号", "家庭住址", "村/社区 id"],
                               ["GN-001", "联珠镇癸能村一组3号", v], ["GN-002", "联珠镇癸能村一组5号", v],
                               ["LZ-001", "联珠镇街上", str(TOWN)]),
        "residents": workbook(
            tmp_path / "人.xlsx", ["村/社区 id", "户编号", "姓名", "性别", "出生年份", "与户主关系",
                                   "联系电话", "身份证号"],
            [v, "GN-001", "张有福", "男", 1962, "户主", 13887901234, zhang],
            [v, "GN-001", "李桂芬", "女", 1965, "妻", None, id_number("19650911", "042")],
            [v, "GN-002", "王小花", "女", 2012, "孙女", None, id_number("20120601", "062")],
            [v, "GN-002", "错号", "男", 1970, "户主", None, zhang[:-1] + "0" if zhang[-1] != "0"
             else zhang[:-1] + "1"]),
        "needs_tags": workbook(tmp_path / "困难.xlsx", ["村/社区 id", "户编号", "困难类型", "开始日期"],
                               [v, "GN-001", "因病", "2024-03-01"],
                               [v, "GN-002", "留守儿童", "2023年9月1日"]),
    }
    outcomes = {}
    for attempt in (1, 2):
        for kind, path in files.items():
            report = await import_rows(kind, read_rows(path), None,
                                       lambda: PeopleUnitOfWork(sessions, pii), batch_size=2)
            outcomes[kind, attempt] = (report.created, report.unchanged,
                                       [(e.row, e.column) for e in report.errors])
    assert outcomes == {
        ("households", 1): (2, 0, [(4, "村/社区 id")]), ("households", 2): (0, 2, [(4, "村/社区 id")]),
        ("residents", 1): (3, 0, [(5, "身份证号")]), ("residents", 2): (0, 3, [(5, "身份证号")]),
        ("needs_tags", 1): (2, 0, []), ("needs_tags", 2): (0, 2, [])}
    async with engine.connect() as conn:
        counts = (await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM household), (SELECT count(*) FROM resident), "
            "(SELECT count(*) FROM needs_tag), (SELECT count(*) FROM outbox), "
            "(SELECT string_agg(t::text, '') FROM resident t)"))).one()
    # 3 units + 2 households + 3 residents + 1 head + 2 tags, all from the first run.
    assert tuple(counts[:4]) == (2, 3, 2, 11)
    assert zhang not in counts[4] and "13887901234" not in counts[4]
