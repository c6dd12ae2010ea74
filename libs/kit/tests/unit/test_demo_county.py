"""The demo county generator: deterministic, shaped like the seeds, valid to the API's rules."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from lianxin.kit.devstack.demo import build_county, unit_id
from lianxin.kit.devstack.demo.county import DEMO_TODAY, DemoCounty, Kept
from lianxin.kit.devstack.demo.history import (
    CURRENT_MONTH_ITEMS,
    HEADERS,
    LEVELS,
    PROFILE,
    STEPS,
    Item,
    build_history,
    rows,
)
from lianxin.kit.devstack.demo.register import NEEDS_KINDS
from lianxin.kit.pii import id_check_digit, normalise_id_number, normalise_phone

RANKS = {"COUNTY_LEADER", "DIVISION", "SECTION", "STAFF", "VILLAGE_CADRE"}


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return build_county()


def test_the_same_seed_gives_the_same_inputs_and_another_seed_other_people(county: DemoCounty) -> None:
    again, other = build_county(), build_county(seed=7)

    assert again.ops() == county.ops()
    assert [op.input for op in other.residents] != [op.input for op in county.residents]
    assert [op.input for op in other.units] == [op.input for op in county.units]  # the tree is fixed


def test_ids_are_fixed_and_the_readme_village_keeps_its_id(county: DemoCounty) -> None:
    ids = [op.input.get("id") or op.input["requestId"] for op in county.ops()]  # steps: request ids

    assert len(ids) == len(set(ids))
    assert all(uuid.UUID(i).version == 5 for i in ids)
    assert unit_id(("墨江哈尼族自治县", "碧溪镇", "玉溪村")) == "1d667a44-5085-5603-9d31-1b37daa1b938"
    assert "1d667a44-5085-5603-9d31-1b37daa1b938" in {op.input["id"] for op in county.units}


def _refs(value: object) -> Iterator[str]:
    """Every id an input refers to (keys ending in Id or Ids, nested too; not its own id or
    request id, nor ids the API chooses, which are `Kept`)."""
    if isinstance(value, list):
        for item in value:
            yield from _refs(item)
    if not isinstance(value, dict):
        return
    for key, v in value.items():
        if key.endswith("Ids") and isinstance(v, list):
            yield from (r for r in v if isinstance(r, str))
        elif key.endswith("Id") and key != "requestId" and isinstance(v, str):
            yield v
        else:
            yield from _refs(v)


def test_every_reference_points_to_something_created_before_it(county: DemoCounty) -> None:
    seen: set[str] = set()
    for op in county.ops():
        for ref in _refs(op.input):
            assert ref in seen, op.label
        seen.add(op.input.get("id"))


def test_counts_are_of_the_size_the_brief_asks(county: DemoCounty) -> None:
    counts = county.counts()
    kinds = Counter(op.input["kind"] for op in county.units)
    subkinds = Counter(op.input.get("subkind") for op in county.units)

    assert 300 <= counts["households"] <= 400
    assert counts["residents"] > 2 * counts["households"]
    assert kinds["COUNTY"] == 1 and kinds["TOWNSHIP"] == 5 and kinds["GRID"] >= 4
    assert kinds["VILLAGE"] >= 10 and kinds["COMMUNITY"] >= 4 and kinds["DEPARTMENT"] >= 9
    assert subkinds["ZHEN"] == 4 and subkinds["XIANG"] == 1
    assert subkinds["COMMITTEE"] == 6 and subkinds["BRANCH"] > 10 and subkinds["GENERAL_BRANCH"] > 0
    assert counts["campaigns"] == 2 and counts["cadres"] >= 80


def test_residents_have_valid_numbers_names_and_one_head_per_household(county: DemoCounty) -> None:
    heads = Counter(op.input["householdId"] for op in county.residents
                    if op.input["relation"] == "HEAD")
    numbers = [op.input["idNumber"] for op in county.residents]
    phones = [p for op in (*county.residents, *county.cadres) if (p := op.input.get("phone"))]

    assert set(heads.values()) == {1} and len(heads) == len(county.households)
    assert len(set(numbers)) == len(numbers) and len(set(phones)) == len(phones)
    for op in county.residents:
        number, year = op.input["idNumber"], op.input["birthYear"]
        assert normalise_id_number(number) == number and id_check_digit(number[:17]) == number[17]
        assert number.startswith(f"530822{year}") and int(number[16]) % 2 == (op.input["gender"] == "MALE")
        assert 1900 <= year <= DEMO_TODAY.year
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", op.input["name"]), op.input["name"]
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) and normalise_phone(p) == p for p in phones)


def test_addresses_read_like_chinese_addresses(county: DemoCounty) -> None:
    addresses = [op.input["address"] for op in county.households]

    assert all(re.fullmatch(r"墨江县\w+[镇乡]\w+(村\w组|社区\w+[路街道])\d+号", a) for a in addresses)
    assert any(re.fullmatch(r"墨江县联珠镇癸能村\w组\d+号", a) for a in addresses)


def test_needs_tags_cover_every_kind_on_about_15_percent_some_ended(county: DemoCounty) -> None:
    tagged = {op.input["householdId"] for op in county.needs_tags}
    ended = [op for op in county.needs_tags if op.input["until"]]

    assert {op.input["kind"] for op in county.needs_tags} == set(NEEDS_KINDS)
    assert 0.12 <= len(tagged) / len(county.households) <= 0.18
    assert ended and all(op.input["since"] < op.input["until"] < DEMO_TODAY.isoformat()
                         for op in ended)


def test_every_rank_and_party_members_with_duty_posts(county: DemoCounty) -> None:
    ranks = Counter(op.input["rank"] for op in county.cadres)
    members = [op.input for op in county.cadres if op.input["rank"] is None]

    assert set(ranks) == RANKS | {None}
    assert members and all(m["partyMember"] and m["dutyPost"] and m["branchId"] for m in members)
    assert all(op.input.get("dutyPost") is None for op in county.cadres if op.input["rank"])


def _quota(county: DemoCounty, cadre: dict[str, object]) -> int:
    for campaign in (op.input for op in county.campaigns):
        if cadre["id"] in campaign["cadreIds"]:
            if campaign["minHouseholds"] is not None:
                return int(campaign["minHouseholds"])
            return {q["rank"]: q["households"] for q in campaign["quotaByRank"]}.get(cadre["rank"], 1)
    raise AssertionError(f"cadre {cadre['id']} is in no campaign")


def test_some_cadres_meet_their_quota_some_miss_it_and_some_households_stay_unpaired(
        county: DemoCounty) -> None:
    paired = Counter(op.input["cadreId"] for op in county.pairings if "householdId" in op.input)
    quotas = {op.input["id"]: _quota(county, op.input) for op in county.cadres}
    met = [c for c, q in quotas.items() if paired[c] >= q]
    missed = [c for c, q in quotas.items() if paired[c] < q]
    lu = [c for c, q in quotas.items() if q == 20]
    households = {op.input["id"] for op in county.households}
    unpaired = households - {op.input.get("householdId") for op in county.pairings}

    assert len(met) > len(missed) > 5
    assert len(lu) == 3 and sorted(paired[c] >= 20 for c in lu) == [False, True, True]
    assert 0.1 <= len(unpaired) / len(households) <= 0.4
    assert any("contactPointId" in op.input for op in county.pairings)


def test_visits_of_every_kind_in_the_past_months(county: DemoCounty) -> None:
    kinds = Counter(op.input["kind"] for op in county.visits)
    days = [dt.date.fromisoformat(op.input["visitedOn"]) for op in county.visits]

    assert set(kinds) == {"HOME_VISIT", "COURTYARD_MEETING", "FORUM", "RECEPTION_DAY"}
    assert all(len(op.input["householdIds"]) == 1 for op in county.visits
               if op.input["kind"] == "HOME_VISIT")
    assert all(dt.date(2026, 3, 1) <= d < DEMO_TODAY for d in days)


def test_tickets_spread_over_every_village_from_every_kind_of_channel(county: DemoCounty) -> None:
    submits = [op.input for story in county.tickets for op in story if op.field == "submitTicket"]
    villages = {op.input["id"] for op in county.units if op.input["kind"] in ("VILLAGE", "COMMUNITY")}
    visits = {op.input["id"]: op.input for op in county.visits}
    residents = {op.input["id"]: op.input for op in county.residents}

    assert county.counts()["tickets"] == len(submits) == 60
    assert {t["orgUnitId"] for t in submits} == villages
    assert len({t["text"] for t in submits}) == 60
    assert {"HOME_VISIT", "COURTYARD_MEETING", "RECEPTION_DAY", "HOTLINE", "WECHAT", "WALK_IN",
            "PETITION"} <= {t["channel"] for t in submits}
    on_visits = [t for t in submits if t.get("visitId")]
    assert len(on_visits) >= 8 and all(visits[t["visitId"]]["kind"] == t["channel"]
                                       for t in on_visits)
    assert all(t["contact"]["householdId"] in visits[t["visitId"]]["householdIds"]
               for t in on_visits)
    with_resident = [t for t in submits if (t.get("contact") or {}).get("residentId")]
    assert len(with_resident) > 30 and all(
        residents[t["contact"]["residentId"]]["name"] == t["contact"]["name"] for t in with_resident)
    assert any(t.get("anonymous") for t in submits) and any(t.get("confidential") for t in submits)


def test_every_workflow_step_and_each_stream_ending_with_a_submit(county: DemoCounty) -> None:
    steps = Counter(op.field for story in county.tickets for op in story)
    last = county.waves()[-1]

    assert {"acceptTicket", "escalateTicket", "handleTicketHere", "dispatchTicket", "startTicket",
            "completeTask", "resolveTicket", "explainTicket", "resolveOnTheSpot", "answerTicket",
            "recordReturnVisit", "pauseTicket", "mergeTicket", "blowWhistle", "reportIn",
            "startWhistleTask", "completeWhistleTask"} <= set(steps)
    assert steps["submitTicket"] == 60 and steps["blowWhistle"] == 1 and steps["reportIn"] == 2
    assert len(last) == 4 and all(stream[-1].field == "submitTicket" for stream in last)
    assert sorted(op.input["id"] for stream in last for op in stream if op.field == "submitTicket") \
        == sorted(op.input["id"] for story in county.tickets for op in story
                  if op.field == "submitTicket")
    for stream in last:  # an id the API chooses is kept by an earlier op of the same stream
        keeps: set[str] = set()
        for op in stream:
            needs = {v.name for v in op.input.values() if isinstance(v, Kept)}
            assert needs <= keeps, op.label
            keeps |= {op.keep} if op.keep else set()


# --- the history (台账): months of demands for the assessment to rate and rank ------------------
LOAD_DAY = dt.date(2026, 11, 23)
HOLIDAYS = {dt.date(2026, 10, d) for d in range(1, 8)} | {dt.date(2026, 2, d) for d in range(16, 24)}
MAKE_UP = {dt.date(2026, 10, 10), dt.date(2026, 2, 14)}  # weekend days worked instead (调休)


def workday(day: dt.date) -> bool:
    """A calendar like the service's: weekdays, less a National Day and a Spring Festival week."""
    return day in MAKE_UP or (day.weekday() < 5 and day not in HOLIDAYS)


def _working_days(start: dt.date, end: dt.date) -> int:
    """Working days after start up to and including end."""
    return sum(workday(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))


@pytest.fixture(scope="module")
def history(county: DemoCounty) -> list[Item]:
    return build_history(county, LOAD_DAY, workday)


def test_the_history_is_the_same_for_the_same_day_and_calendar(county: DemoCounty,
                                                              history: list[Item]) -> None:
    again = build_history(county, LOAD_DAY, workday)
    cadres = {op.input["id"]: op.input["name"] for op in county.cadres}
    ledger = rows(history, county.tree, cadres)

    assert rows(again, county.tree, cadres) == ledger
    assert 150 <= len(ledger) <= 250 and len({r["编号"] for r in ledger}) == len(ledger)
    assert [r["编号"] for r in ledger][:2] == ["MJ202609-001", "MJ202609-002"]
    assert all(list(r) == list(HEADERS) for r in ledger)


def test_history_dates_are_working_days_in_order_inside_their_months(history: list[Item]) -> None:
    months = Counter(it.month for it in history)

    assert set(months) == {dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)}
    for it in history:
        times = [it.at[s] for s in STEPS if s in it.at]
        assert times == sorted(times) and list(it.at) == list(STEPS[:len(it.at)]), it.code
        assert all(workday(t.date()) and (t.year, t.month) == (it.month.year, it.month.month)
                   for t in times), it.code
        assert times[-1].date() < LOAD_DAY and it.code.startswith(f"MJ{it.month:%Y%m}-")


def test_each_township_has_the_designed_month_in_each_of_the_two_months(
        county: DemoCounty, history: list[Item]) -> None:
    for township in county.tree.townships:
        for which, month in enumerate((dt.date(2026, 9, 1), dt.date(2026, 10, 1))):
            mine = [it for it in history if it.township == township.name and it.month == month]
            level = LEVELS[PROFILE[township.name][which]]
            closed = [it for it in mine if "rated" in it.at or it.rating in ("", "E")]
            assert len(mine) == len(closed) == 14, (township.name, month)
            assert {it.place.path[:2] for it in mine} == {township.path}
            assert "".join(sorted(it.rating for it in mine if it.rating not in ("", "E"))) == \
                "".join(sorted(level.ratings))
            accept_days = [_working_days(it.at["submitted"].date(), it.at["accepted"].date())
                           for it in mine]
            handle_days = [_working_days(it.at["dispatched"].date(), it.at["resolved"].date())
                           for it in mine]
            # Far from the deadlines (accept within 1 working day, resolve within 10): late is
            # the 2nd day / the 11th or 12th, on time the same or next day / the 2nd to 8th.
            assert sum(d >= 2 for d in accept_days) == level.late_accepts
            assert all(d in (0, 1, 2) for d in accept_days)
            assert sum(d > 10 for d in handle_days) == level.late_resolutions
            assert all(2 <= d <= 8 or 11 <= d <= 12 for d in handle_days)
            assert all(it.late_resolution == (d > 10) for it, d in zip(mine, handle_days, strict=True))


def _satisfaction(history: list[Item], month: dt.date) -> dict[str, float]:
    rated: dict[str, list[str]] = {}
    for it in history:
        if it.month == month and "rated" in it.at:
            rated.setdefault(it.township, []).append(it.rating)
    return {t: sum(r != "D" for r in rs) / len(rs) for t, rs in rated.items()}


def test_the_profile_turns_the_ranking_of_townships_over(history: list[Item]) -> None:
    before, last = (_satisfaction(history, dt.date(2026, m, 1)) for m in (9, 10))
    rank = {t: sorted(before, key=lambda u: -before[u]).index(t) + 1 for t in before}
    now = {t: sorted(last, key=lambda u: -last[u]).index(t) + 1 for t in last}

    assert before == {"联珠镇": 1.0, "通关镇": 11 / 12, "碧溪镇": 10 / 12, "新安镇": 9 / 12,
                      "那哈乡": 7 / 12}
    assert last == {"联珠镇": 10 / 12, "通关镇": 7 / 12, "碧溪镇": 11 / 12, "新安镇": 9 / 12,
                    "那哈乡": 1.0}
    assert len(set(before.values())) == len(set(last.values())) == 5
    assert {t: rank[t] - now[t] for t in rank} == {"联珠镇": -2, "通关镇": -3, "碧溪镇": 1,
                                                    "新安镇": 0, "那哈乡": 4}


def test_the_current_month_runs_to_yesterday_with_open_items(history: list[Item]) -> None:
    current = [it for it in history if it.month == dt.date(2026, 11, 1)]
    statuses = Counter(it.ticket_status for it in current)

    assert len(current) == 5 * CURRENT_MONTH_ITEMS
    assert statuses["CLOSED"] > 0 and statuses["IN_PROGRESS"] > 0
    assert {it.status for it in history if it.rating == "D" and "rated" in it.at} == {"已办结"}
    assert {it.ticket_status for it in history if it.month < dt.date(2026, 11, 1)} == {
        "CLOSED", "ASSIGNED"}  # a dissatisfied rating reopened the item


def test_a_short_month_still_holds_its_items_and_a_first_of_the_month_has_no_current_ones(
        county: DemoCounty) -> None:
    spring = build_history(county, dt.date(2026, 3, 1), workday)  # February: 15 working days

    assert {it.month for it in spring} == {dt.date(2026, 1, 1), dt.date(2026, 2, 1)}
    assert all((t.year, t.month) == (it.month.year, it.month.month)
               for it in spring for t in it.at.values())
