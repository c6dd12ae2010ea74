"""Ticket (工单): a demand, opinion or complaint, recorded verbatim (原汁原味)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from lianxin.tickets.domain.errors import InvalidTicket, TicketIdConflict

MAX_TEXT_LENGTH = 5000

# The seeds' categories; a full taxonomy tree arrives with the tickets issue.
CATEGORIES = ("water", "power", "road", "gas", "housing", "medical", "schooling",
              "social_security", "employment", "environment", "public_order", "other")


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


class Status(enum.Enum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    MERGED = "merged"


@dataclass(frozen=True, slots=True)
class OrgUnitRef:
    """Local read model of a people-service org unit, fed by OrgUnitCreated."""

    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    kind: str
    path: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class Ticket:
    id: uuid.UUID
    org_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]
    channel: Channel
    category: str
    text: str
    submitted_by: str
    submitted_at: dt.datetime
    status: Status = Status.RECEIVED
    version: int = 1

    def same_submission(self, other: Ticket) -> bool:
        return ((self.org_unit_id, self.channel, self.category, self.text, self.submitted_by) ==
                (other.org_unit_id, other.channel, other.category, other.text, other.submitted_by))


def submit(ticket_id: uuid.UUID, org_unit: OrgUnitRef, channel: Channel, category: str,
           text: str, submitted_by: str, now: dt.datetime,
           existing: Ticket | None = None) -> tuple[Ticket, bool]:
    """Validate a submission; returns (ticket, created). A retry with the same id and content
    returns the stored ticket (a weak signal must not create two tickets)."""
    if not text.strip():
        raise InvalidTicket("text must not be empty: record what the resident said", field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidTicket(f"text must be at most {MAX_TEXT_LENGTH} characters", field="text")
    if category not in CATEGORIES:
        raise InvalidTicket(f"category must be one of {', '.join(CATEGORIES)}; got {category!r}",
                            field="category")
    ticket = Ticket(id=ticket_id, org_unit_id=org_unit.id, org_path=org_unit.path,
                    channel=channel, category=category, text=text, submitted_by=submitted_by,
                    submitted_at=now)
    if existing is not None:
        if not existing.same_submission(ticket):
            raise TicketIdConflict(f"ticket {ticket_id} was already submitted with other "
                                   "content; use a new id", field="id")
        return existing, False
    return ticket, True
