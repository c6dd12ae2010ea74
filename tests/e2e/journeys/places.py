"""The world a journey starts from, set up by an administrator through the gateway: a county of
its own (fresh ids, so journeys share the session's stack without seeing each other's
tickets), households, residents, cadres and their pairings — and the contact cards people prints.

The tickets and assessment services learn org units and pairings from people's events, a moment
later. The `wait_*` functions wait until they have, without writing anything, so the journeys'
first steps meet a settled system (a front end would meet NOT_FOUND and try again)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from typing import Any

from gql.transport.exceptions import TransportQueryError
from journeys.frontends import App, answer
from journeys.waiting import eventually

CREATE_UNIT = """mutation CreateOrgUnit($input: CreateOrgUnitInput!) {
  createOrgUnit(input: $input) { __typename ... on OrgUnit { id } ... on UserError { code message } } }"""
REGISTER_HOUSEHOLD = """mutation RegisterHousehold($input: RegisterHouseholdInput!) {
  registerHousehold(input: $input) { __typename ... on UserError { code message field } } }"""
REGISTER_RESIDENT = """mutation RegisterResident($input: RegisterResidentInput!) {
  registerResident(input: $input) { __typename ... on UserError { code message field } } }"""
REGISTER_CADRE = """mutation RegisterCadre($input: RegisterCadreInput!) {
  registerCadre(input: $input) { __typename ... on UserError { code message field } } }"""
CREATE_PAIRING = """mutation CreatePairing($input: CreatePairingInput!) {
  createPairing(input: $input) { __typename ... on UserError { code message field } } }"""
TICKETS_KNOW_UNIT = """query TicketsKnowUnit($id: ID!) {
  orgUnit(id: $id) { id tickets(first: 1) { totalCount } } }"""
ASSESSMENT_KNOWS_UNIT = """query AssessmentKnowsUnit($id: ID!) { dashboard(orgUnitId: $id) { orgUnitId } }"""
CONTACT_CARDS = """query ContactCards($unit: ID!) {
  contactCardsPdf(orgUnitId: $unit) { filename cardCount base64 } }"""
PROBE_CARD = """mutation ProbeCard($input: SubmitTicketInput!) {
  submitTicket(input: $input) { __typename ... on UserError { code field } } }"""

Layout = list[tuple[str, str | None, str, str]]   # key, parent key, name, kind


def china_today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def create_area(admin: App, layout: Layout) -> dict[str, str]:
    """Create the org units (parents first); their ids by key."""
    ids: dict[str, str] = {}
    for key, parent, name, kind in layout:
        ids[key] = str(uuid.uuid4())
        answer(admin.run(CREATE_UNIT, input={"id": ids[key], "name": name, "kind": kind,
                                             "parentId": ids[parent] if parent else None}),
               "OrgUnit")
    return ids


def register_household(admin: App, village: str, number: str, head: str, phone: str) -> tuple[str, str]:
    """A household with its head; (household id, resident id)."""
    household, resident = str(uuid.uuid4()), str(uuid.uuid4())
    answer(admin.run(REGISTER_HOUSEHOLD, input={
        "id": household, "orgUnitId": village, "householdNo": number,
        "address": f"{number} 号"}), "Household")
    answer(admin.run(REGISTER_RESIDENT, input={
        "id": resident, "householdId": household, "name": head, "gender": "FEMALE",
        "birthYear": 1968, "relation": "HEAD", "phone": phone}), "Resident")
    return household, resident


def register_cadre(admin: App, unit: str, name: str, subject: str) -> str:
    """A cadre working at `unit`, whose login is `subject` (the token's sub)."""
    cadre = str(uuid.uuid4())
    answer(admin.run(REGISTER_CADRE, input={
        "id": cadre, "name": name, "workUnitId": unit, "partyMember": True,
        "rank": "VILLAGE_CADRE", "phone": "13700001111", "subject": subject}),
        "Cadre")
    return cadre


def pair(admin: App, cadre: str, household: str) -> str:
    """结对联户: the cadre takes the household on; the pairing's id."""
    pairing = str(uuid.uuid4())
    answer(admin.run(CREATE_PAIRING, input={
        "id": pairing, "cadreId": cadre, "householdId": household,
        "startedOn": (china_today() - dt.timedelta(days=30)).isoformat()}),
        "Pairing")
    return pairing


def scan_contact_cards(cadre_app: App, unit: str) -> list[str]:
    """Print the unit's contact cards (one PDF) and read every QR code on them, as a phone's
    camera would: the texts the mini-program gets from scanning."""
    import pypdfium2  # type: ignore[import-untyped]
    import zxingcpp  # type: ignore[import-not-found]

    pdf = cadre_app.run(CONTACT_CARDS, unit=unit)["contactCardsPdf"]
    document = pypdfium2.PdfDocument(io.BytesIO(base64.b64decode(pdf["base64"])))
    texts = [code.text for page in document
             for code in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())]
    assert len(texts) == pdf["cardCount"], (texts, pdf["cardCount"])
    return texts


def _errors(call: Any) -> list[Any]:
    try:
        call()
    except TransportQueryError as exc:
        return list(exc.errors or [exc])
    return []


def wait_until_tickets_knows(admin: App, *units: str) -> None:
    """Until the tickets service holds every unit (else NOT_FOUND on its OrgUnit fields)."""
    for unit in units:
        eventually(lambda unit=unit: _errors(lambda: admin.run(TICKETS_KNOW_UNIT, id=unit)),
                   lambda errors: not errors)


def wait_until_assessment_knows(admin: App, unit: str) -> None:
    """Until the assessment service holds the unit (else NOT_FOUND on its dashboard)."""
    eventually(lambda: _errors(lambda: admin.run(ASSESSMENT_KNOWS_UNIT, id=unit)),
               lambda errors: not errors)


def wait_until_tickets_knows_card(admin: App, qr_text: str) -> None:
    """Until the tickets service holds the card's pairing. The probe names a place that does not
    exist: intake checks the card first (INVALID_TOKEN while the pairing is unknown), then the
    place (NOT_FOUND) — so it writes nothing either way."""
    def probe() -> dict[str, Any]:
        found: dict[str, Any] = admin.run(PROBE_CARD, input={
            "id": str(uuid.uuid4()), "orgUnitId": str(uuid.uuid4()), "channel": "APP",
            "category": "water.supply", "text": "probe", "pairingToken": qr_text})["submitTicket"]
        return found

    eventually(probe, lambda r: r["__typename"] == "NotFoundError" and r["field"] == "orgUnitId")
