"""Importing cadres and pairings with the in-memory unit of work."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.kit.errors import CodedError
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.app.importer import NAMESPACE, SheetRow, import_rows
from lianxin.people.domain import OrgUnitKind
from lianxin.people.domain.cadre import DutyPost, Rank
from lianxin.people.domain.events import CadreRegistered, PairingCreated
from lianxin.people.domain.org import OrgUnitSubkind

COUNTY, TOWN, GUINENG, DEPT, BRANCH = (uuid.UUID(int=i) for i in range(1, 6))
V = str(GUINENG)


@pytest.fixture
async def iuow(uow: Any) -> Any:
    """墨江县 › 联珠镇 › 癸能村 (with its party branch), 县委组织部, and two households."""
    uow.households.uow = uow
    for cmd in (CreateOrgUnit(COUNTY, "墨江县", OrgUnitKind.COUNTY),
                CreateOrgUnit(TOWN, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY),
                CreateOrgUnit(GUINENG, "癸能村", OrgUnitKind.VILLAGE, TOWN),
                CreateOrgUnit(DEPT, "县委组织部", OrgUnitKind.DEPARTMENT, COUNTY),
                CreateOrgUnit(BRANCH, "癸能村党支部", OrgUnitKind.PARTY_ORG, GUINENG,
                              OrgUnitSubkind.BRANCH)):
        await create_org_unit(cmd, uow)
    households = sheet(*({"村/社区 id": V, "户编号": no, "家庭住址": f"癸能村{no}"}
                         for no in ("GN-001", "GN-002")))
    assert (await import_rows("households", households, None, lambda: uow)).created == 2
    uow.committed_events.clear()
    return uow


def sheet(*rows: dict[str, Any]) -> list[SheetRow]:
    return [SheetRow(n, row) for n, row in enumerate(rows, start=2)]


def cadre(**cells: Any) -> dict[str, Any]:
    return {"姓名": "王建国", "工作单位": str(DEPT), "职级": "科级", "是否党员": "是",
            "所在党支部": None, "设岗定责": None, "联系电话": "138-0000-0001", "登录账号": "wangjg",
            **cells}


CADRES = sheet(
    cadre(),
    cadre(姓名="李春花", 工作单位="联珠镇", 职级="一般干部", 是否党员="否", 联系电话=13800000002,
          登录账号=None),
    cadre(姓名="张老四", 工作单位=V, 职级=None, 所在党支部="癸能村党支部", 设岗定责="矛盾调解岗",
          联系电话="13800000003", 登录账号=None),
)


def pairing(**cells: Any) -> dict[str, Any]:
    return {"干部登录账号": "wangjg", "干部 id": None, "干部联系电话": None, "村/社区 id": V,
            "户编号": "GN-001", "联系点": None, "活动 id": None, "结对日期": "2024-03-01", **cells}


async def test_cadres_are_created_once_keyed_by_subject_or_phone_digest(iuow: Any) -> None:
    report = await import_rows("cadres", CADRES, None, lambda: iuow)
    assert (report.created, report.errors) == (3, [])
    people = {c.name: c for c in iuow.cadres.rows.values()}
    wang, li, zhang = people["王建国"], people["李春花"], people["张老四"]
    assert wang.id == uuid.uuid5(NAMESPACE, "cadre/subject/wangjg")
    assert (wang.rank, wang.phone, wang.work_unit_id) == (Rank.SECTION, "13800000001", DEPT)
    # Keyed by the phone's digest: the id never derives from the clear number.
    key = iuow.cadres.phone_key("13800000002")
    assert li.id == uuid.uuid5(NAMESPACE, f"cadre/phone/{key}")
    assert li.id != uuid.uuid5(NAMESPACE, "cadre/phone/13800000002")
    assert (li.work_unit_id, li.party_member) == (TOWN, False)  # the unit found by its name
    assert (zhang.rank, zhang.branch_id, zhang.duty_post) == (None, BRANCH,
                                                              DutyPost.DISPUTE_MEDIATION)
    assert [type(e) for e in iuow.committed_events] == [CadreRegistered] * 3
    again = await import_rows("cadres", CADRES, None, lambda: iuow, batch_size=2)
    assert (again.created, again.unchanged, again.errors) == (0, 3, [])
    assert len(iuow.cadres.rows) == 3 and len(iuow.committed_events) == 3


async def test_bad_cadre_rows_name_the_column_and_write_nothing(iuow: Any) -> None:
    await import_rows("cadres", CADRES[:1], None, lambda: iuow)
    rows = sheet(
        cadre(职级="厅级", 是否党员="也许", 登录账号="a"),
        cadre(联系电话="12345", 登录账号="b"),
        cadre(联系电话=None, 登录账号=None),
        cadre(工作单位="不存在局", 登录账号="c"),
        cadre(设岗定责="治安巡逻岗", 登录账号="d"),
        cadre(职级=None, 是否党员="否", 登录账号="e"),
        cadre(职级="处级"),                                   # wangjg is registered as 科级
        cadre(姓名="赵六", 登录账号="f", 联系电话="13800000009"),  # fine
    )
    report = await import_rows("cadres", rows, None, lambda: iuow)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "职级"), (2, "是否党员"), (3, "联系电话"), (4, "登录账号"), (5, "工作单位"),
        (6, "设岗定责"), (7, "职级"), (8, "职级")]
    assert "does not change" in report.errors[-1].message
    assert "0 units have that name" in report.errors[4].message
    assert (report.created, report.skipped) == (1, 7)
    assert sorted(c.subject for c in iuow.cadres.rows.values()) == ["f", "wangjg"]


async def test_pairings_are_created_once_by_subject_id_or_phone(iuow: Any) -> None:
    await import_rows("cadres", CADRES, None, lambda: iuow)
    zhang = next(c for c in iuow.cadres.rows.values() if c.name == "张老四")
    rows = sheet(
        pairing(),
        pairing(干部登录账号=None, 干部联系电话="13800000002", 户编号=None, 联系点="癸能村"),
        pairing(干部登录账号=None, 户编号="GN-002", 结对日期=dt.datetime(2024, 4, 1),
                **{"干部 id": str(zhang.id)}),
    )
    report = await import_rows("pairings", rows, None, lambda: iuow)
    assert (report.created, report.errors) == (3, [])
    stored = sorted(iuow.pairings.rows.values(), key=lambda p: p.card_no)
    assert [(p.contact_point_id, p.started_on) for p in stored] == [
        (None, dt.date(2024, 3, 1)), (GUINENG, dt.date(2024, 3, 1)), (None, dt.date(2024, 4, 1))]
    assert stored[2].cadre_id == zhang.id and all(p.card_no for p in stored)
    assert [type(e) for e in iuow.committed_events[3:]] == [PairingCreated] * 3
    again = await import_rows("pairings", rows, None, lambda: iuow, batch_size=1)
    assert (again.created, again.unchanged, again.errors) == (0, 3, [])
    assert len(iuow.pairings.rows) == 3 and len(iuow.committed_events) == 6


async def test_bad_pairing_rows_name_the_column(iuow: Any) -> None:
    await import_rows("cadres", CADRES, None, lambda: iuow)
    await import_rows("pairings", sheet(pairing()), None, lambda: iuow)
    li = next(c for c in iuow.cadres.rows.values() if c.name == "李春花")
    rows = sheet(
        pairing(干部登录账号="nobody"),
        pairing(户编号="GN-404"),
        pairing(联系点=V),
        pairing(户编号=None),
        pairing(**{"干部 id": str(li.id)}),
        pairing(结对日期="2024-05-01"),                 # wangjg is already paired with GN-001
        pairing(户编号="GN-002", 结对日期="2024-02-30"),
        pairing(户编号="GN-002", **{"活动 id": str(uuid.UUID(int=99))}),
        pairing(**{"活动 id": str(uuid.UUID(int=99))}),        # the stored one has no campaign
    )
    report = await import_rows("pairings", rows, None, lambda: iuow)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "干部登录账号"), (3, "户编号"), (4, "联系点"), (5, "户编号"), (6, "干部 id"),
        (7, "户编号"), (8, "结对日期"), (9, "活动 id"), (10, "活动 id")]
    assert "already paired" in report.errors[5].message
    assert (report.created, len(iuow.pairings.rows)) == (0, 1)


async def test_a_sheet_without_any_cadre_column_is_refused(iuow: Any) -> None:
    rows = sheet({"村/社区 id": V, "户编号": "GN-001", "结对日期": "2024-03-01"})
    with pytest.raises(CodedError, match="干部登录账号 or 干部 id or 干部联系电话"):
        await import_rows("pairings", rows, None, lambda: iuow)


@pytest.mark.parametrize("kind", ["cadres", "pairings"])
async def test_a_failing_batch_leaves_nothing_of_that_batch(iuow: Any, kind: str) -> None:
    if kind == "pairings":
        await import_rows("cadres", CADRES, None, lambda: iuow)
        iuow.committed_events.clear()
        rows = sheet(pairing(), pairing(户编号="GN-002"),
                     pairing(干部登录账号=None, 干部联系电话="13800000002"),
                     pairing(干部登录账号=None, 干部联系电话="13800000002", 户编号="GN-002"))
    else:
        rows = [*CADRES, *sheet(cadre(姓名="赵六", 登录账号="zl", 联系电话=None))]
    repo = iuow.pairings if kind == "pairings" else iuow.cadres
    real_add, calls = repo.add, []

    async def add_failing_on_the_third(entity: Any) -> Any:
        calls.append(entity.id)
        if len(calls) == 3:
            raise ConnectionError("database went away")
        return await real_add(entity)

    repo.add = add_failing_on_the_third
    with pytest.raises(ConnectionError):
        await import_rows(kind, rows, None, lambda: iuow, batch_size=2)
    assert set(repo.rows) == set(calls[:2]) and len(iuow.committed_events) == 2
    repo.add = real_add
    report = await import_rows(kind, rows, None, lambda: iuow, batch_size=2)
    assert (report.created, report.unchanged) == (2, 2)
