"""Pairings (结对 / 联户): a cadre paired with a household or a contact point (联系点), each
with its contact card (党群连心卡)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace

from lianxin.people.domain.cadre import Cadre
from lianxin.people.domain.campaign import Campaign
from lianxin.people.domain.common import check_period, clean_text
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.org import OrgUnit, OrgUnitKind
from lianxin.people.domain.register import Household

CONTACT_POINT_KINDS = (OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY, OrgUnitKind.DEPARTMENT,
                       OrgUnitKind.TOWNSHIP)
MAX_REASON = 200


@dataclass(frozen=True, slots=True)
class Pairing:
    id: uuid.UUID
    cadre_id: uuid.UUID
    household_id: uuid.UUID | None
    contact_point_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    org_path: tuple[uuid.UUID, ...]  # of the household's unit, or of the contact point
    started_on: dt.date
    card_no: str = ""  # assigned by the repository on insert (a county-wide sequence)
    ended_on: dt.date | None = None
    end_reason: str | None = None
    version: int = 1

    @property
    def active(self) -> bool:
        return self.ended_on is None

    def same_content(self, other: object) -> bool:
        return isinstance(other, Pairing) and (
            (self.cadre_id, self.household_id, self.contact_point_id, self.campaign_id,
             self.started_on) ==
            (other.cadre_id, other.household_id, other.contact_point_id, other.campaign_id,
             other.started_on))


def new_pairing(pairing_id: uuid.UUID, cadre: Cadre, *, household: Household | None,
                contact_point: OrgUnit | None, campaign: Campaign | None,
                started_on: dt.date) -> Pairing:
    """Pair a cadre with exactly one household or one contact point."""
    if (household is None) == (contact_point is None):
        raise InvalidInput("give exactly one of householdId and contactPointId",
                           field="householdId")
    if contact_point is not None and contact_point.kind not in CONTACT_POINT_KINDS:
        raise InvalidInput(f"a contact point is a village, community, township or department, "
                           f"not a {contact_point.kind.name}", field="contactPointId")
    if campaign is not None and not campaign.starts_on <= started_on <= campaign.ends_on:
        raise InvalidInput(f"startedOn {started_on} lies outside the campaign "
                           f"({campaign.starts_on} – {campaign.ends_on})", field="startedOn")
    path = household.org_path if household else contact_point.path  # type: ignore[union-attr]
    return Pairing(id=pairing_id, cadre_id=cadre.id,
                   household_id=household.id if household else None,
                   contact_point_id=contact_point.id if contact_point else None,
                   campaign_id=campaign.id if campaign else None, org_path=path,
                   started_on=started_on)


def ended_pairing(pairing: Pairing, ended_on: dt.date, reason: str) -> Pairing:
    if not pairing.active:
        raise InvalidInput(f"pairing {pairing.id} already ended on {pairing.ended_on}",
                           field="id")
    check_period(pairing.started_on, ended_on, "startedOn", "endedOn")
    return replace(pairing, ended_on=ended_on,
                   end_reason=clean_text(reason, "reason", max_length=MAX_REASON),
                   version=pairing.version + 1)
