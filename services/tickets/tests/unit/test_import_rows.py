"""Ledger rows (台账导入): cells → a typed row (app/import_rows.py); the checks a row must pass,
the steps that bring it to its recorded state and the fingerprints a re-import compares
(app/import_plan.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.kit.importing.cells import SheetRow, cells_of, map_columns, parse
from lianxin.tickets.app.import_plan import Step, changed_fields, fingerprint, plan, problems, row_values
from lianxin.tickets.app.import_rows import COLUMNS, LedgerRow, ledger_row, moment
from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.ticket import Channel, Kind, Outcome, Satisfaction, Status, Urgency
from tickets_helpers import china

HEADERS = {name: column.header for name, column in COLUMNS.items()}
NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def cells(**given: Any) -> dict[str, Any]:
    """A resolved item's cells (by field), with `given` overriding them."""
    base = {"code": "YX-001", "submitted_at": "2025-03-03", "channel": "入户走访",
            "category": "停水", "place": "玉溪村", "text": "村里停水三天了", "status": "已关闭",
            "accepted_at": "2025-03-03", "department": "县水务局", "dispatched_at": "2025-03-04",
            "resolved_at": "2025-03-10", "outcome": "已解决", "answer": "已恢复供水",
            "answered_at": "2025-03-11", "satisfaction": "满意", "rated_at": "2025-03-12"}
    return {HEADERS[k]: v for k, v in {**base, **given}.items()}


def row_of(**given: Any) -> LedgerRow:
    columns = map_columns("ledger", COLUMNS, None, SheetRow(2, cells(**given)))
    values, bad = parse(COLUMNS, cells_of(SheetRow(2, cells(**given)), columns))
    assert bad == []
    return ledger_row(2, values)


def open_row(status: str) -> dict[str, Any]:
    """Cells of later steps cleared."""
    return {"status": status, "resolved_at": None, "outcome": None, "answer": None,
            "answered_at": None, "satisfaction": None, "rated_at": None}


# --- cells ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "raw", "expected"), [
    ("2025-03-01", None, china(2025, 3, 1, 9)),               # a bare date: 09:00 that day
    ("2025年3月1日", None, china(2025, 3, 1, 9)),
    ("2025/3/1 14:30", None, china(2025, 3, 1, 14, 30)),
    ("2025年3月1日 14时30分", None, china(2025, 3, 1, 14, 30)),
    ("2025-03-01T08:05:09", None, china(2025, 3, 1, 8, 5, 9)),
    ("", dt.datetime(2025, 3, 1), china(2025, 3, 1, 9)),       # Excel's date cell: midnight
    ("", dt.datetime(2025, 3, 1, 15, 45), china(2025, 3, 1, 15, 45)),
    ("", dt.date(2025, 3, 1), china(2025, 3, 1, 9)),
])
def test_dates_and_times_are_read_in_china_time(text: str, raw: Any, expected: dt.datetime) -> None:
    assert moment(text, raw if raw is not None else text) == expected


def test_a_full_row_becomes_typed_values_with_the_defaults() -> None:
    row = row_of(text="  第一行\n第二行  ", kind=None, urgency=None, ledger=None,
                 contact_phone="138-8790-1234", channel="APP")
    assert (row.code, row.channel, row.kind, row.urgency, row.ledger) == (
        "YX-001", Channel.APP, Kind.DEMAND, Urgency.ROUTINE, None)
    assert row.text == "第一行\n第二行"  # verbatim (原汁原味): line breaks kept
    assert row.contact.phone == "13887901234"
    assert (row.status, row.outcome, row.satisfaction) == (
        Status.CLOSED, Outcome.SOLVED, Satisfaction.SATISFIED)
    assert row.place == "玉溪村" and row.department == "县水务局"
    unit = uuid.UUID(int=4)
    assert row_of(place=str(unit)).place == unit


def test_bad_cells_are_all_reported_and_a_phone_is_never_echoed() -> None:
    columns = map_columns("ledger", COLUMNS, None, SheetRow(2, cells()))
    given = cells(channel="飞鸽传书", status="已完成", contact_phone="1388790", code=None,
                  accepted_at="3月3日")
    _, bad = parse(COLUMNS, cells_of(SheetRow(2, given), columns))
    assert [name for name, _ in bad] == ["code", "channel", "contact_phone", "status",
                                         "accepted_at"]
    messages = dict(bad)
    assert "入户走访" in messages["channel"] and "已办结" in messages["status"]
    assert "1388790" not in messages["contact_phone"] and "7 characters" in messages["contact_phone"]


# --- checks --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("given", "expected"), [
    ({}, []),
    ({**open_row("办理中"), "department": None}, []),
    ({"accepted_at": None}, [("accepted_at", "is empty, but 状态 says 已关闭")]),
    ({"outcome": None}, [("outcome", "give 已解决, 部分解决 or 已解释")]),
    ({**open_row("已受理"), "resolved_at": "2025-03-10"},
     [("department", "is given, but 状态 says 已受理"), ("dispatched_at", "is given"),
      ("resolved_at", "is given")]),
    ({"satisfaction": "不满意"}, [("satisfaction", "set 状态 to 已办结 to import it reopened")]),
    ({"status": "已办结", "answer": None, "answered_at": None, "rated_at": None},
     [("satisfaction", "a rating follows the answer")]),
    ({"answer": None}, [("answer", "is empty, but 答复日期 is given")]),
    ({"resolved_at": "2025-03-02"}, [("resolved_at", "2025-03-02 is before 派单日期 2025-03-04")]),
    ({"dispatched_at": "2025-03-04 08:00", "accepted_at": "2025-03-04 10:15"},
     [("dispatched_at", "2025-03-04 08:00 is before 受理日期 2025-03-04 10:15")]),
    ({"rated_at": "2025-08-01"}, [("rated_at", "2025-08-01 is in the future")]),
    ({"status": "merged"}, [("status", "merged items (并单) are not imported")]),
])
def test_a_row_must_agree_with_its_state_and_its_dates_run_forward(
        given: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    found = problems(row_of(**given), HEADERS, NOW)
    assert [name for name, _ in found] == [name for name, _ in expected]
    for (_, message), (_, part) in zip(found, expected, strict=True):
        assert part in message


# --- steps ---------------------------------------------------------------------------------------
def steps(**given: Any) -> list[tuple[str, dt.date]]:
    return [(s.value, at.astimezone(CHINA).date()) for s, at in plan(row_of(**given))]


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2025, month, day)


def test_each_state_is_reached_through_the_steps_a_live_item_takes() -> None:
    assert steps(**open_row("待受理"), accepted_at=None, department=None,
                 dispatched_at=None) == [("record", d(3))]
    assert steps(**open_row("已受理"), department=None, dispatched_at=None) == [("accept", d(3))]
    assert steps(**open_row("已派单"), dispatched_at=None) == [("accept", d(3)),
                                                               ("dispatch", d(3))]
    assert steps(**open_row("办理中")) == [("accept", d(3)), ("dispatch", d(4)), ("start", d(4))]
    resolved = [("accept", d(3)), ("dispatch", d(4)), ("resolve", d(10))]
    assert steps(status="已办结", answer=None, answered_at=None, satisfaction=None,
                 rated_at=None) == resolved
    assert steps(status="已办结", satisfaction=None, rated_at=None) == [*resolved,
                                                                       ("answer", d(11))]
    assert steps() == [*resolved, ("answer", d(11)), ("rate", d(12)), ("close", d(12))]
    assert steps(status="已办结", satisfaction="不满意", rated_at=None) == [
        *resolved, ("answer", d(11)), ("rate", d(11)), ("reopen", d(11))]
    assert steps(satisfaction=None, rated_at=None) == [*resolved, ("answer", d(11)),
                                                       ("close", d(11))]
    assert [s for s, _ in plan(row_of())][-1] is Step.CLOSE


# --- fingerprints --------------------------------------------------------------------------------
def test_a_fingerprint_names_the_changed_cells_and_holds_no_personal_data() -> None:
    place, water = uuid.UUID(int=4), uuid.UUID(int=10)
    first = row_values(row_of(contact_name="张有福", contact_phone="13887901234"), place, water,
                       "water.supply")
    stored = fingerprint(first)
    assert "13887901234" not in stored and "contact" not in stored
    assert all(len(part.split(":")[1]) == 8 for part in stored.split(","))
    assert changed_fields(stored, first) == []
    later = row_values(row_of(contact_name="李四", status="已办结", satisfaction="不满意",
                              rated_at=None), place, water, "water.supply")
    assert changed_fields(stored, later) == ["status", "satisfaction", "rated_at"]
    moved = row_values(row_of(), uuid.UUID(int=5), water, "water.supply")
    assert changed_fields(stored, moved) == ["place"]
