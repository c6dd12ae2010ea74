"""What a ledger row (台账) must agree with before anything is written, the steps that bring its
item to the state the ledger records, and the fingerprints a re-import compares. Pure."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import uuid
from collections.abc import Mapping

from lianxin.tickets.app.import_rows import COLUMNS, OPENS, PERSONAL, LedgerRow, label
from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.ticket import Satisfaction
from lianxin.tickets.domain.ticket import Status as S

# --- checks --------------------------------------------------------------------------------------
# How far each ledger state went (IN_PROGRESS is dispatched and started).
_REACHED = {S.RECEIVED: 0, S.ACCEPTED: 1, S.ASSIGNED: 2, S.IN_PROGRESS: 2, S.RESOLVED: 3,
            S.CLOSED: 4}
# The step (as above) from which a cell may be filled, and what an empty required one needs.
_FROM = {"accepted_at": 1, "department": 2, "responsible": 2, "dispatched_at": 2,
         "resolved_at": 3, "outcome": 3, "resolution": 3, "answer": 3, "answered_at": 3,
         "satisfaction": 3, "rated_at": 3}
_REQUIRED = {"accepted_at": (1, "give the day the item was accepted (受理)"),
             "resolved_at": (3, "give the day it was resolved (办结)"),
             "outcome": (3, "give 已解决, 部分解决 or 已解释")}
_DATES = ("submitted_at", "accepted_at", "dispatched_at", "resolved_at", "answered_at", "rated_at")


def _shown(at: dt.datetime) -> str:
    local = at.astimezone(CHINA)
    return f"{local:%Y-%m-%d}" if local.time() == OPENS else f"{local:%Y-%m-%d %H:%M}"


def problems(row: LedgerRow, headers: Mapping[str, str], now: dt.datetime) -> list[tuple[str, str]]:
    """(field, what is wrong) for every cell contradicting the row's state or its dates."""
    reached = _REACHED.get(row.status)
    if reached is None:
        return [("status", "merged items (并单) are not imported: import the item they were "
                           "merged into")]
    said = f"{headers['status']} says {label(row.status)}"
    out: list[tuple[str, str]] = []
    for name, first in _FROM.items():
        if getattr(row, name) is not None and reached < first:
            out.append((name, f"is given, but {said}: set {headers['status']} to the step the "
                              "item reached, or clear this cell"))
    for name, (first, hint) in _REQUIRED.items():
        if getattr(row, name) is None and reached >= first:
            out.append((name, f"is empty, but {said}: {hint}"))
    if reached >= 3:
        if row.answer is not None and row.answered_at is None:
            out.append(("answered_at", f"is empty, but {headers['answer']} is given: give the day "
                                       "the resident was answered"))
        if row.answered_at is not None and row.answer is None:
            out.append(("answer", f"is empty, but {headers['answered_at']} is given: give what "
                                  "the resident was told"))
        if row.satisfaction is not None and row.answered_at is None:
            out.append(("satisfaction", f"is given, but {headers['answered_at']} is empty: a "
                                        "rating follows the answer"))
        if row.rated_at is not None and row.satisfaction is None:
            out.append(("rated_at", f"is given, but {headers['satisfaction']} is empty"))
        if row.status is S.CLOSED and row.satisfaction is Satisfaction.DISSATISFIED:
            out.append(("satisfaction", f"is {label(row.satisfaction)}, but {said}: a "
                                        "dissatisfied rating reopens the item — set "
                                        f"{headers['status']} to {label(S.RESOLVED)} to import "
                                        "it reopened"))
    previous: tuple[str, dt.datetime] | None = None
    for name in _DATES:
        at = getattr(row, name)
        if at is None:
            continue
        if at > now:
            out.append((name, f"{_shown(at)} is in the future"))
        elif previous is not None and at < previous[1]:
            out.append((name, f"{_shown(at)} is before {headers[previous[0]]} "
                              f"{_shown(previous[1])}"))
        previous = (name, at)
    return out


# --- steps ---------------------------------------------------------------------------------------
class Step(enum.Enum):
    RECORD = "record"        # nothing happened yet: the import itself is the history line
    ACCEPT = "accept"
    DISPATCH = "dispatch"
    START = "start"
    RESOLVE = "resolve"
    ANSWER = "answer"
    RATE = "rate"
    CLOSE = "close"
    REOPEN = "reopen"


def plan(row: LedgerRow) -> list[tuple[Step, dt.datetime]]:
    """The steps, each at its historical time, from a submitted ticket to the row's state (the
    row passed `problems`). A dissatisfied rating reopens the item (back to ASSIGNED)."""
    reached = _REACHED[row.status]
    if reached == 0 or row.accepted_at is None:
        return [(Step.RECORD, row.submitted_at)]
    steps = [(Step.ACCEPT, row.accepted_at)]
    if reached >= 2:
        dispatched = row.dispatched_at or row.accepted_at
        steps.append((Step.DISPATCH, dispatched))
        if row.status is S.IN_PROGRESS:
            steps.append((Step.START, dispatched))
    if reached >= 3 and row.resolved_at is not None:
        steps.append((Step.RESOLVE, row.resolved_at))
        last = row.resolved_at
        if row.answered_at is not None:
            steps.append((Step.ANSWER, row.answered_at))
            last = row.answered_at
        if row.satisfaction is not None:
            rated = row.rated_at or last
            steps.append((Step.RATE, rated))
            steps.append((Step.REOPEN if row.satisfaction is Satisfaction.DISSATISFIED
                          else Step.CLOSE, rated))
        elif row.status is S.CLOSED:
            steps.append((Step.CLOSE, last))
    return steps


# --- fingerprints --------------------------------------------------------------------------------
def _canon(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return str(value)


def _digest(name: str, value: object) -> str:
    return _hashed(f"{name}\x1f{_canon(value)}")


@functools.lru_cache(maxsize=65536)  # places, categories, states and days recur on every row
def _hashed(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def row_values(row: LedgerRow, place_id: uuid.UUID, department_id: uuid.UUID | None,
               category: str) -> dict[str, object]:
    """What a re-import compares: the row's cells with names resolved to ids and codes, minus
    the requester's personal data (compared with the stored ticket instead)."""
    values = {name: getattr(row, name) for name in COLUMNS if name not in PERSONAL}
    return values | {"place": place_id, "department": department_id, "category": category}


def fingerprint(values: Mapping[str, object]) -> str:
    """Short per-field digests, "field:digest,…": enough to name the cells a changed row
    changed, too short to recover any value (and personal data never enters)."""
    return ",".join(f"{name}:{_digest(name, value)}" for name, value in sorted(values.items()))


def changed_fields(stored: str, values: Mapping[str, object]) -> list[str]:
    """The fields whose value differs from the one `stored` was made from."""
    old = dict(part.split(":", 1) for part in stored.split(",") if ":" in part)
    return [name for name, value in values.items()
            if name in old and old[name] != _digest(name, value)]
