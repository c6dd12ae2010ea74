"""`lianxin-people import` against a real migrated database: a generated workbook, imported
twice (the second run creates nothing), with exit codes and the error report checked."""

from __future__ import annotations

import asyncio
import csv
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_sessions
from lianxin.kit.pii import id_check_digit
from lianxin.kit.service import run_cli
from lianxin.people.adapters.uow import PeopleUnitOfWork
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.domain import OrgUnitKind
from lianxin.people.domain.org import OrgUnitSubkind
from lianxin.people.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
COUNTY, TOWN, GUINENG, DEPT, BRANCH = (uuid.UUID(int=i) for i in range(1, 6))
V = str(GUINENG)
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def id_number(birth: str, seq: str) -> str:
    first17 = f"530822{birth}{seq}"
    return first17 + id_check_digit(first17)


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


SHEETS = {
    "户": [["户号", "家庭住址", "村/社区 id"],  # 户号: renamed by the mapping file
          ["GN-001", "联珠镇癸能村一组3号", V], ["GN-002", "联珠镇癸能村一组5号", V],
          ["LZ-001", "联珠镇街上", str(TOWN)]],
    "人": [["村/社区 id", "户编号", "姓名", "性别", "出生年份", "与户主关系", "联系电话", "身份证号"],
          [V, "GN-001", "张有福", "男", 1962, "户主", 13887901234, id_number("19620305", "031")],
          [V, "GN-002", "王小花", "女", 2012, "孙女", None, id_number("20120601", "062")]],
    "干部": [["姓名", "工作单位", "职级", "是否党员", "所在党支部", "设岗定责", "联系电话", "登录账号"],
            ["王建国", "县委组织部", "科级", "是", None, None, "13800000001", "wangjg"],
            ["李春花", str(TOWN), "一般干部", "否", None, None, "13800000002", None],
            ["张老四", V, None, "是", "癸能村党支部", "矛盾调解岗", "13800000003", None],
            ["赵六", V, "厅级", "是", None, None, None, "zhaoliu"]],
    "结对": [["干部登录账号", "干部联系电话", "村/社区 id", "户编号", "联系点", "结对日期"],
            ["wangjg", None, V, "GN-001", None, "2024-03-01"],
            [None, "13800000002", V, "GN-002", None, "2024年3月1日"],
            [None, "13800000003", None, None, "癸能村", "2024-03-05"]],
}


@pytest.fixture
async def database(migrated_engine: Any, pii: Any,
                   cli_settings: Callable[[AsyncEngine], None]) -> AsyncEngine:
    """A migrated database with the org tree; the CLI's settings point at it."""
    engine: AsyncEngine = await migrated_engine(MIGRATIONS)
    for cmd in (CreateOrgUnit(COUNTY, "墨江县", OrgUnitKind.COUNTY),
                CreateOrgUnit(TOWN, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY),
                CreateOrgUnit(GUINENG, "癸能村", OrgUnitKind.VILLAGE, TOWN),
                CreateOrgUnit(DEPT, "县委组织部", OrgUnitKind.DEPARTMENT, COUNTY),
                CreateOrgUnit(BRANCH, "癸能村党支部", OrgUnitKind.PARTY_ORG, GUINENG,
                              OrgUnitSubkind.BRANCH)):
        await create_org_unit(cmd, PeopleUnitOfWork(make_sessions(engine), pii))
    cli_settings(engine)
    return engine


async def cli(*argv: str | Path) -> int:
    """The console script's entry, on a thread of its own (it runs its own event loop)."""
    return await asyncio.to_thread(run_cli, SPEC, ["import", *map(str, argv)])


async def counts(engine: AsyncEngine) -> tuple[int, ...]:
    async with engine.connect() as conn:
        row = (await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM household), (SELECT count(*) FROM resident), "
            "(SELECT count(*) FROM cadre), (SELECT count(*) FROM pairing), "
            "(SELECT count(*) FROM outbox)"))).one()
    return tuple(row)


async def test_a_workbook_imported_twice_creates_everything_once(
        database: AsyncEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = workbook(tmp_path / "墨江台账.xlsx", SHEETS)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"households": {"household_no": "户号"}}, ensure_ascii=False))
    errors_csv = tmp_path / "errors.csv"
    runs = [("households", "户", 1), ("residents", "人", 0), ("cadres", "干部", 1),
            ("pairings", "结对", 0)]
    # A dry run of the households checks every row and leaves nothing behind.
    assert await cli("households", book, "--sheet", "户", "--mapping", mapping, "--dry-run") == 1
    assert "dry run: everything was rolled back" in capsys.readouterr().out
    assert await counts(database) == (0, 0, 0, 0, 5)
    for attempt in (1, 2):
        for kind, sheet, code in runs:
            assert await cli(kind, book, "--sheet", sheet, "--mapping", mapping, "--batch-size",
                             "2", "--errors-csv", errors_csv) == code, (kind, attempt)
            out, err = capsys.readouterr()
            created = {"households": 2, "residents": 2, "cadres": 3, "pairings": 3}[kind]
            assert f"created {created if attempt == 1 else 0}," in out, out
            assert " rows\n" in err  # the progress bar's last state
            if kind == "cadres":
                with errors_csv.open(encoding="utf-8-sig", newline="") as f:
                    assert list(csv.reader(f)) == [
                        ["row", "column", "message"],
                        ["5", "职级", "'厅级' is not one of 县级领导、处级、科级、一般干部、村干部"]]
                assert "5\t职级\t'厅级' is not one of" in out
            if kind == "households":
                assert "4\t村/社区 id\t" in out
        # Events: 5 units, 2 households, 2 residents + 1 head, 3 cadres, 3 pairings — run 1 only.
        assert await counts(database) == (2, 2, 3, 3, 16)


async def test_bad_usage_exits_2_saying_what_to_fix(
        database: AsyncEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = workbook(tmp_path / "台账.xlsx", SHEETS)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"household_no": 户号}', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        await cli("visits", book)
    assert exit_.value.code == 2 and "invalid choice: 'visits'" in capsys.readouterr().err
    cases = [
        (("households", tmp_path / "missing.xlsx"), "missing.xlsx"),
        (("households", book, "--sheet", "人口"), "no sheet '人口'"),
        (("households", book, "--sheet", "户", "--mapping", bad_json), "not valid JSON"),
        (("households", book, "--sheet", "户"), "no column 户编号"),
        (("cadres", book, "--sheet", "户", "--mapping", book), "not valid JSON"),
    ]
    for argv, message in cases:
        assert await cli(*argv) == 2, argv
        assert message in capsys.readouterr().err, argv
    assert await counts(database) == (0, 0, 0, 0, 5)
