"""Spreadsheet import with the in-memory unit of work, and the .csv/.xlsx readers."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lianxin.kit.errors import CodedError
from lianxin.kit.pii import id_check_digit
from lianxin.people.adapters.spreadsheet import read_rows
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.app.importer import NAMESPACE, ImportKind, RowError, SheetRow, import_rows
from lianxin.people.domain import OrgUnitKind
from lianxin.people.domain.events import HouseholdRegistered
from lianxin.people.domain.register import NeedsTagKind, Relation

COUNTY, TOWN, GUINENG, MENGLA = (uuid.UUID(int=i) for i in (1, 2, 3, 4))
V = str(GUINENG)


def id_number(birth: str, seq: str) -> str:
    first17 = f"530822{birth}{seq}"
    return first17 + id_check_digit(first17)


ZHANG, LI = id_number("19620305", "031"), id_number("19650911", "042")
ZHANG_SON = id_number("19900101", "053")


@pytest.fixture
async def iuow(uow: Any) -> Any:
    """墨江县 › 联珠镇 › 癸能村, with the households fake wired to its unit of work."""
    uow.households.uow = uow
    for cmd in (CreateOrgUnit(COUNTY, "墨江县", OrgUnitKind.COUNTY),
                CreateOrgUnit(TOWN, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY),
                CreateOrgUnit(GUINENG, "癸能村", OrgUnitKind.VILLAGE, TOWN)):
        await create_org_unit(cmd, uow)
    uow.committed_events.clear()
    return uow


def sheet(*rows: dict[str, Any]) -> list[SheetRow]:
    return [SheetRow(n, row) for n, row in enumerate(rows, start=2)]


HOUSEHOLDS = sheet(
    {"村/社区 id": V, "户编号": "GN-001", "家庭住址": "联珠镇癸能村一组3号"},
    {"村/社区 id": V, "户编号": "GN-002", "家庭住址": "联珠镇癸能村一组5号"},
    {"村/社区 id": str(TOWN), "户编号": "LZ-001", "家庭住址": "联珠镇街上"},      # a township
    {"村/社区 id": V, "户编号": None, "家庭住址": "联珠镇癸能村二组1号"},
    {"村/社区 id": "癸能村", "户编号": "GN-009", "家庭住址": "联珠镇癸能村二组9号"},
    {"村/社区 id": V, "户编号": "GN-001", "家庭住址": "联珠镇癸能村一组3号"},      # repeated row
)


def resident(**cells: Any) -> dict[str, Any]:
    return {"村/社区 id": V, "户编号": "GN-001", "姓名": "张有福", "性别": "男", "出生年份": 1962,
            "与户主关系": "户主", "联系电话": "138-8790-1234", "身份证号": ZHANG, **cells}


RESIDENTS = sheet(
    resident(),
    resident(姓名="李桂芬", 性别="女", 出生年份="1965年", 与户主关系="妻", 联系电话=None, 身份证号=LI),
    resident(姓名="张小军", 出生年份=1990.0, 与户主关系="长子", 联系电话=13987654321, 身份证号=ZHANG_SON),
    resident(姓名="赵四", 身份证号=ZHANG[:-1] + ("1" if ZHANG[-1] != "1" else "2")),  # check digit
    resident(姓名="钱五", 联系电话="1388790", 身份证号=id_number("19700101", "061")),
    resident(姓名="孙六", 出生年份=1800, 身份证号=id_number("18000101", "071")),
    resident(姓名="周七", 户编号="GN-404", 身份证号=id_number("19800101", "081")),
    resident(姓名="吴八", 性别="未知", 与户主关系="邻居", 身份证号=None),
)


async def test_households_import_reports_bad_rows_and_reimport_creates_nothing(iuow: Any) -> None:
    report = await import_rows("households", HOUSEHOLDS, None, lambda: iuow)
    assert (report.rows, report.created, report.unchanged, report.skipped) == (6, 2, 1, 3)
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "村/社区 id"), (5, "户编号"), (6, "村/社区 id")]
    assert "TOWNSHIP" in report.errors[0].message
    again = await import_rows(ImportKind.HOUSEHOLDS, HOUSEHOLDS, None, lambda: iuow)
    assert (again.created, again.unchanged, len(iuow.households.rows)) == (0, 3, 2)
    assert [type(e) for e in iuow.committed_events] == [HouseholdRegistered] * 2
    ids = set(iuow.households.rows)
    assert uuid.uuid5(NAMESPACE, f"household/{GUINENG}/GN-001") in ids


async def test_a_changed_address_updates_the_household(iuow: Any) -> None:
    await import_rows("households", HOUSEHOLDS[:1], None, lambda: iuow)
    moved = sheet({**HOUSEHOLDS[0].values, "家庭住址": "联珠镇癸能村三组7号"})
    report = await import_rows("households", moved, None, lambda: iuow)
    assert (report.created, report.updated) == (0, 1)
    [household] = iuow.households.rows.values()
    assert household.address == "联珠镇癸能村三组7号" and household.version == 2


async def test_residents_import_validates_each_cell(iuow: Any) -> None:
    await import_rows("households", HOUSEHOLDS[:2], None, lambda: iuow)
    report = await import_rows("residents", RESIDENTS, None, lambda: iuow, batch_size=3)
    assert report.created == 3
    assert [(e.row, e.column) for e in report.errors] == [
        (5, "身份证号"), (6, "联系电话"), (7, "出生年份"), (8, "户编号"),
        (9, "性别"), (9, "与户主关系"), (9, "身份证号")]
    assert "check digit" in report.errors[0].message
    people = {r.name: r for r in iuow.residents.rows.values()}
    assert set(people) == {"张有福", "李桂芬", "张小军"}
    assert people["张小军"].phone == "13987654321" and people["张小军"].birth_year == 1990
    assert people["李桂芬"].relation is Relation.SPOUSE and people["李桂芬"].phone is None
    head = iuow.households.rows[people["张有福"].household_id].head_resident_id
    assert head == people["张有福"].id
    # Ids derive from the keyed digest of the ID number, never from the number itself.
    key = iuow.residents.id_number_key(ZHANG)
    assert people["张有福"].id == uuid.uuid5(NAMESPACE, f"resident/{key}")
    assert people["张有福"].id != uuid.uuid5(NAMESPACE, f"resident/{ZHANG}")
    events = len(iuow.committed_events)
    again = await import_rows("residents", RESIDENTS, None, lambda: iuow, batch_size=3)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(iuow.committed_events) == events


async def test_a_resident_in_another_household_is_reported(iuow: Any) -> None:
    await import_rows("households", HOUSEHOLDS[:2], None, lambda: iuow)
    await import_rows("residents", RESIDENTS[:1], None, lambda: iuow)
    report = await import_rows("residents", sheet(resident(户编号="GN-002")), None, lambda: iuow)
    assert report.errors == [RowError(2, "身份证号", report.errors[0].message)]
    assert "another household" in report.errors[0].message


async def test_needs_tags_import_matches_on_household_kind_and_since(iuow: Any) -> None:
    await import_rows("households", HOUSEHOLDS[:2], None, lambda: iuow)
    tags = sheet(
        {"村/社区 id": V, "户编号": "GN-001", "困难类型": "因病", "开始日期": dt.datetime(2024, 3, 1),
         "结束日期": None},
        {"村/社区 id": V, "户编号": "GN-002", "困难类型": "低保", "开始日期": "2023年7月15日",
         "结束日期": "2024/7/15"},
        {"村/社区 id": V, "户编号": "GN-002", "困难类型": "穷", "开始日期": "2023-02-30",
         "结束日期": None})
    report = await import_rows("needs_tags", tags, None, lambda: iuow)
    assert report.created == 2
    assert [(e.row, e.column) for e in report.errors] == [(4, "困难类型"), (4, "开始日期")]
    kinds = sorted(t.kind.value for t in iuow.needs_tags.rows.values())
    assert kinds == [NeedsTagKind.ILLNESS.value, NeedsTagKind.LOW_INCOME.value]
    assert (await import_rows("needs_tags", tags, None, lambda: iuow)).created == 0
    ended = sheet({**tags[0].values, "结束日期": "2025-01-01"})
    report = await import_rows("needs_tags", ended, None, lambda: iuow)
    assert (report.created, report.updated, len(iuow.needs_tags.rows)) == (0, 1, 2)


async def test_a_failing_batch_leaves_nothing_and_earlier_batches_stay(iuow: Any) -> None:
    rows = sheet(*({"村/社区 id": V, "户编号": f"GN-{i:03d}", "家庭住址": f"联珠镇癸能村{i}号"}
                   for i in range(1, 6)))
    real_add, calls = iuow.households.add, []

    async def add_failing_on_the_fourth(household: Any) -> bool:
        calls.append(household.id)
        if len(calls) == 4:
            raise ConnectionError("database went away")
        return bool(await real_add(household))

    iuow.households.add = add_failing_on_the_fourth
    with pytest.raises(ConnectionError):
        await import_rows("households", rows, None, lambda: iuow, batch_size=2)
    assert sorted(h.household_no for h in iuow.households.rows.values()) == ["GN-001", "GN-002"]
    iuow.households.add = real_add
    seen: list[tuple[int, int]] = []
    report = await import_rows("households", rows, None, lambda: iuow, batch_size=2,
                               progress=lambda done, total: seen.append((done, total)))
    assert (report.created, report.unchanged) == (3, 2)
    assert seen == [(2, 5), (4, 5), (5, 5)]


async def test_a_mapping_renames_columns_and_missing_ones_are_named(iuow: Any) -> None:
    rows = sheet({"村 ID": V, "户号": "GN-001", "住址": "联珠镇癸能村一组3号"})
    mapping = {"org_unit_id": "村 id", "household_no": "户号", "address": "住址"}
    assert (await import_rows("households", rows, mapping, lambda: iuow)).created == 1
    with pytest.raises(CodedError, match="户编号"):
        await import_rows("households", rows, {"org_unit_id": "村 id", "address": "住址"},
                          lambda: iuow)


# --- readers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ","), ("utf-8-sig", ","),
                                                     ("gb18030", ","), ("gb18030", "\t")])
def test_csv_files_in_chinese_encodings(tmp_path: Path, encoding: str, delimiter: str) -> None:
    text = delimiter.join(["户编号", "姓名", "家庭住址"]) + "\r\n" + delimiter.join(
        ["GN-001", "张有福", '"联珠镇癸能村\n一组3号"']) + "\r\n\r\n" + delimiter.join(
        ["GN-002", "李桂芬", "癸能村"]) + "\r\n"
    path = tmp_path / "台账.csv"
    path.write_bytes(text.encode(encoding))
    rows = read_rows(path)
    assert [r.number for r in rows] == [2, 4]
    assert rows[0].values == {"户编号": "GN-001", "姓名": "张有福", "家庭住址": "联珠镇癸能村\n一组3号"}


def test_xlsx_rows_keep_the_numbers_the_sheet_shows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append([])
    ws.append(["户编号", " 姓名 ", None])
    ws.append(["GN-001", "张有福", "备注"])
    ws.append([None, None])
    ws.append(["GN-002", "李桂芬"])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    assert read_rows(path) == [SheetRow(3, {"户编号": "GN-001", "姓名": "张有福"}),
                               SheetRow(5, {"户编号": "GN-002", "姓名": "李桂芬"})]


def test_other_files_and_duplicate_headers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CodedError, match=r"\.xlsx"):
        read_rows(tmp_path / "台账.xls")
    path = tmp_path / "dup.csv"
    path.write_text("姓名,姓名\n张有福,张有福\n", encoding="utf-8")
    with pytest.raises(CodedError, match="姓名"):
        read_rows(path)
