"""Intake (登记受理): the rules a new demand must meet and the ticket it becomes. The text is
kept exactly as given (原汁原味); everything else is checked here, each failure naming the
GraphQL input field to fix."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

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
MAX_PHOTOS = 9                 # what WeChat's image picker (wx.chooseMedia) hands over at once
MAX_PHOTO_REF_LENGTH = 1024    # fileIDs and signed URLs run to a few hundred characters


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


def _bad_character(ref: str) -> str | None:
    """The first space or invisible character in a reference, described for the message: a
    reference must be copied verbatim to fetch the photo, and such characters do not survive
    that (or hide a different file behind a familiar-looking name)."""
    for position, ch in enumerate(ref, start=1):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
            name = unicodedata.name(ch, "control character")
            return f"U+{ord(ch):04X} ({name}) at character {position}"
    return None


def _https_problem(ref: str) -> str | None:
    try:
        url = urlsplit(ref)
        host = url.hostname
    except ValueError:  # e.g. an unclosed [ of an IPv6 host
        host = None
    if not host:
        return "has no host; an https URL looks like https://files.example.gov.cn/tickets/a.jpg"
    if url.username is not None or url.password is not None:
        # Everyone who may see the ticket sees its photo references.
        return ("carries a user name or password (user:password@host); give a URL without "
                "credentials, e.g. a signed URL")
    if url.path in ("", "/"):
        return "names no file (the URL ends at the host); give the photo's full URL"
    return None


def _photo_problem(ref: str) -> str | None:
    """What is wrong with one reference, as the rest of a sentence; None when it is fine."""
    if not ref:
        return "is empty; give the photo's https:// URL or cloud:// fileID, or leave it out"
    if len(ref) > MAX_PHOTO_REF_LENGTH:
        return (f"is {len(ref)} characters long, at most {MAX_PHOTO_REF_LENGTH} are allowed; "
                "store the photo under a shorter path")
    bad = _bad_character(ref)
    if bad is not None:
        return (f"contains {bad}; a reference holds no spaces or control characters: "
                "percent-encode them (a space is %20) or upload the photo under a plain name")
    if ref.startswith("https://"):
        return _https_problem(ref)
    if ref.startswith("cloud://"):
        env, _, path = ref.removeprefix("cloud://").partition("/")
        if not env or not path.strip("/"):
            return ("is not a WeChat cloud fileID; expected cloud://<env-id>/<path> as "
                    "wx.cloud.uploadFile returns it, e.g. cloud://prod-1a2b/tickets/a.jpg")
        return None
    if ref.startswith(("wxfile://", "http://tmp/", "http://usr/")):
        return ("is a temporary file on the phone; upload it with wx.cloud.uploadFile first and "
                "send the fileID it returns")
    if ref.startswith("http://"):
        return "uses http://; photos must be served over https://, or be a cloud:// fileID"
    if ref.startswith("data:"):
        return ("embeds the image; upload the photo first (wx.cloud.uploadFile or the county's "
                "store) and send its https:// URL or cloud:// fileID")
    return ("must be an https:// URL or a cloud:// fileID; upload the photo first and send the "
            "reference the upload returns")


def check_photos(photos: Sequence[str]) -> tuple[str, ...]:
    """Photo references as given, in order: each an https:// URL or a WeChat cloud:// fileID
    (the client uploads first; a ticket keeps references only), at most MAX_PHOTOS, none twice."""
    if len(photos) > MAX_PHOTOS:
        raise InvalidTicket(f"photos holds at most {MAX_PHOTOS} references, got {len(photos)}; "
                            "keep the ones that show the problem best", field="photos")
    first_at: dict[str, int] = {}
    for i, ref in enumerate(photos):
        field = f"photos[{i}]"
        problem = _photo_problem(ref)
        if problem is not None:
            raise InvalidTicket(f"{field} {problem}", field=field)
        if ref in first_at:
            raise InvalidTicket(f"{field} repeats photos[{first_at[ref]}]; send each photo once",
                                field=field)
        first_at[ref] = i
    return tuple(photos)


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
    photos: tuple[str, ...] = ()

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
            external_ref=self.external_ref, photos=self.photos, accept_due=accept_due,
            updated_at=self.submitted_at)

    def same_as(self, stored: Ticket) -> bool:
        """Whether `stored` was created by this very submission (a retry), whatever happened
        to it since. Live retries arrive later, so the time counts only for imports."""
        return (stored.org_unit_id, stored.channel, stored.kind, stored.category, stored.ledger,
                stored.urgency, stored.text, stored.submitted_by, stored.contact,
                stored.recorded_by_staff, stored.visit_id, stored.pairing_id, stored.latitude,
                stored.longitude, stored.anonymous, stored.confidential, stored.imported,
                stored.external_ref, stored.photos,
                stored.submitted_at if stored.imported else None) == (
                self.place.id, self.channel, self.kind, self.category, self.ledger,
                self.urgency, self.text, self.submitted_by, self.contact,
                self.recorded_by_staff, self.visit_id, self.pairing_id, self.latitude,
                self.longitude, self.anonymous, self.confidential, self.imported,
                self.external_ref, self.photos, self.submitted_at if self.imported else None)
