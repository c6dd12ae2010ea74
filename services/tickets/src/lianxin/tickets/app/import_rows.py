"""Rows of a ledger (台账) as the importer reads them: the columns, the Chinese labels each
accepts, and the typed row (app/import_plan.py checks it and plans its steps). Pure: no
database (names are resolved in app/import_names.py).

Dates may be Excel dates or text (2025-03-01, 2025/3/1, 2025年3月1日), with a time or without;
a bare date means 09:00 China time that day (when the office opens)."""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lianxin.kit.importing.cells import CellError, Column, choice, date, id_or_name
from lianxin.kit.pii import normalise_phone
from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.ticket import (
    Channel,
    Contact,
    Kind,
    Ledger,
    Outcome,
    Satisfaction,
    Status,
    Urgency,
)

S = Status
OPENS = dt.time(9)  # a date without a time: the office's opening hour that day
# A time of day after the date: 14:30, 14:30:05, T14:30, 14时30分.
_TIME = re.compile(r"\s*T?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?\s*(?:[:：]?\s*(\d{1,2})\s*秒?)?\s*$")

_CHANNELS = {
    "入户走访": Channel.HOME_VISIT, "走访": Channel.HOME_VISIT, "电话": Channel.HOTLINE,
    "热线": Channel.HOTLINE, "96333": Channel.HOTLINE, "12345": Channel.HOTLINE,
    "微信": Channel.WECHAT, "来信": Channel.LETTER, "信件": Channel.LETTER,
    "意见箱": Channel.SUGGESTION_BOX, "院坝会": Channel.COURTYARD_MEETING,
    "窗口来访": Channel.WALK_IN, "来访": Channel.WALK_IN, "窗口": Channel.WALK_IN,
    "接待日": Channel.RECEPTION_DAY, "信访": Channel.PETITION, "app": Channel.APP,
    "小程序": Channel.MINI_PROGRAM,
}
_KINDS = {
    "诉求": Kind.DEMAND, "意见建议": Kind.SUGGESTION, "意见": Kind.SUGGESTION,
    "建议": Kind.SUGGESTION, "求助": Kind.HELP, "投诉": Kind.COMPLAINT, "咨询": Kind.CONSULTATION,
    "矛盾纠纷": Kind.DISPUTE, "纠纷": Kind.DISPUTE, "涉稳": Kind.STABILITY_RISK,
}
_LEDGERS = {
    "民生诉求": Ledger.LIVELIHOOD, "民生": Ledger.LIVELIHOOD, "困难群众": Ledger.NEEDY,
    "涉稳信息": Ledger.STABILITY_RISK, "涉稳": Ledger.STABILITY_RISK,
    "行业重点": Ledger.DEPARTMENT_KEY, "部门重点": Ledger.DEPARTMENT_KEY,
}
_URGENCIES = {"一般": Urgency.ROUTINE, "普通": Urgency.ROUTINE, "紧急": Urgency.URGENT,
              "加急": Urgency.URGENT, "特急": Urgency.EMERGENCY, "特别紧急": Urgency.EMERGENCY}
_STATUSES = {
    "待受理": S.RECEIVED, "未受理": S.RECEIVED, "已登记": S.RECEIVED,
    "已受理": S.ACCEPTED,
    "已派单": S.ASSIGNED, "已交办": S.ASSIGNED, "已转办": S.ASSIGNED, "待办理": S.ASSIGNED,
    "办理中": S.IN_PROGRESS, "处理中": S.IN_PROGRESS,
    "已办结": S.RESOLVED, "已答复": S.RESOLVED, "已回访": S.RESOLVED,
    "已关闭": S.CLOSED, "已结案": S.CLOSED, "已归档": S.CLOSED,
}
_OUTCOMES = {"已解决": Outcome.SOLVED, "解决": Outcome.SOLVED,
             "部分解决": Outcome.PARTIALLY_SOLVED, "已解释": Outcome.EXPLAINED,
             "解释说明": Outcome.EXPLAINED, "不予支持": Outcome.EXPLAINED}
_SATISFACTION = {"满意": Satisfaction.SATISFIED, "基本满意": Satisfaction.BASICALLY_SATISFIED,
                 "不满意": Satisfaction.DISSATISFIED}
LABELS: dict[enum.Enum, str] = {v: k for table in (_STATUSES, _OUTCOMES, _SATISFACTION)
                                for k, v in reversed(list(table.items()))}


def moment(text: str, raw: Any) -> dt.datetime:
    """A point in time (UTC) from an Excel date or text, a bare date meaning 09:00 China time."""
    if isinstance(raw, dt.datetime):
        # Excel keeps date cells as midnight datetimes: midnight means "that day".
        local = raw.replace(tzinfo=CHINA) if raw.time() != dt.time() else \
            dt.datetime.combine(raw.date(), OPENS, CHINA)
        return local.astimezone(dt.UTC)
    timed = _TIME.search(text) if not isinstance(raw, dt.date) else None
    day = date(text[:timed.start()] if timed else text, raw)
    at = OPENS
    if timed:
        try:
            hour, minute, second = timed.groups()
            at = dt.time(int(hour), int(minute), int(second or 0))
        except ValueError:
            raise CellError(f"{text!r} has no valid time of day (such as 14:30)") from None
    return dt.datetime.combine(day, at, CHINA).astimezone(dt.UTC)


def verbatim(text: str, raw: Any) -> str:
    """The cell as written (原汁原味), line breaks kept; only the ends trimmed."""
    return raw.strip() if isinstance(raw, str) else text


def phone(text: str, raw: Any) -> str:
    return normalise_phone(text)  # its message never echoes the number


# Field → column; a mapping file renames headers. Order: as a ledger usually lists them.
COLUMNS: dict[str, Column] = {
    "code": Column("编号", if_empty="is empty: every item needs its ledger code (a re-import "
                   "recognises the item by it)"),
    "submitted_at": Column("登记日期", moment),
    "channel": Column("渠道", choice(_CHANNELS, Channel)),
    "category": Column("类别"),
    "kind": Column("性质", choice(_KINDS, Kind), optional=True),
    "ledger": Column("台账", choice(_LEDGERS, Ledger), optional=True),
    "urgency": Column("紧急程度", choice(_URGENCIES, Urgency), optional=True),
    "place": Column("村/社区", id_or_name),
    "text": Column("诉求内容", verbatim),
    "contact_name": Column("联系人", optional=True),
    "contact_phone": Column("联系电话", phone, optional=True),
    "address": Column("地址", optional=True),
    "status": Column("状态", choice(_STATUSES, Status)),
    "accepted_at": Column("受理日期", moment, optional=True),
    "department": Column("责任单位", id_or_name, optional=True),
    "responsible": Column("责任人", optional=True),
    "dispatched_at": Column("派单日期", moment, optional=True),
    "resolved_at": Column("办结日期", moment, optional=True),
    "outcome": Column("办理结果", choice(_OUTCOMES, Outcome), optional=True),
    "resolution": Column("办理情况", verbatim, optional=True),
    "answer": Column("答复内容", verbatim, optional=True),
    "answered_at": Column("答复日期", moment, optional=True),
    "satisfaction": Column("满意度", choice(_SATISFACTION, Satisfaction), optional=True),
    "rated_at": Column("回访日期", moment, optional=True),
}
PERSONAL = ("contact_name", "contact_phone", "address")  # never in a fingerprint or a message


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One ledger item, typed; org units, departments and the category still as given."""

    number: int
    code: str
    submitted_at: dt.datetime
    channel: Channel
    category: str
    kind: Kind
    ledger: Ledger | None  # None: as intake decides (stability risks to their own ledger)
    urgency: Urgency
    place: uuid.UUID | str
    text: str
    contact: Contact
    status: Status
    accepted_at: dt.datetime | None = None
    department: uuid.UUID | str | None = None
    responsible: str | None = None
    dispatched_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    outcome: Outcome | None = None
    resolution: str | None = None
    answer: str | None = None
    answered_at: dt.datetime | None = None
    satisfaction: Satisfaction | None = None
    rated_at: dt.datetime | None = None


def ledger_row(number: int, values: Mapping[str, Any]) -> LedgerRow:
    """The row from `parse`'s values (every required cell present and well-formed)."""
    v = dict(values)
    contact = Contact(name=v.pop("contact_name"), phone=v.pop("contact_phone"),
                      address=v.pop("address"))
    return LedgerRow(number=number, contact=contact, **{
        **v, "kind": v["kind"] or Kind.DEMAND, "urgency": v["urgency"] or Urgency.ROUTINE})


def label(member: enum.Enum) -> str:
    return LABELS.get(member, member.name)
