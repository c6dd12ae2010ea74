"""Intake (登记): a demand from any channel becomes a RECEIVED ticket with its code, acceptance
deadline, first history line (五有: the problem) and TicketSubmitted, in one commit.

The client chooses the ticket id, so a phone retrying on a weak signal creates one ticket: a
retry with the same content gets the stored ticket back and writes nothing; the same id with
other content is a CONFLICT."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace

from lianxin.kit.ids import uuid7
from lianxin.kit.pii import normalise_phone
from lianxin.kit.tokens import InvalidLinkToken
from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.deadlines import deadline
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain import intake
from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.category import require_usable
from lianxin.tickets.domain.errors import InvalidTicket, OutOfScope, TicketIdConflict, UnknownOrgUnit
from lianxin.tickets.domain.events import TicketSubmitted
from lianxin.tickets.domain.people_refs import PairingRef
from lianxin.tickets.domain.sla import governing
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import (
    Channel,
    Contact,
    Kind,
    Ledger,
    OrgUnitRef,
    Status,
    Ticket,
    Urgency,
)


@dataclass(frozen=True, slots=True)
class SubmitTicket:
    """A demand to record. `org_unit_id` may be left out when `pairing_token` (a contact card's
    QR payload or token) names the household's pairing. `photos` are references the client got
    by uploading first (https:// URLs or WeChat cloud:// fileIDs). `submitted_at`, `imported` and
    `external_ref` are for the ledger importer; live intake is stamped with the clock."""

    id: uuid.UUID
    channel: Channel
    category: str
    text: str
    org_unit_id: uuid.UUID | None = None
    kind: Kind = Kind.DEMAND
    ledger: Ledger | None = None      # None: STABILITY_RISK for that kind, else LIVELIHOOD
    urgency: Urgency = Urgency.ROUTINE
    contact: Contact = field(default_factory=Contact)
    visit_id: uuid.UUID | None = None
    pairing_token: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = False
    confidential: bool = False
    submitted_at: dt.datetime | None = None
    imported: bool = False
    external_ref: str | None = None
    photos: tuple[str, ...] = ()


def _not_a_card(exc: InvalidLinkToken) -> InvalidLinkToken:
    return InvalidLinkToken(exc.message, field="pairingToken", **exc.details)


async def _pairing(uow: UnitOfWork, token: str, now: dt.datetime) -> PairingRef:
    try:
        pairing_id = uow.pairings.card_pairing_id(token, now)
    except InvalidLinkToken as exc:
        raise _not_a_card(exc) from None
    pairing = await uow.pairings.get(pairing_id)
    if pairing is None:
        # Cards of a pairing made a moment ago may scan before its event arrives.
        raise InvalidLinkToken("this contact card is not known here yet; try again in a minute, "
                               "or give the place instead", field="pairingToken",
                               reason="unknown_pairing")
    if not pairing.active:
        raise InvalidLinkToken("this contact card's pairing has ended; ask for the new card, or "
                               "give the place instead", field="pairingToken", reason="ended")
    return pairing


async def _place(uow: UnitOfWork, cmd: SubmitTicket, pairing: PairingRef | None) -> OrgUnitRef:
    unit_id = cmd.org_unit_id or (pairing.place_id if pairing else None)
    if unit_id is None:
        raise InvalidTicket("orgUnitId is required unless a pairingToken names the household",
                            field="orgUnitId")
    unit = await uow.org_units.get(unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"org unit {unit_id} is unknown to the tickets service; check the "
                             "id (a unit created a moment ago may take a second to arrive)",
                             field="orgUnitId" if cmd.org_unit_id else "pairingToken")
    return unit


def _contact(cmd: SubmitTicket, actor: Actor, pairing: PairingRef | None) -> Contact:
    c = cmd.contact
    phone = normalise_phone(c.phone, field="contact.phone") if c.phone and c.phone.strip() else None
    resident_id = c.resident_id
    if actor.is_resident:
        try:
            own: uuid.UUID | None = uuid.UUID(actor.subject)
        except ValueError:
            own = None  # a login subject that is not a resident id (e.g. a WeChat openid)
        if resident_id is not None and resident_id != own:
            # Whoever is named as the resident sees and rates the ticket.
            raise InvalidTicket("residents submit demands for themselves: leave "
                                "contact.residentId empty", field="contact.residentId")
        if not cmd.anonymous:
            resident_id = own
    household_id = c.household_id or (pairing.household_id if pairing else None)
    return intake.check_contact(replace(c, phone=phone, resident_id=resident_id,
                                        household_id=household_id), cmd.anonymous)


async def _check(cmd: SubmitTicket, uow: UnitOfWork, actor: Actor,
                 now: dt.datetime) -> intake.Intake:
    text = intake.check_text(cmd.text)
    intake.check_coordinates(cmd.latitude, cmd.longitude)
    photos = intake.check_photos(cmd.photos)
    submitted_at = intake.check_import(cmd.submitted_at, cmd.imported, cmd.external_ref, now)
    if cmd.imported and actor.is_resident:
        raise OutOfScope("only staff import ledgers", field="imported")
    categories = await uow.categories.lineage(cmd.category)
    if not (cmd.imported and cmd.category in categories):  # a ledger's past may use retired ones
        require_usable(categories, cmd.category)
    pairing = await _pairing(uow, cmd.pairing_token, now) if cmd.pairing_token else None
    place = await _place(uow, cmd, pairing)
    if not actor.is_resident and not actor.works_at(place.path):
        raise OutOfScope(f"{place.name} lies outside your org scope; record demands only where "
                         "you work", field="orgUnitId")
    return intake.Intake(
        id=cmd.id, place=place, channel=cmd.channel, kind=cmd.kind, category=cmd.category,
        ledger=intake.ledger_for(cmd.kind, cmd.ledger), urgency=cmd.urgency, text=text,
        submitted_by=actor.subject, submitted_at=submitted_at,
        contact=_contact(cmd, actor, pairing), recorded_by_staff=not actor.is_resident,
        visit_id=cmd.visit_id, pairing_id=pairing.id if pairing else None,
        latitude=cmd.latitude, longitude=cmd.longitude, anonymous=cmd.anonymous,
        confidential=cmd.confidential, imported=cmd.imported, external_ref=cmd.external_ref,
        photos=photos)


def _retry(draft: intake.Intake, stored: Ticket) -> Ticket:
    if not draft.same_as(stored):
        raise TicketIdConflict(f"ticket id {draft.id} was already used for another demand; a "
                               "retry must resend the same content, a new demand needs a new id",
                               field="id")
    return stored


async def _numbered(uow: UnitOfWork, draft: intake.Intake) -> Ticket:
    path = draft.place.path
    units = await uow.org_units.get_many(list(path))
    missing = set(path) - {u.id for u in units}
    if missing:  # people's events arrive per unit: an ancestor may lag; a code is forever
        raise UnknownOrgUnit(f"org unit {draft.place.id} is known but its ancestors "
                             f"{sorted(map(str, missing))} have not arrived yet; retry in a moment",
                             field="orgUnitId")
    county_id = intake.county_of(units, path)
    county = next(u for u in units if u.id == county_id)
    year = draft.submitted_at.astimezone(CHINA).year
    policy = governing(await uow.sla_policies.all(), draft.kind, draft.category, draft.urgency)
    accept_due = await deadline(uow, draft.submitted_at, policy.accept_days)
    # Counted by the code's prefix, not the county's id: two counties of one name (or a county
    # renamed to a name another had) must not hand out the same code. Drawn last: the counter
    # row stays locked until commit, so every other submit in the county waits for this one
    # from here on (bench/RESULTS.md, P3).
    number = await uow.tickets.next_code(county.name, year)
    return draft.ticket(intake.ticket_code(county.name, draft.submitted_at, number), accept_due)


async def submit_ticket(cmd: SubmitTicket, uow: UnitOfWork, actor: Actor,
                        clock: Clock = utcnow) -> Ticket:
    """Record a demand at its place (cadres only inside their org scope; residents anywhere);
    a retried submit returns the first ticket."""
    async with uow:
        now = clock()
        draft = await _check(cmd, uow, actor, now)
        found = await uow.tickets.get_many([cmd.id])
        if found:
            return _retry(draft, found[0])
        ticket = await _numbered(uow, draft)
        if not await uow.tickets.add(ticket):
            # An identical retry won the race and committed first: answer as a retry would
            # (leaving without commit also hands back the code number we drew).
            [winner] = await uow.tickets.get_many([cmd.id])
            return _retry(draft, winner)
        await uow.history.add(HistoryEntry(
            id=uuid7(), ticket_id=ticket.id, version=ticket.version, at=ticket.submitted_at,
            actor=actor.subject, actor_role=actor.role, action=Action.SUBMIT, from_status=None,
            to_status=Status.RECEIVED, details={"channel": ticket.channel.value,
                                                "kind": ticket.kind.value,
                                                "category": ticket.category}))
        uow.record(TicketSubmitted(ticket), occurred_at=ticket.submitted_at)
        await uow.commit()
        return ticket
