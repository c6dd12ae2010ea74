"""Contact cards (党群连心卡): the printable PDF of a unit's pairings, and reading a card's QR code.

The QR code holds a signed link token whose subject is the pairing id (lianxin.kit.tokens):
no name or number, so a card on a wall leaks nothing but a way to raise a demand.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.kit.pii import mask_phone
from lianxin.kit.tokens import (
    InvalidLinkToken,
    card_qr_payload,
    sign_token,
    token_from_qr_payload,
    verify_token,
)
from lianxin.people.adapters.cards import CardParty, ContactCard, render_cards_pdf
from lianxin.people.api import work_loaders as wl
from lianxin.people.api.common import GqlInfo, sees, staff, uow
from lianxin.people.api.pairings import PairingType
from lianxin.people.app import work_queries as q
from lianxin.people.app.register import today

CARD_PURPOSE = "contact-card"
CARD_TTL_SECONDS = 2 * 365 * 86_400  # cards are printed once and hang on the wall for years
NO_PHONE = "未登记"


@strawberry.type(name="PdfDocument", description="A generated PDF, base64-encoded")
class PdfDocumentType:
    filename: str
    content_type: str
    size_bytes: int
    card_count: int
    base64: str


def _secret(info: GqlInfo) -> str:
    secret: str = info.context.resources.pii.link_token_secret
    return secret


def _card(entry: q.CardSheetEntry, qr_payload: str) -> ContactCard:
    cadre, household, head = entry.cadre, entry.household, entry.head
    return ContactCard(
        card_no=entry.pairing.card_no,
        cadre=CardParty("联系干部", cadre.name, entry.cadre_unit.name if entry.cadre_unit else "",
                        mask_phone(cadre.phone) if cadre.phone else NO_PHONE),
        household=CardParty("联系户", head.name if head else f"户号 {household.household_no}",
                            entry.place,
                            mask_phone(head.phone) if head and head.phone else NO_PHONE),
        qr_payload=qr_payload, issued_on=today())


async def contact_cards_pdf(info: GqlInfo, org_unit_id: strawberry.ID) -> PdfDocumentType:
    """One PDF with a card for every active household pairing at or below the unit."""
    principal = staff(info)
    unit = await wl.unit_in_scope(info, parse_id(org_unit_id, "orgUnitId"), "orgUnitId")
    entries = [e for e in await q.card_sheet(uow(info), unit.id)
               if sees(principal, e.pairing.org_path)]
    secret, now = _secret(info), int(time.time())
    cards = [_card(e, card_qr_payload(sign_token(secret, CARD_PURPOSE, str(e.pairing.id),
                                                 ttl_seconds=CARD_TTL_SECONDS, now=now)))
             for e in entries]
    # Layout and QR encoding take a while for a whole township: keep the event loop free.
    # PeopleSettings.card_font; getattr because test contexts carry plain KitSettings.
    font = getattr(info.context.resources.settings, "card_font", None)
    pdf = await asyncio.to_thread(render_cards_pdf, cards, title=f"{unit.name} 党群连心卡",
                                  font_path=font)
    return PdfDocumentType(filename=f"党群连心卡-{unit.name}-{today().isoformat()}.pdf",
                           content_type="application/pdf", size_bytes=len(pdf),
                           card_count=len(cards), base64=base64.b64encode(pdf).decode())


async def contact_card(info: GqlInfo, qr_payload: str) -> PairingType | None:
    """The pairing a scanned card points to; INVALID_TOKEN if the code is not a valid card,
    null if the pairing is outside your org scope."""
    info.context.require()
    subject = verify_token(_secret(info), CARD_PURPOSE, token_from_qr_payload(qr_payload))
    try:
        pairing_id = uuid.UUID(subject)
    except ValueError:
        raise InvalidLinkToken("the code could not be read as a lianxin card; ask for a new card",
                               reason="malformed") from None
    [found] = await wl.load_pairings(info, [pairing_id])
    return PairingType.from_domain(found) if found else None
