"""The value types a Ticket is made of: its deadlines, its history (the "five haves" 五有) and
who raised it (masked)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.tickets.api.enums import StatusEnum
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import Deadline

if TYPE_CHECKING:
    from lianxin.tickets.api.entities import HouseholdType, ResidentType

TicketActionEnum = strawberry.enum(Action, name="TicketAction",
                                   description="A step in a ticket's history")


@strawberry.type(name="Deadline", description="When a step must be done by (end of a working "
                                              "day, China time)")
class DeadlineType:
    at: dt.datetime
    provisional: bool = strawberry.field(description="Computed past the years the working-day "
                                         "calendar knows (weekdays only); recomputed once the "
                                         "year is loaded")
    overdue: bool = strawberry.field(description="The step is not done, its clock runs (not "
                                     "paused) and the deadline has passed (as of now)")

    @classmethod
    def of(cls, deadline: Deadline | None, overdue: bool) -> DeadlineType | None:
        if deadline is None:
            return None
        return cls(at=deadline.at, provisional=deadline.provisional, overdue=overdue)


@strawberry.type(name="HistoryDetail", description="One detail of a history line: ids, codes "
                                                   "and numbers, never personal data")
class HistoryDetailType:
    key: str
    value: str | None = strawberry.field(description="The value as text (numbers and true/"
                                         "false too); null when the detail is empty")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@strawberry.type(name="TicketHistoryEntry", description="One step of the ticket: who did what, "
                 "when, from which state to which, and why (the five haves 五有: problem, "
                 "acceptance, handling, feedback, reflection)")
class TicketHistoryEntryType:
    at: dt.datetime
    actor: str = strawberry.field(description="The token subject of whoever acted ('system' "
                                  "for the scheduler)")
    actor_role: str
    action: TicketActionEnum  # type: ignore[valid-type]
    from_status: StatusEnum | None  # type: ignore[valid-type]
    to_status: StatusEnum  # type: ignore[valid-type]
    note: str
    details: list[HistoryDetailType] = strawberry.field(description="Key/value pairs, sorted by "
                                                        "key")

    @classmethod
    def from_domain(cls, e: HistoryEntry) -> TicketHistoryEntryType:
        return cls(at=e.at, actor=e.actor, actor_role=e.actor_role, action=e.action,
                   from_status=e.from_status, to_status=e.to_status, note=e.note,
                   details=[HistoryDetailType(key=k, value=_text(v))
                            for k, v in sorted(e.details.items())])


HouseholdRef = Annotated["HouseholdType", strawberry.lazy("lianxin.tickets.api.entities")]
ResidentRef = Annotated["ResidentType", strawberry.lazy("lianxin.tickets.api.entities")]


@strawberry.type(name="TicketContact", description="Who raised the demand, as far as known; "
                 "name, phone and address masked unless asked for unmasked")
class TicketContactType:
    resident_id: strawberry.ID | None
    household_id: strawberry.ID | None
    name: str | None
    phone: str | None
    address: str | None

    @strawberry.field(description="The resident's household (people service)")
    def household(self) -> HouseholdRef | None:
        from lianxin.tickets.api.entities import HouseholdType

        return HouseholdType(id=self.household_id) if self.household_id else None

    @strawberry.field(description="The resident (people service)")
    def resident(self) -> ResidentRef | None:
        from lianxin.tickets.api.entities import ResidentType

        return ResidentType(id=self.resident_id) if self.resident_id else None


def gql_id(value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None
