"""A synthetic county and its ledger (台账) .csv for bench/p8_import.py.

The county: 18 townships, each with 10 villages and 2 communities (unique names), and 24
county departments. The ledger: rows as `lianxin-tickets import ledger` reads them, with the
columns of services/tickets/examples/ledger.csv — channels, categories (by code, name or a
" / " part of it), places (by name), states from 待受理 to 已关闭 with the cells each state
needs, dissatisfied ratings that reopen, contacts with phone numbers and addresses on most
rows. `write` returns the counts of tickets, history lines, assignments and outbox rows the
rows imply (the steps of app/import_plan.py)."""

from __future__ import annotations

import csv
import datetime as dt
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from lianxin.tickets.domain.ticket import OrgUnitRef

HEADER = ["编号", "登记日期", "渠道", "类别", "性质", "台账", "紧急程度", "村/社区", "诉求内容",
          "联系人", "联系电话", "地址", "状态", "受理日期", "责任单位", "责任人", "派单日期",
          "办结日期", "办理结果", "办理情况", "答复内容", "答复日期", "满意度", "回访日期"]
CHANNELS = (["入户走访"] * 5 + ["电话"] * 4 + ["12345"] * 3 + ["微信"] * 3 + ["院坝会"] * 2 +
            ["窗口来访", "来信", "意见箱", "接待日", "小程序", "app", "信访"])
KINDS = ["诉求"] * 6 + ["", "", "意见建议", "求助", "投诉", "咨询", "矛盾纠纷"]
LEDGERS = ["民生诉求"] * 3 + [""] * 6 + ["困难群众", "行业重点"]
URGENCIES = ["一般"] * 6 + [""] * 4 + ["紧急", "特急"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "有福秀英建国桂兰志强玉梅明华春燕海军丽娟德胜小红永刚翠花文斌国庆"
PROBLEMS = ["村里自来水停了三天，老人孩子吃水困难，请尽快恢复。",
            "村口到小学的路没有路灯，晚上学生放学不安全。", "便道塌方，摩托车过不去。",
            "申请低保，家里两位老人常年生病。", "垃圾桶太少，垃圾堆在路边没人清运。",
            "房屋墙体开裂，雨季担心安全。", "医保报销需要什么材料？",
            "邻居占用公共通道堆放柴火，协商不成。", "灌溉水渠堵塞，秧田缺水。",
            "村里信号差，打不通电话。", "养殖场气味大，影响生活。", "孩子上学校车时间不合适。"]
RESOLUTIONS = ["已更换破损主管道，恢复供水", "已安装太阳能路灯", "已组织抢修", "已纳入低保",
               "已协调清运", "已鉴定并补助维修", "已电话解释政策", "已调解，双方签字"]
ANSWERS = ["已恢复，感谢您的反映", "已按政策答复", "已上门告知办理结果", "已电话回复"]
START = dt.date(2024, 1, 2)
DAYS = 700  # submissions spread over about two years (2024-01 … 2025-12)


@dataclass(frozen=True)
class County:
    units: list[OrgUnitRef]
    places: list[str]
    departments: list[str]

    @classmethod
    def build(cls, townships: int = 18, villages: int = 10, communities: int = 2,
              departments: int = 24) -> County:
        ids = iter(uuid.UUID(int=i) for i in range(1, 1_000_000))
        county = next(ids)
        units = [OrgUnitRef(county, None, "红河县", "county", (county,))]
        places: list[str] = []
        for t in range(townships):
            town = next(ids)
            units.append(OrgUnitRef(town, county, f"第{t + 1}镇", "township", (county, town)))
            for v in range(villages + communities):
                kind = "village" if v < villages else "community"
                name = f"第{t + 1}镇{v + 1}{'村' if kind == 'village' else '社区'}"
                uid = next(ids)
                units.append(OrgUnitRef(uid, town, name, kind, (county, town, uid)))
                places.append(name)
        names = ["水务局", "住建局", "交通运输局", "民政局", "人社局", "卫健局", "教育局", "农业农村局",
                 "自然资源局", "生态环境局", "应急管理局", "市场监管局"]
        depts = [f"县{names[i % len(names)]}{'' if i < len(names) else '二分局'}"
                 for i in range(departments)]
        for name in depts:
            uid = next(ids)
            units.append(OrgUnitRef(uid, county, name, "department", (county, uid)))
        return cls(units, places, depts)


def category_texts(categories: list[tuple[str, str]]) -> list[str]:
    """How a ledger names each category: its code, or its name or a part of it where that
    names it alone (as the importer resolves it)."""
    parents = {c for c, _ in categories
               if any(o != c and o.startswith(c + ".") for o, _ in categories)}
    leaves = [(c, n) for c, n in categories if c not in parents]
    names = [n for _, n in categories]

    def unique(text: str) -> bool:
        named = [n for n in names if n == text] or [
            n for n in names if text in (p.strip() for p in n.split("/"))]
        return len(named) == 1

    out = []
    for code, name in leaves:
        out.append(code)
        out += [t for t in {name, *(p.strip() for p in name.split("/"))} if unique(t)]
    return out


def _day(d: dt.date, hour: int | None = None) -> str:
    return f"{d:%Y-%m-%d}" if hour is None else f"{d:%Y-%m-%d} {hour:02d}:30"


def write(path: Path, rows: int, county: County, categories: list[tuple[str, str]], *,
          seed: int) -> dict[str, int]:
    """Write the ledger; return the counts its import must produce."""
    rnd = random.Random(seed)
    texts = category_texts(categories)
    tickets = history = assignments = outbox = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            submitted = START + dt.timedelta(days=rnd.randrange(DAYS))
            timed = rnd.random() < 0.2  # a submission with its time of day: accepted a day later
            r = rnd.random()
            # State mix of a ledger kept for two years: most items closed, some still open.
            status = ("待受理" if r < 0.03 else "已受理" if r < 0.07 else "已派单" if r < 0.13 else
                      "办理中" if r < 0.20 else "已办结" if r < 0.35 else "已关闭")
            accepted = submitted + dt.timedelta(days=rnd.choice((1, 2)) if timed else
                                                rnd.choice((0, 0, 1, 1, 2)))
            dispatched = accepted + dt.timedelta(days=rnd.choice((0, 1, 1, 2)))
            resolved = dispatched + dt.timedelta(days=rnd.randint(1, 20))
            answered = resolved + dt.timedelta(days=rnd.choice((0, 1, 2)))
            rated = answered + dt.timedelta(days=rnd.choice((0, 1, 3)))
            has_contact = rnd.random() < 0.8
            row = {h: "" for h in HEADER}
            row.update({
                "编号": f"HH-{i + 1:07d}", "登记日期": _day(submitted, 10 if timed else None),
                "渠道": rnd.choice(CHANNELS), "类别": rnd.choice(texts), "性质": rnd.choice(KINDS),
                "台账": rnd.choice(LEDGERS), "紧急程度": rnd.choice(URGENCIES),
                "村/社区": rnd.choice(county.places), "诉求内容": rnd.choice(PROBLEMS),
                "状态": status})
            if has_contact:
                row.update({"联系人": rnd.choice(SURNAMES) + rnd.choice(GIVEN),
                            "联系电话": f"1{rnd.choice('3589')}{rnd.randrange(10**9):09d}",
                            "地址": f"{row['村/社区']}{rnd.randint(1, 12)}组{rnd.randint(1, 80)}号"})
            steps, events, assigned = 1, 0, 0  # steps: history lines after the submit's
            if status != "待受理":
                row["受理日期"] = _day(accepted)
                events += 1
            if status in ("已派单", "办理中", "已办结", "已关闭"):
                if rnd.random() < 0.7:
                    row["责任单位"] = rnd.choice(county.departments)
                    row["责任人"] = rnd.choice(SURNAMES) + "工"
                if rnd.random() < 0.8:
                    row["派单日期"] = _day(dispatched)
                else:
                    dispatched = accepted
                steps, events, assigned = 2, events + 1, 1
                if status == "办理中":
                    steps, events = 3, events + 1
            if status in ("已办结", "已关闭"):
                row.update({"办结日期": _day(resolved),
                            "办理结果": rnd.choice(("已解决", "已解决", "部分解决", "已解释")),
                            "办理情况": rnd.choice(RESOLUTIONS)})
                steps, events = 3, events + 1
                answered_row = rnd.random() < 0.85
                if answered_row:
                    row.update({"答复内容": rnd.choice(ANSWERS), "答复日期": _day(answered)})
                    steps, events = steps + 1, events + 1
                    rate = rnd.random() < 0.75
                    if rate:
                        sat = (rnd.choice(("满意", "满意", "基本满意")) if status == "已关闭" else
                               rnd.choice(("满意", "基本满意", "不满意", "不满意")))
                        row["满意度"] = sat
                        if rnd.random() < 0.7:
                            row["回访日期"] = _day(rated)
                        steps, events = steps + 2, events + 2  # rated, then closed or reopened
                    elif status == "已关闭":
                        steps, events = steps + 1, events + 1
                elif status == "已关闭":
                    steps, events = steps + 1, events + 1
                if status == "已办结" and row["满意度"] in ("满意", "基本满意"):
                    # a satisfied rating closes the item: the ledger says 已关闭 then
                    row["状态"] = "已关闭"
            if status == "已受理":
                steps = 1
            tickets += 1
            history += 1 + steps
            outbox += 1 + events
            assignments += assigned
            out.writerow([row[h] for h in HEADER])
    return {"tickets": tickets, "history": history, "assignments": assignments, "outbox": outbox}
