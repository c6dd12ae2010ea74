"""GraphQL intake: `submitTicket`, from a resident's mini-program or a cadre recording a demand
on a resident's behalf."""

from __future__ import annotations

import uuid

import strawberry
from lianxin.kit.gqltypes import InvalidInputError
from lianxin.kit.ids import parse_id
from lianxin.kit.tokens import InvalidLinkToken
from lianxin.tickets.api.common import (
    STAFF_ROLES,
    GqlInfo,
    TicketResult,
    actor,
    ticket_result,
    uow,
)
from lianxin.tickets.api.enums import ChannelEnum, KindEnum, LedgerEnum, UrgencyEnum
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.domain.ticket import Contact, Kind, Ticket, Urgency


@strawberry.input(description="Who raised the demand, as far as known. Personal data: sealed at "
                              "rest, masked in answers, never in events")
class ContactInput:
    resident_id: strawberry.ID | None = None
    household_id: strawberry.ID | None = None
    name: str | None = None
    phone: str | None = strawberry.field(
        default=None, description="Mobile (13812345678) or landline with area code; +86 allowed")
    address: str | None = None


@strawberry.input(description="A demand to record. The client chooses the id, so a retried "
                              "submit from a phone with a weak signal creates one ticket (the "
                              "same id with other content is a ConflictError)")
class SubmitTicketInput:
    id: strawberry.ID
    channel: ChannelEnum  # type: ignore[valid-type]
    category: str = strawberry.field(description="A category code from the `categories` query, "
                                                 "e.g. water.supply")
    text: str = strawberry.field(description="What the resident said, verbatim (原汁原味), "
                                             "1–5000 characters")
    org_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where the demand belongs; optional with a pairingToken (the "
                                  "household's place)")
    kind: KindEnum = Kind.DEMAND  # type: ignore[valid-type]
    ledger: LedgerEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Default: STABILITY_RISK for that kind, else LIVELIHOOD")
    urgency: UrgencyEnum = Urgency.ROUTINE  # type: ignore[valid-type]
    contact: ContactInput | None = None
    visit_id: strawberry.ID | None = strawberry.field(
        default=None, description="The visit (走访) it was raised on")
    pairing_token: str | None = strawberry.field(
        default=None, description="A contact card's (党群连心卡) scanned QR payload or token: "
                                  "links the demand to the pairing and its household")
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = strawberry.field(default=False, description="No identity at all")
    confidential: bool = strawberry.field(
        default=False, description="Identity known but shown only to cleared staff")
    photos: list[str] = strawberry.field(
        default_factory=list,
        description="Photos of the problem, uploaded by the client first: each an https:// URL "
                    "or a WeChat cloud:// fileID (from wx.cloud.uploadFile); at most 9, each at "
                    "most 1024 characters, no spaces, no repeats. Kept in this order; part of "
                    "the content a retry must resend")


def _opt_id(value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    return parse_id(value, field) if value else None


def command(i: SubmitTicketInput) -> SubmitTicket:
    """The use case's command; malformed ids raise InvalidInput naming the field."""
    c = i.contact or ContactInput()
    contact = Contact(resident_id=_opt_id(c.resident_id, "contact.residentId"),
                      household_id=_opt_id(c.household_id, "contact.householdId"),
                      name=c.name, phone=c.phone, address=c.address)
    return SubmitTicket(
        id=parse_id(i.id, "id"), channel=i.channel, category=i.category, text=i.text,
        org_unit_id=_opt_id(i.org_unit_id, "orgUnitId"),
        kind=i.kind, ledger=i.ledger, urgency=i.urgency, contact=contact,
        visit_id=_opt_id(i.visit_id, "visitId"),
        pairing_token=i.pairing_token or None, latitude=i.latitude, longitude=i.longitude,
        anonymous=i.anonymous, confidential=i.confidential, photos=tuple(i.photos))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a demand (RECEIVED, with its code and acceptance "
                                      "deadline). Residents anywhere; cadres inside their org "
                                      "scope")
    async def submit_ticket(self, info: GqlInfo, input: SubmitTicketInput) -> TicketResult:
        who = actor(info, "resident", *STAFF_ROLES)

        async def run() -> Ticket:
            return await submit_ticket(command(input), uow(info), who)

        try:
            return await ticket_result(run())
        except InvalidLinkToken as exc:
            # A card that is not ours, expired or ended is bad input, not a failed request.
            return InvalidInputError(code=exc.code, message=exc.message,
                                     field="pairingToken")


TYPES: list[type] = []
