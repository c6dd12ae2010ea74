"""CSV export (BOM so Excel reads 中文, labels as headers, one line per row, unit names) and
the JSON form of a published ranking (read back exactly, infinity included)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import uuid

from lianxin.assessment.app.export import BOM, filename, to_csv
from lianxin.assessment.app.metrics import MetricsQuery, MetricsRow
from lianxin.assessment.app.snapshots import Entry, comparable, from_json, to_json

TOWN = uuid.UUID(int=2)


def test_csv_has_a_bom_labelled_headers_and_a_line_per_row() -> None:
    q = MetricsQuery(group_by=("org_unit", "month", "channel"),
                     measures=("SATISFACTION_RATE", "SUBMITTED"))
    rows = [MetricsRow({"org_unit": TOWN, "month": dt.date(2026, 9, 1), "channel": "hotline"},
                       {"SATISFACTION_RATE": (2 / 3, 2, 3), "SUBMITTED": (5, 5, 1)}, None),
            MetricsRow({"org_unit": TOWN, "month": dt.date(2026, 10, 1), "channel": "wechat"},
                       {"SATISFACTION_RATE": (None, 0, 0), "SUBMITTED": (1, 1, 1)}, None)]
    text = to_csv(q, rows, {TOWN: "甲镇"})
    assert text.startswith(BOM) and "\r\n" in text
    table = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert table == [
        ["组织单位", "组织单位ID", "月份", "渠道", "满意率", "受理量"],
        ["甲镇", str(TOWN), "2026-09", "HOTLINE", "0.6667", "5"],
        ["甲镇", str(TOWN), "2026-10", "WECHAT", "", "1"]]
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    slow = MetricsRow({}, {"P90_HANDLING_DAYS": (math.inf, 9, 10)}, None)
    assert to_csv(MetricsQuery(measures=("P90_HANDLING_DAYS",)), [slow], {}).endswith(
        "90%办理时长\r\n>60\r\n")
    assert filename(q, "2026-H2") == "metrics-2026-H2-by-org_unit-month-channel.csv"


def test_a_snapshot_reads_back_exactly_as_published() -> None:
    entries = [Entry(TOWN, 87.5, 1, 2, 1, {"P90_HANDLING_DAYS": (math.inf, 10, 10),
                                           "SATISFACTION_RATE": (0.1 + 0.2, 3, 10)},
                     dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC))]
    back = from_json(to_json(entries))
    assert list(back) == entries
    assert comparable(back) == comparable(entries)
    moved = [Entry(TOWN, 87.5, 1, 2, 1, {"P90_HANDLING_DAYS": (math.inf, 10, 10),
                                         "SATISFACTION_RATE": (0.4, 4, 10)}, None)]
    assert comparable(moved) != comparable(entries)
