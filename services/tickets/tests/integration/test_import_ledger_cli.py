"""`lianxin-tickets import ledger` against the seeded database: the example ledger imported
twice (the second run creates nothing), a renamed-header sheet with a mapping file, the error
report, and bad usage exiting 2 with a message saying what to fix."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from lianxin.kit.service import run_cli
from lianxin.tickets.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def database(seeded_engine: AsyncEngine, cli_settings: Callable[[AsyncEngine], None]
             ) -> AsyncEngine:
    """The seeded county; the CLI's settings point at it."""
    cli_settings(seeded_engine)
    return seeded_engine


async def cli(*argv: str | Path) -> int:
    """The console script's entry, on a thread of its own (it runs its own event loop)."""
    return await asyncio.to_thread(run_cli, SPEC, ["import", "ledger", *map(str, argv)])


async def counts(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as conn:
        return tuple((await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM ticket), (SELECT count(*) FROM outbox)"))).one())


async def test_the_example_ledger_imports_once(
        database: AsyncEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = EXAMPLES / "ledger.csv"
    assert await cli(example, "--county", "墨江县", "--dry-run") == 0
    assert "created 10, unchanged 0, skipped 0 (dry run: nothing was written)" in \
        capsys.readouterr().out
    assert await counts(database) == (0, 0)
    assert await cli(example, "--source", "玉溪村台账") == 0
    out, err = capsys.readouterr()
    assert "ledger: 10 rows: created 10, unchanged 0, skipped 0\n" in out
    assert err.endswith("] 10/10 rows\n")  # the progress bar's last state
    tickets, events = await counts(database)
    assert tickets == 10 and events > 10
    assert await cli(example, "--source", "玉溪村台账") == 0
    assert "created 0, unchanged 10" in capsys.readouterr().out
    assert await counts(database) == (tickets, events)


async def test_a_mapped_workbook_with_errors_and_bad_usage(
        database: AsyncEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = EXAMPLES / "ledger-mapping.json"
    renamed = json.loads(mapping.read_text(encoding="utf-8"))
    with (EXAMPLES / "ledger.csv").open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    defaults = {"编号": "code", "登记日期": "submitted_at", "村/社区": "place", "诉求内容": "text",
                "责任单位": "department", "办结日期": "resolved_at", "满意度": "satisfaction"}
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append([renamed[defaults[h]] if h in defaults else h for h in header])
    for row in rows[:3]:
        ws.append(row)
    ws.append(["YX-X", "2025-03-01", "飞鸽传书", *rows[0][3:]])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    errors_csv = tmp_path / "errors.csv"
    assert await cli(path, "--mapping", mapping, "--errors-csv", errors_csv) == 1
    out = capsys.readouterr().out
    assert "created 3, unchanged 0, skipped 1" in out and "5\t渠道\t'飞鸽传书' is not one of" in out
    with errors_csv.open(encoding="utf-8-sig", newline="") as f:
        assert [r[:2] for r in csv.reader(f)] == [["row", "column"], ["5", "渠道"]]

    cases = [((path,), "no column 编号"),
             ((EXAMPLES / "ledger.csv", "--county", "联珠镇"), "county 联珠镇: 0 counties"),
             ((tmp_path / "missing.csv",), "missing.csv"),
             ((path, "--mapping", path), "not valid JSON"),
             ((path, "--mapping", mapping, "--errors-csv", tmp_path / "no" / "e.csv"),
              "does not exist")]
    for argv, message in cases:
        assert await cli(*argv) == 2, argv
        assert message in capsys.readouterr().err, argv
    assert (await counts(database))[0] == 3
