"""The ticket state machine (ARCHITECTURE § Workflow of a ticket) as one table: which actions
each state allows. Use cases call `require` first, so an illegal step is a typed error
(ILLEGAL_TRANSITION) that names the state and what is allowed, never a silent no-op."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field

from lianxin.tickets.domain.errors import IllegalTransition
from lianxin.tickets.domain.ticket import Status, Ticket

S = Status


class Action(enum.Enum):
    SUBMIT = "submit"                      # 问题 — the problem (五有 1)
    ACCEPT = "accept"                      # 受理 — acceptance (五有 2)
    RESOLVE_ON_SPOT = "resolve_on_spot"    # 快办快结
    HANDLE_HERE = "handle_here"            # 本级办理
    ESCALATE = "escalate"                  # 上报: to the parent org unit
    DISPATCH = "dispatch"                  # 派单: lead + co-handling departments
    RETURN = "return"                      # 退单: a department sends it back with a reason
    REASSIGN = "reassign"                  # 改派: dispatch again after a return
    START = "start"                        # the lead department starts handling
    COMPLETE_TASK = "complete_task"        # a co-handling department finishes its part
    RESOLVE = "resolve"                    # 办结 — handling (五有 3)
    EXPLAIN = "explain"                    # unreasonable / already decided: explained
    ANSWER = "answer"                      # 回复 — feedback (五有 4)
    RATE = "rate"                          # the resident's rating (or a staff return visit)
    REOPEN = "reopen"                      # dissatisfied: back to ASSIGNED
    CLOSE = "close"                        # rated satisfied, or no rating in time
    MERGE = "merge"                        # 并单 into a master ticket
    PAUSE = "pause"                        # waiting for the resident
    RESUME = "resume"
    REQUEST_EXTENSION = "request_extension"  # 延期申请
    DECIDE_EXTENSION = "decide_extension"
    BLOW_WHISTLE = "blow_whistle"          # 吹哨
    WHISTLE = "whistle"                    # report-in, task progress, whistle closed
    REFLECT = "reflect"                    # 反思 — the handler's reflections (五有 5)
    DUE_SOON = "due_soon"                  # scheduler alarms
    OVERDUE = "overdue"
    SUPERVISE = "supervise"                # 督办
    RECOMPUTE_DEADLINES = "recompute_deadlines"
    IMPORT = "import"                      # history imported from a ledger


_WORKING = frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS})
_OPEN = frozenset({S.RECEIVED, *_WORKING})

# action → the states it may start from
ALLOWED: dict[Action, frozenset[Status]] = {
    Action.ACCEPT: frozenset({S.RECEIVED}),
    Action.RESOLVE_ON_SPOT: frozenset({S.RECEIVED, S.ACCEPTED}),
    Action.HANDLE_HERE: frozenset({S.ACCEPTED}),
    Action.ESCALATE: frozenset({S.RECEIVED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}),
    Action.DISPATCH: frozenset({S.ACCEPTED}),
    Action.RETURN: frozenset({S.ASSIGNED, S.IN_PROGRESS}),
    Action.REASSIGN: frozenset({S.ACCEPTED}),
    Action.START: frozenset({S.ASSIGNED}),
    Action.COMPLETE_TASK: frozenset({S.ASSIGNED, S.IN_PROGRESS}),
    Action.RESOLVE: frozenset({S.ASSIGNED, S.IN_PROGRESS}),
    Action.EXPLAIN: _WORKING,
    Action.ANSWER: frozenset({S.RESOLVED}),
    Action.RATE: frozenset({S.RESOLVED}),
    Action.REOPEN: frozenset({S.RESOLVED}),
    Action.CLOSE: frozenset({S.RESOLVED}),
    Action.MERGE: _OPEN,
    Action.PAUSE: _WORKING,
    Action.RESUME: _WORKING,
    Action.REQUEST_EXTENSION: frozenset({S.ASSIGNED, S.IN_PROGRESS}),
    Action.DECIDE_EXTENSION: frozenset({S.ASSIGNED, S.IN_PROGRESS}),
    Action.BLOW_WHISTLE: _WORKING,
    Action.WHISTLE: frozenset(S),
    Action.REFLECT: frozenset({S.RESOLVED, S.CLOSED}),
    Action.DUE_SOON: _OPEN | {S.RESOLVED},
    Action.OVERDUE: _OPEN | {S.RESOLVED},
    Action.SUPERVISE: _OPEN | {S.RESOLVED},
    Action.RECOMPUTE_DEADLINES: _OPEN | {S.RESOLVED},
    Action.IMPORT: frozenset(S),
}

# Where an action leads when it always leads to one state (others decide in their use case).
TARGET: dict[Action, Status] = {
    Action.ACCEPT: S.ACCEPTED, Action.RESOLVE_ON_SPOT: S.RESOLVED, Action.HANDLE_HERE: S.ASSIGNED,
    Action.DISPATCH: S.ASSIGNED, Action.REASSIGN: S.ASSIGNED, Action.RETURN: S.ACCEPTED,
    Action.START: S.IN_PROGRESS, Action.RESOLVE: S.RESOLVED, Action.EXPLAIN: S.RESOLVED,
    Action.REOPEN: S.ASSIGNED, Action.CLOSE: S.CLOSED, Action.MERGE: S.MERGED,
}


def require(ticket: Ticket, action: Action) -> None:
    """Raise IllegalTransition unless `ticket`'s state allows `action`."""
    allowed = ALLOWED.get(action)
    if allowed is None or ticket.status not in allowed:
        states = ", ".join(s.name for s in Status if allowed and s in allowed) or "none"
        raise IllegalTransition(
            f"ticket {ticket.code} is {ticket.status.name}; {action.name} is allowed only when it "
            f"is {states}", field="id", status=ticket.status.name, action=action.name)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of the ticket's history; `details` holds ids, codes and numbers, never
    personal data (it is shown to everyone who sees the ticket)."""

    id: uuid.UUID
    ticket_id: uuid.UUID
    version: int
    at: dt.datetime
    actor: str
    actor_role: str
    action: Action
    from_status: Status | None
    to_status: Status
    note: str = ""
    details: dict[str, str | int | float | bool | None] = field(default_factory=dict)
