"""Cadre work use cases on the fakes: registering, quotas, pairing rules, visits, scope."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.people.app import work_queries as q
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.app.work import (
    CreateCampaign,
    CreatePairing,
    EndPairing,
    RegisterCadre,
    create_campaign,
    create_pairing,
    end_pairing,
    register_cadre,
)
from lianxin.people.app.work_visits import LogVisit, log_visit
from lianxin.people.domain.cadre import Rank
from lianxin.people.domain.errors import DomainError, IdConflict, InvalidInput, NotFound, OutOfScope
from lianxin.people.domain.events import CadreRegistered, PairingCreated, PairingEnded, VisitLogged
from lianxin.people.domain.org import OrgUnitKind
from lianxin.people.domain.register import Gender, Relation, new_household, new_resident, with_head
from lianxin.people.domain.visit import VisitKind

COUNTY, TOWN_A, VILLAGE_A, TOWN_B, VILLAGE_B, DEPT = (uuid.UUID(int=i) for i in range(1, 7))
DAY = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 3, 10)


def uid(n: int) -> uuid.UUID:
    return uuid.UUID(int=1000 + n)


def scope_of(*roots: uuid.UUID) -> Any:
    return lambda path: any(r in path for r in roots)


async def county(uow: Any) -> None:
    for unit_id, name, kind, parent in [
            (COUNTY, "陆良县", OrgUnitKind.COUNTY, None),
            (TOWN_A, "中枢街道", OrgUnitKind.TOWNSHIP, COUNTY),
            (VILLAGE_A, "石桥村", OrgUnitKind.VILLAGE, TOWN_A),
            (TOWN_B, "马街镇", OrgUnitKind.TOWNSHIP, COUNTY),
            (VILLAGE_B, "雍家村", OrgUnitKind.VILLAGE, TOWN_B),
            (DEPT, "县水务局", OrgUnitKind.DEPARTMENT, COUNTY)]:
        await create_org_unit(CreateOrgUnit(unit_id, name, kind, parent), uow)
    for n, village in enumerate([VILLAGE_A] * 25 + [VILLAGE_B] * 2):
        unit = uow.org_units.rows[village]
        household = new_household(uid(100 + n), unit, f"{n:03d}", f"石桥村{n}号")
        head = new_resident(uid(300 + n), household, name=f"户主{n}", gender=Gender.MALE,
                            birth_year=1960, relation=Relation.HEAD, phone=f"1391234{n:04d}",
                            id_number=None, today=TODAY)
        uow.households.rows[household.id] = with_head(household, head)
        uow.residents.rows[head.id] = head
    await uow.commit()


def household(n: int) -> uuid.UUID:
    return uid(100 + n)  # 0..24 in village A, 25..26 in village B


async def cadre(uow: Any, n: int, rank: Rank | None, unit: uuid.UUID = TOWN_A, **kw: Any) -> uuid.UUID:
    c = await register_cadre(RegisterCadre(uid(n), f"干部{n}", unit, rank,
                                           party_member=kw.pop("party_member", True), **kw), uow)
    return c.id


async def pair(uow: Any, n: int, cadre_id: uuid.UUID, household_no: int, **kw: Any) -> Any:
    return await create_pairing(CreatePairing(uid(n), cadre_id, DAY, household(household_no), **kw),
                                uow)


# --- quotas -----------------------------------------------------------------------------------
async def test_default_quotas_by_rank_and_each_cadres_pairings_against_them(uow: Any) -> None:
    await county(uow)
    division = await cadre(uow, 1, Rank.DIVISION)
    section = await cadre(uow, 2, Rank.SECTION)
    member = await cadre(uow, 3, None)  # party member without office
    for i in range(4):
        await pair(uow, 10 + i, division, i)
    await pair(uow, 20, section, 0)
    await pair(uow, 21, member, 1)

    statuses = await q.quota_statuses(uow, [(division, None), (section, None), (member, None)])

    assert [(s.required, s.actual, s.met, s.shortfall) for s in statuses if s] == [
        (5, 4, False, 1), (3, 1, False, 2), (1, 1, True, 0)]  # Qujing 5/3, members 1
    by_cadre = await q.pairings_by_cadre(uow, [division, section], active_only=True)
    assert [[p.household_id for p in ps] for ps in by_cadre] == [
        [household(i) for i in range(4)], [household(0)]]
    paired_with = await q.pairings_by_household(uow, [household(0), household(1), household(9)], True)
    assert [sorted(p.cadre_id for p in ps) for ps in paired_with] == [
        sorted([division, section]), sorted([division, member]), []]


async def test_a_campaign_minimum_overrides_rank_and_per_rank_figures_apply(uow: Any) -> None:
    await county(uow)
    division, section = await cadre(uow, 1, Rank.DIVISION), await cadre(uow, 2, Rank.SECTION)
    lu = await create_campaign(CreateCampaign(uid(50), "万名干部下基层", COUNTY, DAY,
                                              dt.date(2026, 12, 31), min_households=20), uow)
    per_rank = await create_campaign(CreateCampaign(
        uid(51), "四群教育", COUNTY, DAY, dt.date(2026, 12, 31),
        quota_by_rank={Rank.SECTION: 10}), uow)
    for i in range(20):
        await pair(uow, 10 + i, division, i, campaign_id=lu.id)

    statuses = await q.quota_statuses(uow, [(division, lu.id), (section, lu.id),
                                            (division, per_rank.id), (section, per_rank.id),
                                            (section, uid(99))])

    assert [(s.required, s.actual, s.met) if s else None for s in statuses] == [
        (20, 20, True), (20, 0, False),  # Lu county: at least 20 per cadre, whatever the rank
        (5, 20, True), (10, 0, False),   # ranks the campaign names use its figure, others default
        None]                            # an unknown campaign


# --- pairing rules -----------------------------------------------------------------------------
async def test_pairing_twice_conflicts_ending_then_pairing_again_works_ending_twice_fails(uow: Any) -> None:
    await county(uow)
    c = await cadre(uow, 1, Rank.SECTION)
    first = await pair(uow, 10, c, 0)
    assert first.card_no == "LX-000001"

    with pytest.raises(IdConflict, match="already paired") as err:
        await pair(uow, 11, c, 0)
    assert err.value.details["field"] == "householdId"

    ended = await end_pairing(EndPairing(first.id, DAY + dt.timedelta(days=30), "调整联系户"), uow)
    again = await pair(uow, 12, c, 0)
    assert not ended.active and again.active and again.card_no != first.card_no
    with pytest.raises(InvalidInput, match="already ended"):
        await end_pairing(EndPairing(first.id, DAY + dt.timedelta(days=31), "再次"), uow)
    assert [type(e) for e in uow.committed_events[-3:]] == [PairingCreated, PairingEnded,
                                                            PairingCreated]


async def test_a_retried_pairing_returns_the_stored_one_without_a_second_event(uow: Any) -> None:
    await county(uow)
    c = await cadre(uow, 1, Rank.SECTION)
    first = await pair(uow, 10, c, 0)
    events = len(uow.committed_events)

    again = await pair(uow, 10, c, 0)

    assert again == first and len(uow.committed_events) == events
    with pytest.raises(IdConflict):
        await pair(uow, 10, c, 1)  # same id, other household


# --- visits ------------------------------------------------------------------------------------
def home_visit(n: int, cadre_id: uuid.UUID, households: tuple[uuid.UUID, ...], notes: str = "",
               **kw: Any) -> LogVisit:
    return LogVisit(uid(n), VisitKind.HOME_VISIT, cadre_id, DAY, household_ids=households,
                    notes=notes, **kw)


async def test_a_resent_visit_is_stored_once_and_other_content_conflicts(uow: Any) -> None:
    await county(uow)
    c = await cadre(uow, 1, Rank.STAFF)
    ticket = uuid.uuid4()
    visit = home_visit(60, c, (household(0),), "家里漏雨", ticket_ids=(ticket,))

    first = await log_visit(visit, uow, recorded_by="app", today=TODAY)
    again = await log_visit(visit, uow, recorded_by="app", today=TODAY + dt.timedelta(days=3))

    assert again == first and first.ticket_ids == (ticket,) and first.org_unit_id == VILLAGE_A
    assert len(uow.visits.rows) == 1
    assert [type(e) for e in uow.committed_events].count(VisitLogged) == 1
    with pytest.raises(IdConflict):
        await log_visit(home_visit(60, c, (household(0),), "屋顶已修好"), uow, recorded_by="app",
                        today=TODAY)


@pytest.mark.parametrize("households", [(), (0, 1)])
async def test_a_home_visit_names_exactly_one_household(uow: Any, households: tuple[int, ...]) -> None:
    await county(uow)
    c = await cadre(uow, 1, Rank.STAFF)
    with pytest.raises(InvalidInput, match="exactly one household") as err:
        await log_visit(home_visit(60, c, tuple(household(h) for h in households)), uow,
                        recorded_by="app", today=TODAY)
    assert err.value.details["field"] == "householdIds" and uow.visits.rows == {}


async def test_a_courtyard_meeting_lists_participants_and_households(uow: Any) -> None:
    await county(uow)
    leader, helper = await cadre(uow, 1, Rank.SECTION), await cadre(uow, 2, Rank.VILLAGE_CADRE)
    meeting = LogVisit(uid(60), VisitKind.COURTYARD_MEETING, leader, DAY, org_unit_id=VILLAGE_A,
                       place="村委会院坝", participant_cadre_ids=(helper, leader),
                       household_ids=tuple(household(i) for i in range(5)))
    await log_visit(meeting, uow, recorded_by="app", today=TODAY)

    [[led], [visited]] = [await q.visit_pages_by_cadre(uow, [leader], None, 10),
                          await q.visit_pages_by_household(uow, [household(3)], None, 10)]
    assert led[0].participant_cadre_ids == (helper,) and visited[0].id == uid(60)
    assert await q.visit_pages_by_cadre(uow, [helper], None, 10) == [[]]


# --- scope and bad input -------------------------------------------------------------------------
async def test_writes_outside_the_scope_are_refused_and_write_nothing(uow: Any) -> None:
    await county(uow)
    a = scope_of(TOWN_A)
    b_cadre = await cadre(uow, 2, Rank.SECTION, TOWN_B)
    a_cadre = await cadre(uow, 1, Rank.SECTION, TOWN_A)
    before = (dict(uow.cadres.rows), len(uow.committed_events))

    with pytest.raises(OutOfScope):
        await register_cadre(RegisterCadre(uid(3), "越权", TOWN_B, Rank.STAFF, True), uow, a)
    with pytest.raises(NotFound) as err:  # another township's household looks like no household
        await create_pairing(CreatePairing(uid(10), a_cadre, DAY, household(25)), uow, a)
    assert err.value.details["field"] == "householdId"
    with pytest.raises(NotFound):
        await create_pairing(CreatePairing(uid(11), b_cadre, DAY, household(0)), uow, a)
    with pytest.raises(NotFound):
        await log_visit(home_visit(60, a_cadre, (household(26),)), uow, a, recorded_by="x",
                        today=TODAY)
    assert (uow.cadres.rows, len(uow.committed_events)) == before
    assert uow.pairings.rows == {} and uow.visits.rows == {}


@pytest.mark.parametrize(("cmd", "field"), [
    (RegisterCadre(uid(5), "无级别", TOWN_A, None, party_member=False), "rank"),
    (RegisterCadre(uid(5), "党员", TOWN_A, Rank.STAFF, True, branch_id=VILLAGE_A), "branchId"),
    (RegisterCadre(uid(5), " ", TOWN_A, Rank.STAFF, True), "name"),
    (RegisterCadre(uid(5), "无单位", uid(999), Rank.STAFF, True), "workUnitId"),
])
async def test_bad_cadres_name_the_field_and_write_nothing(uow: Any, cmd: RegisterCadre,
                                                           field: str) -> None:
    await county(uow)
    with pytest.raises(DomainError) as err:
        await register_cadre(cmd, uow)
    assert err.value.details["field"] == field
    assert uow.cadres.rows == {}


async def test_one_sign_in_subject_belongs_to_one_cadre(uow: Any) -> None:
    await county(uow)
    await cadre(uow, 1, Rank.STAFF, subject="wang.jg")
    with pytest.raises(IdConflict) as err:
        await cadre(uow, 2, Rank.STAFF, subject="wang.jg")
    assert err.value.details["field"] == "subject"
    assert [c.name for c in await q.cadres_by_subject(uow, ["wang.jg", "nobody"]) if c] == ["干部1"]
    assert [type(e) for e in uow.committed_events].count(CadreRegistered) == 1


async def test_a_campaign_covers_only_units_inside_its_organiser(uow: Any) -> None:
    await county(uow)
    with pytest.raises(InvalidInput) as err:
        await create_campaign(CreateCampaign(uid(50), "镇活动", TOWN_A, DAY, TODAY,
                                             org_unit_ids=(VILLAGE_B,)), uow)
    assert err.value.details["field"] == "orgUnitIds" and uow.campaigns.rows == {}


# --- pages and cards ---------------------------------------------------------------------------
async def test_cadre_pages_are_keyset_pages_per_unit(uow: Any) -> None:
    await county(uow)
    for n in range(5):
        await cadre(uow, n, Rank.STAFF, TOWN_A if n < 3 else TOWN_B)
    [in_a, in_county] = await q.cadre_pages(uow, [TOWN_A, COUNTY], None, None, 2)
    assert [c.name for c in in_a] == ["干部0", "干部1"] and len(in_county) == 2
    [rest] = await q.cadre_pages(uow, [TOWN_A], None, (in_a[-1].name, in_a[-1].id), 10)
    assert [c.name for c in rest] == ["干部2"]


async def test_the_card_sheet_has_both_parties_of_every_active_household_pairing(uow: Any) -> None:
    await county(uow)
    c = await cadre(uow, 1, Rank.SECTION, DEPT, phone="13812345678")
    await pair(uow, 10, c, 0)
    ended = await pair(uow, 11, c, 1)
    await end_pairing(EndPairing(ended.id, TODAY, "户迁出"), uow)
    await pair(uow, 12, c, 25)  # another township

    sheet = await q.card_sheet(uow, TOWN_A)

    assert [(e.cadre.name, e.cadre_unit.name if e.cadre_unit else None, e.head.name if e.head else
             None, e.place) for e in sheet] == [("干部1", "县水务局", "户主0", "石桥村")]
