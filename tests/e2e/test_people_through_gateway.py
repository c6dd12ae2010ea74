"""Issue 3's acceptance, through the gateway as the cadre app would call it: a township cadre
lists villages and needy households, sees pairings against quota and the unpaired households,
downloads a village's contact cards and resolves a QR code, logs a visit twice (one visit);
a cadre of another township sees none of it; personal data is sealed and unmasking is audited."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import io
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_engine
from lianxin.kit.pii import id_check_digit

pytestmark = pytest.mark.e2e
ROOT = uuid.uuid4()
IDS = {name: str(uuid.uuid5(ROOT, name)) for name in (
    "county", "town_a", "village_a", "town_b", "village_b", "h1", "h2", "h3", "r1", "r2", "r3",
    "tag1", "cadre_a", "cadre_b", "p1", "visit")}
PHONE = "13987654321"
ID17 = "53082219800808123"
ID_NUMBER = ID17 + id_check_digit(ID17)
TODAY = dt.date.today()


def ok(result: dict[str, Any], field: str, typename: str) -> dict[str, Any]:
    assert "errors" not in result, result
    answer: dict[str, Any] = result["data"][field]
    assert answer["__typename"] == typename, answer
    return answer


def mutate(gql: Any, field: str, input_type: str, typename: str, value: dict[str, Any]) -> Any:
    query = (f"mutation($i: {input_type}!) {{ {field}(input: $i) {{ __typename "
             f"... on {typename} {{ id }} ... on UserError {{ code message field }} }} }}")
    return ok(gql(query, i=value), field, typename)


@pytest.fixture(scope="module")
def county(gql: Any) -> dict[str, str]:
    """Two townships with a village each; three households in village A (one needy, one
    paired), a cadre in each township."""
    units = [("county", None, "验收县", "COUNTY"), ("town_a", "county", "甲镇", "TOWNSHIP"),
             ("village_a", "town_a", "甲村", "VILLAGE"), ("town_b", "county", "乙镇", "TOWNSHIP"),
             ("village_b", "town_b", "乙村", "VILLAGE")]
    for key, parent, name, kind in units:
        mutate(gql, "createOrgUnit", "CreateOrgUnitInput", "OrgUnit", {
            "id": IDS[key], "name": name, "kind": kind,
            "parentId": IDS[parent] if parent else None})
    for n, key in enumerate(("h1", "h2", "h3"), start=1):
        mutate(gql, "registerHousehold", "RegisterHouseholdInput", "Household", {
            "id": IDS[key], "orgUnitId": IDS["village_a"], "householdNo": f"JC-{n:03d}",
            "address": f"验收县甲镇甲村一组{n}号"})
    mutate(gql, "registerResident", "RegisterResidentInput", "Resident", {
        "id": IDS["r1"], "householdId": IDS["h1"], "name": "李秀英", "gender": "FEMALE",
        "birthYear": 1980, "relation": "HEAD", "phone": PHONE, "idNumber": ID_NUMBER})
    mutate(gql, "addNeedsTag", "AddNeedsTagInput", "NeedsTag", {
        "id": IDS["tag1"], "householdId": IDS["h1"], "kind": "ILLNESS",
        "since": (TODAY - dt.timedelta(days=30)).isoformat()})
    for key, town in (("cadre_a", "town_a"), ("cadre_b", "town_b")):
        mutate(gql, "registerCadre", "RegisterCadreInput", "Cadre", {
            "id": IDS[key], "name": "张建华" if key == "cadre_a" else "王志强",
            "workUnitId": IDS[town], "rank": "SECTION", "partyMember": True,
            "phone": "13600001111", "subject": f"{key}-{ROOT}"})
    mutate(gql, "createPairing", "CreatePairingInput", "Pairing", {
        "id": IDS["p1"], "cadreId": IDS["cadre_a"], "householdId": IDS["h1"],
        "startedOn": (TODAY - dt.timedelta(days=10)).isoformat()})
    return IDS


@pytest.fixture(scope="module")
def cadre_a(stack: Any, county: dict[str, str]) -> str:
    return str(stack.token(role="cadre", org_scope=[county["town_a"]],
                           subject=f"cadre_a-{ROOT}"))


@pytest.fixture(scope="module")
def cadre_b(stack: Any, county: dict[str, str]) -> str:
    return str(stack.token(role="cadre", org_scope=[county["town_b"]],
                           subject=f"cadre_b-{ROOT}"))


TOWNSHIP_VIEW = """query($town: ID!) { orgUnit(id: $town) { name
  descendants(kinds: [VILLAGE]) { name
    households(needsHelp: true) { nodes { householdNo needsTags { kind }
      head { name phone } } } }
  cadres { nodes { name quota { required actual met shortfall }
    pairings { household { householdNo } cardNo } } }
  unpairedHouseholds { nodes { householdNo } } } }"""


def test_a_township_cadre_sees_villages_needy_households_quota_and_gaps(
        gql: Any, county: dict[str, str], cadre_a: str) -> None:
    result = gql(TOWNSHIP_VIEW, token=cadre_a, town=county["town_a"])
    assert "errors" not in result, result
    town = result["data"]["orgUnit"]
    [village] = town["descendants"]
    assert village["name"] == "甲村"
    assert village["households"]["nodes"] == [{
        "householdNo": "JC-001", "needsTags": [{"kind": "ILLNESS"}],
        "head": {"name": "李秀英", "phone": "139****4321"}}]  # masked by default
    [cadre] = town["cadres"]["nodes"]
    assert cadre["quota"] == {"required": 3, "actual": 1, "met": False, "shortfall": 2}
    assert [p["household"]["householdNo"] for p in cadre["pairings"]] == ["JC-001"]
    assert [h["householdNo"] for h in town["unpairedHouseholds"]["nodes"]] == ["JC-002", "JC-003"]


def test_contact_cards_pdf_carries_a_qr_code_that_opens_the_pairing(
        gql: Any, county: dict[str, str], cadre_a: str) -> None:
    import pypdfium2  # type: ignore[import-untyped]
    import zxingcpp  # type: ignore[import-not-found]

    result = gql("""query($v: ID!) { contactCardsPdf(orgUnitId: $v) { filename contentType
        cardCount base64 } }""", token=cadre_a, v=county["village_a"])
    assert "errors" not in result, result
    doc = result["data"]["contactCardsPdf"]
    assert doc["contentType"] == "application/pdf" and doc["cardCount"] == 1
    pdf = pypdfium2.PdfDocument(io.BytesIO(base64.b64decode(doc["base64"])))
    image = pdf[0].render(scale=200 / 72).to_pil()
    [code] = zxingcpp.read_barcodes(image)
    opened = gql("query($q: String!) { contactCard(qrPayload: $q) { id cadre { name } } }",
                 token=cadre_a, q=code.text)
    assert opened["data"]["contactCard"] == {"id": county["p1"], "cadre": {"name": "张建华"}}


def test_a_visit_logged_twice_is_kept_once(gql: Any, county: dict[str, str], cadre_a: str) -> None:
    visit = {"id": county["visit"], "kind": "HOME_VISIT", "cadreId": county["cadre_a"],
             "visitedOn": TODAY.isoformat(), "householdIds": [county["h1"]],
             "notes": "了解看病报销情况"}
    query = """mutation($i: LogVisitInput!) { logVisit(input: $i) { __typename
        ... on Visit { id } ... on UserError { code } } }"""
    first, second = (gql(query, token=cadre_a, i=visit) for _ in range(2))
    assert first == second == {"data": {"logVisit": {"__typename": "Visit", "id": county["visit"]}}}
    visits = gql("query($c: ID!) { cadre(id: $c) { visits { nodes { id } } } }",
                 token=cadre_a, c=county["cadre_a"])
    assert visits["data"]["cadre"]["visits"]["nodes"] == [{"id": county["visit"]}]


def test_a_cadre_of_another_township_sees_none_of_it(
        gql: Any, county: dict[str, str], cadre_b: str) -> None:
    assert gql(TOWNSHIP_VIEW, token=cadre_b, town=county["town_a"])["data"] == {"orgUnit": None}
    for field, key in (("household", "h1"), ("resident", "r1"), ("cadre", "cadre_a"),
                       ("pairing", "p1"), ("visit", "visit")):
        result = gql(f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", token=cadre_b, id=county[key])
        assert result["data"] == {field: None}, (field, result)
    cards = gql("query($v: ID!) { contactCardsPdf(orgUnitId: $v) { cardCount } }",
                token=cadre_b, v=county["village_a"])
    assert [e["extensions"]["code"] for e in cards["errors"]] == ["FORBIDDEN"]


def test_personal_data_is_sealed_and_unmasking_is_audited(
        stack: Any, gql: Any, county: dict[str, str]) -> None:
    token = stack.token(role="cadre", org_scope=[county["town_a"]], subject="auditor-1",
                        permissions=["pii:read"])
    result = gql("""query($r: ID!) { resident(id: $r) {
        phone(unmasked: true, reason: "回访核实") idNumber } }""", token=token, r=county["r1"])
    assert result["data"]["resident"] == {"phone": PHONE,
                                          "idNumber": ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]}

    async def read_db() -> tuple[list[bytes], list[Any]]:
        engine = make_engine(stack.database_url("people"), pool_size=2)
        try:
            async with engine.connect() as conn:
                # Every column of the register as text (bytea as its raw bytes), and every event.
                dump = (await conn.execute(sa.text(
                    "SELECT convert_to(r::text, 'UTF8') FROM resident r UNION ALL "
                    "SELECT convert_to(h::text, 'UTF8') FROM household h UNION ALL "
                    "SELECT phone_enc FROM resident UNION ALL SELECT address_enc FROM household "
                    "UNION ALL SELECT envelope FROM outbox"))).scalars().all()
                audit = (await conn.execute(sa.text(
                    "SELECT subject, field, reason FROM pii_access WHERE entity_id = :id"),
                    {"id": uuid.UUID(county["r1"])})).all()
        finally:
            await engine.dispose()
        return [bytes(d) for d in dump if d is not None], list(audit)

    dump, audit = asyncio.run(read_db())
    secrets = [PHONE.encode(), ID_NUMBER.encode(), "一组1号".encode()]
    assert len(dump) > 5 and not any(s in row for s in secrets for row in dump)
    assert [tuple(a) for a in audit] == [("auditor-1", "phone", "回访核实")]
