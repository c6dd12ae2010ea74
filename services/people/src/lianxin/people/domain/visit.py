"""Visits and people's-condition diaries (走访 / 民情日记): a home visit, a courtyard meeting
(院坝会), a forum (座谈会) or a reception day (接待日)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from lianxin.people.domain.common import clean_text
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.org import OrgUnit

MAX_NOTES, MAX_PLACE, MAX_LINKS = 10_000, 200, 200


class VisitKind(enum.Enum):
    HOME_VISIT = "home_visit"                # 入户走访
    COURTYARD_MEETING = "courtyard_meeting"  # 院坝会
    FORUM = "forum"                          # 座谈会
    RECEPTION_DAY = "reception_day"          # 接待日


@dataclass(frozen=True, slots=True)
class Visit:
    id: uuid.UUID
    kind: VisitKind
    cadre_id: uuid.UUID
    org_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]
    visited_on: dt.date
    place: str
    notes: str
    participant_cadre_ids: tuple[uuid.UUID, ...] = ()
    household_ids: tuple[uuid.UUID, ...] = ()
    ticket_ids: tuple[uuid.UUID, ...] = ()
    campaign_id: uuid.UUID | None = None

    def same_content(self, other: object) -> bool:
        return isinstance(other, Visit) and all(
            getattr(self, f) == getattr(other, f) for f in (
                "kind", "cadre_id", "org_unit_id", "visited_on", "place", "notes",
                "participant_cadre_ids", "household_ids", "ticket_ids", "campaign_id"))


def new_visit(visit_id: uuid.UUID, kind: VisitKind, *, cadre_id: uuid.UUID, place_unit: OrgUnit,
              visited_on: dt.date, today: dt.date, place: str, notes: str,
              participant_cadre_ids: list[uuid.UUID], household_ids: list[uuid.UUID],
              ticket_ids: list[uuid.UUID], campaign_id: uuid.UUID | None) -> Visit:
    """A visit as the cadre's app recorded it (possibly days later, offline)."""
    if visited_on > today:
        raise InvalidInput(f"visitedOn {visited_on} is in the future", field="visitedOn")
    households = tuple(dict.fromkeys(household_ids))
    if kind is VisitKind.HOME_VISIT and len(households) != 1:
        raise InvalidInput("a home visit (入户走访) is to exactly one household: give one "
                           "householdIds entry", field="householdIds")
    for ids, field in ((households, "householdIds"), (ticket_ids, "ticketIds"),
                       (participant_cadre_ids, "participantCadreIds")):
        if len(ids) > MAX_LINKS:
            raise InvalidInput(f"{field} may list at most {MAX_LINKS}", field=field)
    return Visit(id=visit_id, kind=kind, cadre_id=cadre_id, org_unit_id=place_unit.id,
                 org_path=place_unit.path, visited_on=visited_on,
                 place=clean_text(place, "place", max_length=MAX_PLACE, required=False),
                 notes=clean_text(notes, "notes", max_length=MAX_NOTES, required=False),
                 participant_cadre_ids=tuple(p for p in dict.fromkeys(participant_cadre_ids)
                                             if p != cadre_id),
                 household_ids=households, ticket_ids=tuple(dict.fromkeys(ticket_ids)),
                 campaign_id=campaign_id)
