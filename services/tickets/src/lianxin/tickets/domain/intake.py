"""Intake (登记受理): the rules a new demand must meet and the ticket it becomes. The text is
kept exactly as given (原汁原味); everything else is checked here, each failure naming the
GraphQL input field to fix."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.errors import InvalidTicket
from lianxin.tickets.domain.ticket import (
    MAX_TEXT_LENGTH,
    Channel,
    Contact,
    Deadline,
    Kind,
    Ledger,
    OrgUnitRef,
    Ticket,
    Urgency,
)

MAX_NAME_LENGTH = 50
MAX_ADDRESS_LENGTH = 200
MAX_EXTERNAL_REF_LENGTH = 200


def ledger_for(kind: Kind, ledger: Ledger | None) -> Ledger:
    """The ledger (台账) a new ticket goes to: as given, else stability risks (涉稳) to their
    own ledger and everything else to livelihood demands (民生诉求)."""
    if ledger is not None:
        return ledger
    return Ledger.STABILITY_RISK if kind is Kind.STABILITY_RISK else Ledger.LIVELIHOOD


def check_text(text: str) -> str:
    if not text.strip():
        raise InvalidTicket("text must say what the resident asks for; it is empty",
                            field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidTicket(f"text must be at most {MAX_TEXT_LENGTH} characters, got {len(text)}; "
                            "split it into several demands or shorten it", field="text")
    return text


def check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidTicket("give both latitude and longitude, or neither",
                            field="latitude" if latitude is None else "longitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidTicket(f"latitude must be between -90 and 90 degrees, got {latitude}",
                            field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidTicket(f"longitude must be between -180 and 180 degrees, got {longitude}",
                            field="longitude")


def check_contact(contact: Contact, anonymous: bool) -> Contact:
    """The contact with blank fields dropped; an anonymous demand carries no identity."""
    name = contact.name.strip() if contact.name and contact.name.strip() else None
    address = contact.address.strip() if contact.address and contact.address.strip() else None
    if name and len(name) > MAX_NAME_LENGTH:
        raise InvalidTicket(f"contact.name must be at most {MAX_NAME_LENGTH} characters",
                            field="contact.name")
    if address and len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidTicket(f"contact.address must be at most {MAX_ADDRESS_LENGTH} characters",
                            field="contact.address")
    cleaned = replace(contact, name=name, address=address, phone=contact.phone or None)
    if anonymous and (cleaned.resident_id or cleaned.name or cleaned.phone or cleaned.address):
        raise InvalidTicket("an anonymous demand carries no name, phone, address or resident; "
                            "remove them, or use confidential to keep the identity from "
                            "handlers instead", field="anonymous")
    return cleaned


def check_import(submitted_at: dt.datetime | None, imported: bool, external_ref: str | None,
                 now: dt.datetime) -> dt.datetime:
    """When the ticket counts as submitted: now for live intake, the ledger's date for imports."""
    if external_ref is not None and len(external_ref) > MAX_EXTERNAL_REF_LENGTH:
        raise InvalidTicket(f"externalRef must be at most {MAX_EXTERNAL_REF_LENGTH} characters",
                            field="externalRef")
    if submitted_at is None:
        return now
    if not imported:
        raise InvalidTicket("submittedAt is set only when importing a ledger; live demands are "
                            "stamped with the time they arrive", field="submittedAt")
    if submitted_at.tzinfo is None:
        raise InvalidTicket("submittedAt needs a time zone (e.g. +08:00)", field="submittedAt")
    if submitted_at > now:
        raise InvalidTicket("submittedAt lies in the future", field="submittedAt")
    return submitted_at


def county_of(units: Sequence[OrgUnitRef], path: Sequence[uuid.UUID]) -> uuid.UUID:
    """The county a place belongs to (codes are numbered per county): the first unit on its
    path of kind county, else the root."""
    kinds = {u.id: u.kind for u in units}
    return next((p for p in path if kinds.get(p) == "county"), path[0])


def ticket_code(county_name: str, submitted_at: dt.datetime, number: int) -> str:
    """墨江县-2026-000042: per county and year (China time), never reused."""
    return f"{county_name}-{submitted_at.astimezone(CHINA).year}-{number:06d}"


@dataclass(frozen=True, slots=True)
class Intake:
    """A checked demand, before it gets its code and deadline."""

    id: uuid.UUID
    place: OrgUnitRef
    channel: Channel
    kind: Kind
    category: str
    ledger: Ledger
    urgency: Urgency
    text: str
    submitted_by: str
    submitted_at: dt.datetime
    contact: Contact
    recorded_by_staff: bool
    visit_id: uuid.UUID | None
    pairing_id: uuid.UUID | None
    latitude: float | None
    longitude: float | None
    anonymous: bool
    confidential: bool
    imported: bool
    external_ref: str | None

    def ticket(self, code: str, accept_due: Deadline | None) -> Ticket:
        """The new ticket: RECEIVED, handled where it was raised until someone moves it."""
        return Ticket(
            id=self.id, code=code, org_unit_id=self.place.id, org_path=self.place.path,
            channel=self.channel, kind=self.kind, category=self.category, ledger=self.ledger,
            urgency=self.urgency, text=self.text, submitted_by=self.submitted_by,
            submitted_at=self.submitted_at, handling_unit_id=self.place.id,
            handling_path=self.place.path, contact=self.contact,
            recorded_by_staff=self.recorded_by_staff, visit_id=self.visit_id,
            pairing_id=self.pairing_id, latitude=self.latitude, longitude=self.longitude,
            anonymous=self.anonymous, confidential=self.confidential, imported=self.imported,
            external_ref=self.external_ref, accept_due=accept_due, updated_at=self.submitted_at)

    def same_as(self, stored: Ticket) -> bool:
        """Whether `stored` was created by this very submission (a retry), whatever happened
        to it since. Live retries arrive later, so the time counts only for imports."""
        return (stored.org_unit_id, stored.channel, stored.kind, stored.category, stored.ledger,
                stored.urgency, stored.text, stored.submitted_by, stored.contact,
                stored.recorded_by_staff, stored.visit_id, stored.pairing_id, stored.latitude,
                stored.longitude, stored.anonymous, stored.confidential, stored.imported,
                stored.external_ref, stored.submitted_at if stored.imported else None) == (
                self.place.id, self.channel, self.kind, self.category, self.ledger,
                self.urgency, self.text, self.submitted_by, self.contact,
                self.recorded_by_staff, self.visit_id, self.pairing_id, self.latitude,
                self.longitude, self.anonymous, self.confidential, self.imported,
                self.external_ref, self.submitted_at if self.imported else None)
