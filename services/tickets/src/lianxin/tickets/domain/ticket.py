"""Ticket (工单): a demand, opinion or complaint, recorded verbatim (原汁原味), and where it
stands in the workflow. Transitions live in `states` (the table) and the use cases."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field, replace

MAX_TEXT_LENGTH = 5000


class Channel(enum.Enum):
    HOME_VISIT = "home_visit"                  # 入户走访
    HOTLINE = "hotline"                        # 电话 / 热线
    WECHAT = "wechat"                          # 微信
    LETTER = "letter"                          # 来信
    SUGGESTION_BOX = "suggestion_box"          # 意见箱
    COURTYARD_MEETING = "courtyard_meeting"    # 院坝会
    WALK_IN = "walk_in"                        # 窗口来访
    RECEPTION_DAY = "reception_day"            # 接待日
    PETITION = "petition"                      # 信访
    APP = "app"
    MINI_PROGRAM = "mini_program"              # 小程序


class Kind(enum.Enum):
    DEMAND = "demand"                    # 诉求
    SUGGESTION = "suggestion"            # 意见建议
    HELP = "help"                        # 求助
    COMPLAINT = "complaint"              # 投诉
    CONSULTATION = "consultation"        # 咨询
    DISPUTE = "dispute"                  # 矛盾纠纷
    STABILITY_RISK = "stability_risk"    # 涉稳


class Ledger(enum.Enum):
    LIVELIHOOD = "livelihood"            # 民生诉求
    NEEDY = "needy"                      # 困难群众
    STABILITY_RISK = "stability_risk"    # 涉稳信息
    DEPARTMENT_KEY = "department_key"    # 行业重点


class Urgency(enum.Enum):
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class Status(enum.Enum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    MERGED = "merged"


OPEN_STATUSES = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS})


class Outcome(enum.Enum):
    SOLVED = "solved"
    PARTIALLY_SOLVED = "partially_solved"
    EXPLAINED = "explained"   # unreasonable or already decided: explained, never dropped


class Satisfaction(enum.Enum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class CloseReason(enum.Enum):
    RATED = "rated"
    NO_RATING = "no_rating"


def stability_risk(kind: Kind, ledger: Ledger) -> bool:
    """A stability-risk item (涉稳) by kind or by ledger: shown only to roles cleared for it."""
    return kind is Kind.STABILITY_RISK or ledger is Ledger.STABILITY_RISK


@dataclass(frozen=True, slots=True)
class Deadline:
    """A point in time a step must be done by; `provisional` when it was computed past the
    years the calendar knows (weekdays only) and will be recomputed once the year is loaded."""

    at: dt.datetime
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class OrgUnitRef:
    """Local read model of a people-service org unit, fed by OrgUnitCreated/Renamed/Moved."""

    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    kind: str    # county | township | village | community | grid | department | party_org
    path: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class Contact:
    """Who raised it, as far as known. Personal data: sealed at rest, masked in answers, never
    in events; hidden from staff without clearance when the ticket is confidential."""

    resident_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    name: str | None = None
    phone: str | None = None     # normalised (lianxin.kit.pii.normalise_phone)
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    id: uuid.UUID
    code: str
    org_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]
    channel: Channel
    kind: Kind
    category: str
    ledger: Ledger
    urgency: Urgency
    text: str
    submitted_by: str            # token subject of whoever entered it (resident or cadre)
    submitted_at: dt.datetime
    handling_unit_id: uuid.UUID  # who holds it now: starts at the place, moves up on escalation
    handling_path: tuple[uuid.UUID, ...]
    contact: Contact = field(default_factory=Contact)
    recorded_by_staff: bool = False   # a cadre recorded it on the resident's behalf
    visit_id: uuid.UUID | None = None
    pairing_id: uuid.UUID | None = None
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = False
    confidential: bool = False
    imported: bool = False
    external_ref: str | None = None
    photos: tuple[str, ...] = ()      # references into object storage, in submission order
    requester_key: str | None = None  # "r:<resident id>" or "p:<phone blind index>"
    status: Status = Status.RECEIVED
    involved_units: tuple[uuid.UUID, ...] = ()  # departments with a task (dispatch, whistle)
    accept_due: Deadline | None = None
    handle_due: Deadline | None = None
    feedback_due: Deadline | None = None
    paused_at: dt.datetime | None = None
    outcome: Outcome | None = None
    on_the_spot: bool = False
    resolution: str | None = None
    resolved_at: dt.datetime | None = None
    answer: str | None = None
    answer_channel: Channel | None = None
    answered_at: dt.datetime | None = None
    solved: bool | None = None
    satisfaction: Satisfaction | None = None
    rated_at: dt.datetime | None = None
    rated_by_staff: bool | None = None
    closed_at: dt.datetime | None = None
    close_reason: CloseReason | None = None
    master_id: uuid.UUID | None = None
    reopen_count: int = 0
    updated_at: dt.datetime | None = None
    version: int = 1

    @property
    def reach(self) -> tuple[uuid.UUID, ...]:
        """Every org unit whose subtree scope sees this ticket: its place, whoever handles it,
        and each department with a task."""
        seen: dict[uuid.UUID, None] = dict.fromkeys(
            (*self.org_path, *self.handling_path, *self.involved_units))
        return tuple(seen)

    @property
    def sensitive(self) -> bool:
        """Stability-risk items (涉稳) are shown only to roles cleared for them."""
        return stability_risk(self.kind, self.ledger)

    def advance(self, now: dt.datetime, **changes: object) -> Ticket:
        """The next version of this ticket with `changes` applied."""
        return replace(self, version=self.version + 1, updated_at=now, **changes)  # type: ignore[arg-type]
