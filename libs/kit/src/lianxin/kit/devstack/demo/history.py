"""The demo county's history (台账): about 180 demands over the two calendar months before the
load and the current month up to yesterday, so the assessment service has months to rate and
townships to rank. Live mutations are stamped with the time of the request, so the history goes
in as a county's ledger would: `lianxin-tickets import ledger` records each item's steps on the
days the ledger gives, emitting the events live steps emit (a subprocess with the stack's
environment: the kit never imports a service).

The profile. In each of the two full months every township works at a quality level (1 best),
and the levels turn over between the months, so the monthly ranking shows rank change (赛马):

    township   month −2   month −1           LEVELS: of 12 rated items   satisfaction
    联珠镇        1          3   falls          1: 11 满意  1 基本  0 不满意   12/12 100%
    通关镇        2          5   falls to last  2:  9 满意  2 基本  1 不满意   11/12  91.7%
    碧溪镇        3          2   rises          3:  7 满意  3 基本  2 不满意   10/12  83.3%
    新安镇        4          4   holds          4:  5 满意  4 基本  3 不满意    9/12  75%
    那哈乡        5          1   rises to top   5:  3 满意  4 基本  5 不满意    7/12  58.3%

A township's month has 14 items: the 12 rated ones, one explained as unreasonable (已解释, answered,
never rated) and one answered but never rated (no contact to call back). Late acceptance and late
resolution fall on the worst-rated items: level 1 has none, then 1/1, 2/3, 3/5, 5/7 — so of
the 14, levels 1–5 have 14, 13, 12, 11, 9 accepted in time and 14, 13, 11, 9, 7 resolved in time.
Every item of a full month lives inside it (submitted, handled, answered and rated before the
month ends), so its figures are the same whichever date the assessment counts an item by. A
dissatisfied item is reopened (the ledger's 已办结 with 不满意) and stays open. The current month
has 8 items per township at its month −1 level, cut at yesterday: the later ones are still open.

Dates are working days of the tickets service's own calendar (`calendarDays`), times of the office
day; the deadlines are the default SLA policy's: accept within 1 working day (late: on the 2nd),
resolve within 10 of the dispatch (on time: 2–8, late: 11–12), answer within 3 (always the same or
next day) — far from the line either way.

The ledger is generated once per data folder (dates follow the first load) and kept there as
`demo-ledger.csv`; `demo-ledger.imported` records a complete import, so a restart reads one file.
Importing it again creates nothing (ticket ids derive from the county, SOURCE and the 编号).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import os
import random
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lianxin.kit.devstack.demo import names
from lianxin.kit.devstack.demo.county import (
    DEMO_SEED,
    DemoCounty,
    Tree,
    Unit,
    build_county,
    demo_id,
    unit_id,
)
from lianxin.kit.devstack.demo.load import DemoLoadError, post_graphql
from lianxin.kit.devstack.demo.tickets import LEADS, NEEDY, fits
from lianxin.kit.devstack.services import service_binary

if TYPE_CHECKING:
    from lianxin.kit.devstack.stack import DevStack

SOURCE = "墨江县民情台账"  # the import's --source: the ledger the 编号 belong to; never change it
LEDGER_FILE, DONE_FILE = "demo-ledger.csv", "demo-ledger.imported"
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
# Township → its level in month −2 and in month −1.
PROFILE = {"联珠镇": (1, 3), "通关镇": (2, 5), "碧溪镇": (3, 2), "新安镇": (4, 4), "那哈乡": (5, 1)}
CURRENT_MONTH_ITEMS = 8  # per township: 6 of the level's rated items, the explained, the unrated


@dataclass(frozen=True)
class Level:
    """A month's work at one quality: the rated items' ratings (满意 S, 基本满意 B, 不满意 D, best
    first) and how many of them, from the worst, were accepted late and resolved late."""

    ratings: str
    late_accepts: int
    late_resolutions: int


LEVELS = {1: Level("SSSSSSSSSSSB", 0, 0), 2: Level("SSSSSSSSSBBD", 1, 1),
          3: Level("SSSSSSSBBBDD", 2, 3), 4: Level("SSSSSBBBBDDD", 3, 5),
          5: Level("SSSBBBBDDDDD", 5, 7)}
_SATISFACTION = {"S": "满意", "B": "基本满意", "D": "不满意"}
_KINDS = {"DEMAND": "诉求", "SUGGESTION": "意见建议", "HELP": "求助", "COMPLAINT": "投诉",
          "CONSULTATION": "咨询", "DISPUTE": "矛盾纠纷"}
_CHANNELS = ("电话", "入户走访", "微信", "窗口来访", "院坝会", "电话", "接待日", "意见箱", "小程序")
HEADERS = ("编号", "登记日期", "渠道", "类别", "性质", "台账", "紧急程度", "村/社区", "诉求内容",
           "联系人", "联系电话", "状态", "受理日期", "责任单位", "责任人", "派单日期", "办结日期",
           "办理结果", "办理情况", "答复内容", "答复日期", "满意度", "回访日期")
STEPS = ("submitted", "accepted", "dispatched", "resolved", "answered", "rated")


@dataclass
class Item:
    """One ledger item: what was asked, and when each step happened (China time; a step not
    reached by yesterday is absent)."""

    township: str
    month: dt.date  # its month's first day
    place: Unit
    category: str
    kind: str
    text: str
    rating: str  # S, B or D; "" never rated, "E" explained as unreasonable
    channel: str
    urgency: str
    late_accept: bool = False
    late_resolution: bool = False
    contact: tuple[str, str | None] | None = None
    at: dict[str, dt.datetime] = field(default_factory=dict)
    code: str = ""

    @property
    def status(self) -> str:
        """The ledger's 状态."""
        if "rated" in self.at:
            return "已办结" if self.rating == "D" else "已关闭"  # not satisfied: reopened (ASSIGNED)
        if "answered" in self.at:
            return "已关闭" if self.rating in ("", "E") else "已办结"  # else waiting for the rating
        if "resolved" in self.at:
            return "已办结"
        return "办理中" if "dispatched" in self.at else "已受理" if "accepted" in self.at else "待受理"

    @property
    def ticket_status(self) -> str:
        """What the tickets service shows once it is imported."""
        if self.rating == "D" and "rated" in self.at:
            return "ASSIGNED"
        return {"已关闭": "CLOSED", "已办结": "RESOLVED", "办理中": "IN_PROGRESS",
                "已受理": "ACCEPTED", "待受理": "RECEIVED"}[self.status]


def build_history(county: DemoCounty, today: dt.date, workday: Callable[[dt.date], bool],
                  seed: int = DEMO_SEED) -> list[Item]:
    """The ledger's items in the order of their codes (by submission), the same for the same
    county, day and calendar."""
    rng = random.Random(f"{seed}/history")
    this = today.replace(day=1)
    last = (this - dt.timedelta(days=1)).replace(day=1)
    before = (last - dt.timedelta(days=1)).replace(day=1)
    heads = _heads(county)
    items: list[Item] = []
    for month, end, which in ((before, last, 0), (last, this, 1), (this, today, 1)):
        days = [d for d in _dates(month, end) if workday(d)]
        if not days:  # the load is on the month's first working day: nothing yet this month
            continue
        for township in county.tree.townships:
            level = LEVELS[PROFILE[township.name][which]]
            n = len(level.ratings)
            rated = [(r, i >= n - level.late_accepts, i >= n - level.late_resolutions)
                     for i, r in enumerate(level.ratings)]
            plan = (rated[::2] if month == this else rated) + [("E", False, False),
                                                                ("", False, False)]
            villages = [v for v in county.tree.villages if v.path[:2] == township.path]
            for i, (rating, late_accept, late_resolution) in enumerate(plan):
                item = _item(rng, township.name, month, villages[i % len(villages)], rating,
                             heads)
                item.late_accept, item.late_resolution = late_accept, late_resolution
                _schedule(rng, item, days, workday, cut=today if month == this else None)
                items.append(item)
    items.sort(key=lambda it: (it.at["submitted"], it.place.name))
    for month in sorted({it.month for it in items}):
        mine = [it for it in items if it.month == month]
        for n, it in enumerate(mine, start=1):
            it.code = f"MJ{month:%Y%m}-{n:03d}"
    return items


def _dates(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """start … the day before end."""
    while start < end:
        yield start
        start += dt.timedelta(days=1)


def _heads(county: DemoCounty) -> dict[str, list[tuple[str, str | None]]]:
    """Village key → (name, phone) of its households' heads."""
    village_of = {}
    for village in county.tree.villages:
        village_of[village.id] = village.key
        for grid in county.tree.grids.get(village.key, []):
            village_of[grid.id] = village.key
    homes = {op.input["id"]: village_of[op.input["orgUnitId"]] for op in county.households}
    heads: dict[str, list[tuple[str, str | None]]] = {}
    for op in county.residents:
        if op.input["relation"] == "HEAD":
            heads.setdefault(homes[op.input["householdId"]], []).append(
                (op.input["name"], op.input.get("phone")))
    return heads


def _item(rng: random.Random, township: str, month: dt.date, place: Unit, rating: str,
          heads: dict[str, list[tuple[str, str | None]]]) -> Item:
    if rating == "E":
        category = rng.choice(sorted(names.EXPLANATIONS))
        kind, text, _ = names.EXPLANATIONS[category]
    else:
        choices = [(c, k, t) for c, said in names.DEMANDS.items() for k, t in said
                   if k in _KINDS and fits(place, t)]
        category, kind, text = rng.choice(choices)
    item = Item(township, month, place, category, kind, text, rating, rng.choice(_CHANNELS),
                "紧急" if kind == "HELP" and rng.random() < 0.4 else "一般")
    if rating:  # someone to call back; the never rated left no contact
        item.contact = rng.choice(heads[place.key])
    return item


def _schedule(rng: random.Random, item: Item, days: list[dt.date],
              workday: Callable[[dt.date], bool], cut: dt.date | None) -> None:
    """The steps' times: a full month's item fits inside it (`cut` None), the current month's is
    cut at `cut` (today: only the steps before it happened)."""
    accept = 2 if item.late_accept else rng.choice((0, 0, 1))
    handle = rng.randint(11, 12) if item.late_resolution else rng.randint(2, 8)
    answer, rate = rng.choice((0, 1)), rng.choice((1, 2))
    if cut is None and accept + handle + answer + rate >= len(days):  # a short month (春节)
        handle, answer, rate = min(handle, 11), 0, 1
    span = accept + handle + answer + (rate if item.rating else 0)
    start = rng.randrange(max(1, len(days) - span) if cut is None else len(days))
    day = days[start]

    def later(d: dt.date, n: int) -> dt.date:
        while n:
            d += dt.timedelta(days=1)
            n -= workday(d)
        return d

    minute = rng.randrange(8 * 60 + 30, 15 * 60, 5)
    at = {"submitted": _on(day, minute)}
    day = later(day, accept)
    minute = minute + rng.randrange(20, 121, 5) if accept == 0 else rng.randrange(540, 660, 5)
    at["accepted"] = _on(day, minute)
    at["dispatched"] = _on(day, minute + rng.randrange(10, 91, 5))
    day = later(day, handle)
    minute = rng.randrange(9 * 60, 17 * 60, 5)
    at["resolved"] = _on(day, minute)
    day = later(day, answer)
    at["answered"] = _on(day, minute + rng.randrange(60, 181, 5) if answer == 0 else
                         rng.randrange(540, 1020, 5))
    if item.rating and item.rating != "E":
        at["rated"] = _on(later(day, rate), rng.randrange(540, 1020, 5))
    item.at = {step: when for step, when in at.items() if cut is None or when.date() < cut}


def _on(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), CHINA)


def rows(items: list[Item], tree: Tree, cadre_names: dict[str, str]) -> list[dict[str, str]]:
    """The ledger's rows as a clerk keeps it: Chinese headers and labels, local times."""
    out = []
    for it in items:
        top = it.category.split(".")[0]
        _, _, _, report, answer = names.HANDLING[top]
        if it.rating == "E":
            outcome, report = "已解释", names.EXPLANATIONS[it.category][2]
            answer = report
        elif it.rating == "D":
            outcome, report = "部分解决", report.rstrip("。") + names.PARTIAL_REPORT
        else:
            outcome = "已解决"
        lead = _lead(tree, it.category, it.place)
        post = "局长" if lead in tree.departments else "干部1"
        when = {step: f"{t:%Y-%m-%d %H:%M}" for step, t in it.at.items()}
        resolved = "resolved" in it.at
        out.append({
            "编号": it.code, "登记日期": when["submitted"],
            "渠道": it.channel, "类别": it.category, "性质": _KINDS[it.kind],
            "台账": "困难群众" if it.category in NEEDY else "民生诉求", "紧急程度": it.urgency,
            "村/社区": it.place.name, "诉求内容": it.text,
            "联系人": it.contact[0] if it.contact else "",
            "联系电话": (it.contact[1] or "") if it.contact else "",
            "状态": it.status, "受理日期": when.get("accepted", ""),
            "责任单位": lead.name if "dispatched" in it.at else "",
            "责任人": (cadre_names.get(demo_id("cadre", f"{lead.key}/{post}"), "")
                    if "dispatched" in it.at else ""),
            "派单日期": when.get("dispatched", ""), "办结日期": when.get("resolved", ""),
            "办理结果": outcome if resolved else "", "办理情况": report if resolved else "",
            "答复内容": answer if "answered" in it.at else "", "答复日期": when.get("answered", ""),
            "满意度": _SATISFACTION[it.rating] if "rated" in it.at else "",
            "回访日期": when.get("rated", "")})
    return out


def _lead(tree: Tree, category: str, place: Unit) -> Unit:
    """The department a demand of `category` goes to (as the live tickets' LEADS say)."""
    code = max((c for c in LEADS if category == c or category.startswith(f"{c}.")), key=len)
    name = LEADS[code]
    if name is None:
        return tree.service_centres["/".join(place.path[:2])]
    return next(d for d in tree.departments if d.name == name)


def write_ledger(path: Path, ledger: list[dict[str, str]]) -> None:
    """The rows as CSV (UTF-8 with a BOM, as Excel saves it), written whole or not at all;
    readable by its owner only, like the folder's keys (names and phones, if made up)."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADERS)
        writer.writeheader()
        writer.writerows(ledger)
    tmp.replace(path)


# --- loading ------------------------------------------------------------------------------------
CALENDAR = "query($from: Date!, $to: Date!) { calendarDays(from: $from, to: $to) { day workday } }"


@dataclass(frozen=True)
class HistorySummary:
    """What `load_history` imported (or found imported): the demo summary's `history:` line."""

    tickets: int
    first: str  # yyyy-mm-dd of the first and last submission
    last: str
    seconds: float
    already_loaded: bool = False

    def __str__(self) -> str:
        how = ("already imported" if self.already_loaded
               else f"ledger imported in {self.seconds:.1f}s")
        months: list[str] = []
        year, month = (int(self.first[:4]), int(self.first[5:7])) if self.first else (0, 0)
        while self.first and f"{year}-{month:02d}" <= self.last[:7]:
            months.append(f"{year}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return (f"history: {self.tickets} tickets over {', '.join(months)} (submitted "
                f"{self.first} – {self.last}; {how})")


def workdays(url: str, token: str, first: dt.date, last: dt.date) -> Callable[[dt.date], bool]:
    """The tickets service's working-day calendar from first to last (a day of a year it has not
    loaded counts Monday to Friday, as its deadlines then do)."""
    result = post_graphql(url, CALENDAR, {"from": first.isoformat(), "to": last.isoformat()}, token)
    if result.get("errors") or not result.get("data"):
        raise DemoLoadError(f"could not read the working-day calendar: {result.get('errors')}")
    known = {dt.date.fromisoformat(d["day"]): d["workday"] for d in result["data"]["calendarDays"]}
    return lambda day: known.get(day, day.weekday() < 5)


def load_history(stack: DevStack, today: dt.date | None = None,
                 county: DemoCounty | None = None) -> HistorySummary:
    """Generate the ledger into the data folder (once: `today`, China's date by default, and
    `county` only matter then) and import it into the stack's tickets service; a completed
    import is recorded and not repeated."""
    started = time.monotonic()
    path, done = stack.data.root / LEDGER_FILE, stack.data.root / DONE_FILE
    if done.exists():
        kept = json.loads(done.read_text())
        return HistorySummary(**{**kept, "seconds": time.monotonic() - started,
                                 "already_loaded": True})
    if not path.exists():
        county = county or build_county()
        today = today or dt.datetime.now(CHINA).date()
        start = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)
        calendar = workdays(stack.gateway_url, stack.token(), start, today)
        items = build_history(county, today, calendar)
        cadres = {op.input["id"]: op.input["name"] for op in county.cadres}
        write_ledger(path, rows(items, county.tree, cadres))
    with path.open(encoding="utf-8-sig", newline="") as f:
        dates = sorted(row["登记日期"][:10] for row in csv.DictReader(f))
    log = stack.logs_dir / "tickets.import.log"
    argv = [service_binary("tickets"), "import", "ledger", str(path), "--source", SOURCE,
            "--county", unit_id((names.COUNTY,))]
    with log.open("w") as out:
        try:
            code = subprocess.run(argv, env=stack.env("tickets"), stdout=out,
                                  stderr=subprocess.STDOUT, check=False, timeout=600).returncode
        except subprocess.TimeoutExpired:
            code = -1  # stopped after 600 s
    if code != 0:
        raise DemoLoadError(f"importing the demo history ({path}) failed (exit code {code}); "
                            f"see {log}:\n{log.read_text()[-2000:]}")
    summary = HistorySummary(len(dates), dates[0] if dates else "", dates[-1] if dates else "",
                             time.monotonic() - started)
    done.write_text(json.dumps(dataclasses.asdict(summary)))
    return summary
