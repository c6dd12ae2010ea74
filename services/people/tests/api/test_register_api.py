"""The register through `schema.execute` on a real migrated database: personal data sealed at
rest, masked in answers, audited when unmasked; scope; needy and unpaired households."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_sessions
from lianxin.kit.envelope import unwrap
from lianxin.kit.pii import id_check_digit
from lianxin.people.adapters.uow import PeopleUnitOfWork
from lianxin.people.api.schema import build_schema
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.app.register import today
from lianxin.people.domain import OrgUnitKind
from lianxin.people.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
COUNTY, TOWN_A, GUINENG, TOWN_B, BIXI = (str(uuid.UUID(int=i)) for i in (1, 2, 3, 4, 5))
H1, H2, H3, HB = (str(uuid.UUID(int=100 + i)) for i in range(4))
R1, R2, RB = (str(uuid.UUID(int=200 + i)) for i in range(3))
PHONE, PHONE_B = "13812341234", "13698765432"
TODAY = today()


def id_number(birth: str, seq: str) -> str:
    first17 = f"530822{birth}{seq}"
    return first17 + id_check_digit(first17)


WANG_ID, LI_ID, ZHAO_ID = id_number("19560312", "011"), id_number("19600708", "014"), \
    id_number("19700101", "021")
ADDRESS = "联珠镇癸能村三组12号"
RESULT = "__typename ... on UserError { code message field }"
REG_HOUSEHOLD = f"""mutation($input: RegisterHouseholdInput!) {{ registerHousehold(input: $input) {{
  {RESULT} ... on Household {{ id householdNo address }} }} }}"""
REG_RESIDENT = f"""mutation($input: RegisterResidentInput!) {{ registerResident(input: $input) {{
  {RESULT} ... on Resident {{ id phone idNumber household {{ head {{ name }} }} }} }} }}"""
ADD_TAG = f"""mutation($input: AddNeedsTagInput!) {{ addNeedsTag(input: $input) {{
  {RESULT} ... on NeedsTag {{ id kind active }} }} }}"""


@pytest.fixture(scope="module")
def schema() -> Any:
    return build_schema()


@pytest.fixture
async def engine(migrated_engine: Any, pii: Any) -> AsyncEngine:
    """墨江县 › 联珠镇 › 癸能村 and 墨江县 › 通关镇 › 碧溪村."""
    engine: AsyncEngine = await migrated_engine(SPEC.migrations_dir)
    sessions = make_sessions(engine)
    for uid, name, kind, parent in ((COUNTY, "墨江县", OrgUnitKind.COUNTY, None),
                                    (TOWN_A, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY),
                                    (GUINENG, "癸能村", OrgUnitKind.VILLAGE, TOWN_A),
                                    (TOWN_B, "通关镇", OrgUnitKind.TOWNSHIP, COUNTY),
                                    (BIXI, "碧溪村", OrgUnitKind.VILLAGE, TOWN_B)):
        await create_org_unit(CreateOrgUnit(uuid.UUID(uid), name, kind,
                                            uuid.UUID(parent) if parent else None),
                              PeopleUnitOfWork(sessions, pii))
    return engine


async def run(schema: Any, ctx: Any, query: str, **variables: Any) -> Any:
    return await schema.execute(query, variable_values=variables, context_value=ctx)


async def ok(schema: Any, ctx: Any, query: str, **variables: Any) -> Any:
    result = await run(schema, ctx, query, **variables)
    assert result.errors is None, result.errors
    payload = next(iter(result.data.values()))
    assert payload.get("__typename") not in ("InvalidInputError", "NotFoundError",
                                             "ConflictError"), payload
    return payload


def cadre_a(graphql_context: Any, engine: AsyncEngine, *perms: str) -> Any:
    return graphql_context(engine, role="cadre", org_scope=(TOWN_A,), subject="cadre-a",
                           permissions=perms)


async def register(schema: Any, engine: AsyncEngine, graphql_context: Any) -> None:
    """癸能村: 王建国 (head, phone, ill) and 李秀英 in GN-001; GN-002, GN-003. 碧溪村: 赵 in BX-001."""
    a, admin = cadre_a(graphql_context, engine), graphql_context(engine)
    for hid, unit, no, ctx in ((H1, GUINENG, "GN-001", a), (H2, GUINENG, "GN-002", a),
                               (H3, GUINENG, "GN-003", a), (HB, BIXI, "BX-001", admin)):
        await ok(schema, ctx, REG_HOUSEHOLD, input={"id": hid, "orgUnitId": unit,
                                                    "householdNo": no, "address": ADDRESS})
    for rid, hid, name, relation, phone, idn, ctx in (
            (R1, H1, "王建国", "HEAD", "138-1234-1234", WANG_ID, a),
            (R2, H1, "李秀英", "SPOUSE", None, LI_ID.lower(), a),
            (RB, HB, "赵德明", "HEAD", PHONE_B, ZHAO_ID, admin)):
        await ok(schema, ctx, REG_RESIDENT, input={
            "id": rid, "householdId": hid, "name": name, "gender": "MALE", "birthYear": 1956,
            "relation": relation, "phone": phone, "idNumber": idn})


async def test_personal_data_is_sealed_at_rest_and_masked_in_answers(
        schema: Any, engine: AsyncEngine, graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    a = cadre_a(graphql_context, engine)
    await ok(schema, a, ADD_TAG, input={"id": str(uuid.uuid4()), "householdId": H1,
                                        "kind": "ILLNESS", "since": str(TODAY)})
    result = await run(schema, a, """query($id: ID!) { resident(id: $id) { phone idNumber
        household { address needsTags { kind active } } } }""", id=R1)
    assert result.data == {"resident": {
        "phone": "138****1234", "idNumber": WANG_ID[:3] + "*" * 11 + WANG_ID[-4:],
        "household": {"address": "联珠镇癸能村****", "needsTags": [{"kind": "ILLNESS", "active": True}]}}}
    clear = [PHONE, WANG_ID, LI_ID, ADDRESS, "illness", "ILLNESS"]
    async with engine.connect() as conn:
        dumped = [row[0] for table in ("resident", "household", "needs_tag") for row in
                  await conn.execute(sa.text(f"SELECT t::text FROM {table} t"))]
    assert len(dumped) == 3 + 4 + 1
    for value in clear:
        assert not any(value in row or value.encode().hex() in row for row in dumped), value


async def test_outbox_events_carry_no_clear_personal_data(
        schema: Any, engine: AsyncEngine, graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    a = cadre_a(graphql_context, engine)
    tag = str(uuid.uuid4())
    await ok(schema, a, ADD_TAG, input={"id": tag, "householdId": H1, "kind": "LOW_INCOME",
                                        "since": str(TODAY)})
    await ok(schema, a, f"""mutation {{ endNeedsTag(input: {{id: "{tag}"}}) {{ {RESULT} }} }}""")
    await ok(schema, a, f"""mutation {{ changeResident(input: {{id: "{R1}", phone: "13900001111"}})
        {{ {RESULT} }} }}""")
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT event_type, envelope FROM outbox ORDER BY id"))).all()
    types = [r.event_type.rsplit(".", 1)[-1] for r in rows]
    assert types.count("ResidentRegistered") == 3 and "HouseholdChanged" in types
    assert types[-3:] == ["NeedsTagAdded", "NeedsTagRemoved", "ResidentChanged"]
    for row in rows:
        envelope, payload = unwrap(row.envelope)
        text = str(envelope) + str(payload)
        for value in (PHONE, "13900001111", PHONE_B, WANG_ID, LI_ID, ZHAO_ID, ADDRESS, "low_income",
                      "LOW_INCOME", "王建国"):
            assert value not in text and value.encode() not in row.envelope, (row.event_type, value)


PII_QUERY = """query($reason: String) { residents(orgUnitId: "VILLAGE", first: 10) { nodes {
  id phone(unmasked: true, reason: $reason) idNumber(unmasked: true, reason: $reason)
  household { address(unmasked: true, reason: $reason) members { id phone(unmasked: true, reason: $reason) } }
} } }""".replace("VILLAGE", GUINENG)


async def audit_rows(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(sa.text(
            "SELECT subject, role, entity_type, entity_id::text, field, reason FROM pii_access "
            "ORDER BY entity_type, entity_id, field"))]


@pytest.mark.parametrize(("perms", "reason", "code"), [((), "入户核实", "FORBIDDEN"),
                                                       (("pii:read",), None, "BAD_USER_INPUT"),
                                                       (("pii:read",), "  ", "BAD_USER_INPUT")])
async def test_unmasking_without_permission_or_reason_reveals_and_records_nothing(
        schema: Any, engine: AsyncEngine, graphql_context: Any, perms: tuple[str, ...],
        reason: str | None, code: str) -> None:
    await register(schema, engine, graphql_context)
    result = await run(schema, cadre_a(graphql_context, engine, *perms), PII_QUERY, reason=reason)
    assert result.errors and {e.extensions["code"] for e in result.errors} == {code}
    assert PHONE not in str(result.data) and WANG_ID not in str(result.data)
    assert await audit_rows(engine) == []


async def test_unmasked_reads_leave_one_audit_row_per_entity_and_field(
        schema: Any, engine: AsyncEngine, graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    result = await run(schema, cadre_a(graphql_context, engine, "pii:read"), PII_QUERY,
                       reason="入户核实低保")
    assert result.errors is None, result.errors
    nodes = {n["id"]: n for n in result.data["residents"]["nodes"]}
    assert nodes[R1]["phone"] == PHONE and nodes[R1]["idNumber"] == WANG_ID
    assert nodes[R2]["phone"] is None and nodes[R2]["idNumber"] == LI_ID  # normalised: X upper-case
    assert nodes[R1]["household"]["address"] == ADDRESS
    # R1's phone was shown twice (as a node and as a member), the household once per node: one
    # row each all the same; R2 has no phone, so nothing of it was revealed.
    who = ("cadre-a", "cadre", "入户核实低保")
    assert await audit_rows(engine) == sorted([
        (who[0], who[1], "household", H1, "address", who[2]),
        (who[0], who[1], "resident", R1, "idNumber", who[2]),
        (who[0], who[1], "resident", R1, "phone", who[2]),
        (who[0], who[1], "resident", R2, "idNumber", who[2])])


async def test_admins_may_unmask_with_a_reason(schema: Any, engine: AsyncEngine,
                                               graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    result = await run(schema, graphql_context(engine), """query($id: ID!) { resident(id: $id) {
        phone(unmasked: true, reason: "核对联系方式") } }""", id=RB)
    assert result.data == {"resident": {"phone": PHONE_B}}
    assert [(r[2], r[4]) for r in await audit_rows(engine)] == [("resident", "phone")]


@pytest.mark.parametrize("query", [{"phone": "138-1234-1234"}, {"phone": "+86 13812341234"},
                                   {"phone": "(0086) 138 1234 1234"}, {"idNumber": WANG_ID},
                                   {"name": "建国"}])
async def test_search_by_exact_phone_id_number_or_name(schema: Any, engine: AsyncEngine,
                                                       graphql_context: Any, query: dict[str, str]) -> None:
    await register(schema, engine, graphql_context)
    result = await run(schema, cadre_a(graphql_context, engine), """query($phone: String,
        $idNumber: String, $name: String) { residents(phone: $phone, idNumber: $idNumber,
        name: $name) { nodes { name } } }""", **{"phone": None, "idNumber": None, "name": None,
                                                 **query})
    assert result.errors is None, result.errors
    assert result.data == {"residents": {"nodes": [{"name": "王建国"}]}}


async def test_search_needs_a_filter_and_a_well_formed_phone(schema: Any, engine: AsyncEngine,
                                                             graphql_context: Any) -> None:
    a = cadre_a(graphql_context, engine)
    for query, field in (("{ residents { nodes { name } } }", "name"),
                         ('{ residents(phone: "1381234") { nodes { name } } }', "phone")):
        result = await run(schema, a, query)
        assert [(e.extensions["code"], e.extensions["field"]) for e in result.errors or []] == [
            ("BAD_USER_INPUT", field)]


async def test_a_cadre_sees_only_their_township(schema: Any, engine: AsyncEngine,
                                                graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    a = cadre_a(graphql_context, engine)
    result = await run(schema, a, """query($h: ID!, $r: ID!) { household(id: $h) { id }
        resident(id: $r) { id } }""", h=HB, r=RB)
    assert result.data == {"household": None, "resident": None}
    entities = await run(schema, a, """query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on Household { householdNo } ... on Resident { name } } }""", reps=[
        {"__typename": "Household", "id": HB}, {"__typename": "Household", "id": H1},
        {"__typename": "Resident", "id": RB}, {"__typename": "Resident", "id": R2}])
    assert entities.data == {"_entities": [None, {"householdNo": "GN-001"}, None, {"name": "李秀英"}]}
    lists = await run(schema, a, f"""{{ b: households(orgUnitId: "{TOWN_B}") {{ nodes {{ id }} }}
        all: households(orgUnitId: "{COUNTY}") {{ nodes {{ id }} }}
        names: residents(name: "德明") {{ nodes {{ id }} }} }}""")
    assert lists.data == {"b": {"nodes": []}, "all": {"nodes": []}, "names": {"nodes": []}}
    mine = await run(schema, a, f'{{ households(orgUnitId: "{TOWN_A}") {{ nodes {{ householdNo }} }} }}')
    assert [n["householdNo"] for n in mine.data["households"]["nodes"]] == ["GN-001", "GN-002", "GN-003"]
    # Writing in another township is refused.
    refused = await run(schema, a, REG_HOUSEHOLD, input={
        "id": str(uuid.uuid4()), "orgUnitId": BIXI, "householdNo": "BX-002", "address": "碧溪村"})
    assert [e.extensions["code"] for e in refused.errors or []] == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["analyst", "screen"])
async def test_analysts_and_screens_see_no_register_record(
        schema: Any, engine: AsyncEngine, graphql_context: Any, role: str) -> None:
    """Figures only (ARCHITECTURE.md "Security"): even with the whole county in scope and
    pii:read, no household, resident or needs tag — by id, in a list or by reference."""
    await register(schema, engine, graphql_context)
    tag = await ok(schema, cadre_a(graphql_context, engine), ADD_TAG, input={
        "id": str(uuid.uuid4()), "householdId": H1, "kind": "ILLNESS", "since": "2024-01-01"})
    viewer = graphql_context(engine, role=role, org_scope=(COUNTY,), subject=role,
                             permissions=("pii:read",))
    result = await run(schema, viewer, f"""{{ household(id: "{H1}") {{ id }}
        resident(id: "{R1}") {{ name }} households(orgUnitId: "{COUNTY}") {{ nodes {{ id }} }}
        byUnit: residents(orgUnitId: "{COUNTY}") {{ nodes {{ name }} }}
        byName: residents(name: "建国") {{ nodes {{ name }} }} }}""")
    assert result.errors is None, result.errors
    assert result.data == {"household": None, "resident": None, "households": {"nodes": []},
                           "byUnit": {"nodes": []}, "byName": {"nodes": []}}
    entities = await run(schema, viewer, """query($reps: [_Any!]!) { _entities(representations:
        $reps) { ... on Household { id } ... on Resident { name } ... on NeedsTag { kind } } }""",
                         reps=[{"__typename": "Household", "id": H1},
                               {"__typename": "Resident", "id": R1},
                               {"__typename": "NeedsTag", "id": tag["id"]}])
    assert entities.errors is None and entities.data == {"_entities": [None, None, None]}


async def test_a_needs_tag_resolves_by_reference_for_whoever_sees_its_household(
        schema: Any, engine: AsyncEngine, graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    a = cadre_a(graphql_context, engine)
    tag = await ok(schema, a, ADD_TAG, input={"id": str(uuid.uuid4()), "householdId": H1,
                                              "kind": "ILLNESS", "since": "2024-01-01"})
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on NeedsTag { id kind } } }"""
    unknown = str(uuid.uuid4())

    def reps() -> list[dict[str, str]]:  # strawberry pops __typename from what it is given
        return [{"__typename": "NeedsTag", "id": tag["id"]}, {"__typename": "NeedsTag", "id": unknown}]

    mine = await run(schema, a, query, reps=reps())
    assert mine.errors is None and mine.data == {"_entities": [
        {"id": tag["id"], "kind": "ILLNESS"}, None]}
    other = graphql_context(engine, role="cadre", org_scope=(TOWN_B,), subject="cadre-b")
    assert (await run(schema, other, query, reps=reps())).data == {"_entities": [None, None]}


async def test_a_resident_sees_only_themself_and_their_household(
        schema: Any, engine: AsyncEngine, graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    me = graphql_context(engine, role="resident", org_scope=(), subject=R1)
    result = await run(schema, me, f"""{{ me {{ name household {{ householdNo
        members {{ name }} head {{ name }} }} }}
        spouse: resident(id: "{R2}") {{ name }} other: household(id: "{H2}") {{ id }}
        list: households(orgUnitId: "{GUINENG}") {{ nodes {{ id }} }} }}""")
    assert result.errors is None, result.errors
    assert result.data == {"me": {"name": "王建国", "household": {
        "householdNo": "GN-001", "members": [{"name": "王建国"}], "head": {"name": "王建国"}}},
        "spouse": None, "other": None, "list": {"nodes": []}}
    staff = await run(schema, cadre_a(graphql_context, engine), "{ me { id } }")
    assert staff.data == {"me": None}


async def test_households_needing_help_by_kind_and_unpaired(schema: Any, engine: AsyncEngine,
                                                            graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    a, day = cadre_a(graphql_context, engine), dt.timedelta(days=1)
    for hid, kind, since, until in ((H1, "ILLNESS", TODAY - 9 * day, None),
                                    (H2, "DISASTER", TODAY - 9 * day, TODAY),       # ended today
                                    (H3, "LOW_INCOME", TODAY + day, None)):          # from tomorrow
        await ok(schema, a, ADD_TAG, input={"id": str(uuid.uuid4()), "householdId": hid, "kind": kind,
                                            "since": str(since), "until": until and str(until)})
    cadre = uuid.uuid4()
    async with engine.begin() as conn:  # a cadre paired with GN-003 (the pairing API is elsewhere)
        await conn.execute(sa.text(
            "INSERT INTO cadre (id, name, work_unit_id, org_path, rank, party_member) "
            "VALUES (:id, '李明', :unit, CAST(:path AS uuid[]), 'staff', true)"),
            {"id": cadre, "unit": uuid.UUID(TOWN_A), "path": [uuid.UUID(COUNTY), uuid.UUID(TOWN_A)]})
        await conn.execute(sa.text(
            "INSERT INTO pairing (id, cadre_id, household_id, org_path, started_on, card_no) "
            "VALUES (:id, :cadre, :h, CAST(:path AS uuid[]), :day, 'MJ-000001')"),
            {"id": uuid.uuid4(), "cadre": cadre, "h": uuid.UUID(H3), "day": TODAY,
             "path": [uuid.UUID(u) for u in (COUNTY, TOWN_A, GUINENG)]})
    result = await run(schema, a, f"""{{
      help: households(orgUnitId: "{TOWN_A}", needsHelp: true) {{ nodes {{ householdNo }} }}
      noHelp: households(orgUnitId: "{TOWN_A}", needsHelp: false) {{ nodes {{ householdNo }} }}
      ill: households(orgUnitId: "{GUINENG}", needsTag: ILLNESS) {{ nodes {{ householdNo }} }}
      disaster: households(orgUnitId: "{GUINENG}", needsTag: DISASTER) {{ nodes {{ householdNo }} }}
      unpaired: households(orgUnitId: "{TOWN_A}", paired: false) {{ nodes {{ householdNo }} }}
      paired: households(orgUnitId: "{TOWN_A}", paired: true) {{ nodes {{ householdNo }} }}
      page: households(orgUnitId: "{TOWN_A}", first: 2) {{ nodes {{ householdNo }}
        pageInfo {{ hasNextPage endCursor }} }} }}""")
    assert result.errors is None, result.errors
    numbers = {k: [n["householdNo"] for n in v["nodes"]] for k, v in result.data.items()}
    assert numbers == {"help": ["GN-001"], "noHelp": ["GN-002", "GN-003"], "ill": ["GN-001"],
                       "disaster": [], "unpaired": ["GN-001", "GN-002"], "paired": ["GN-003"],
                       "page": ["GN-001", "GN-002"]}
    cursor = result.data["page"]["pageInfo"]["endCursor"]
    rest = await run(schema, a, """query($unit: ID!, $after: String) { households(orgUnitId: $unit,
        first: 2, after: $after) { nodes { householdNo } pageInfo { hasNextPage } } }""",
                     unit=TOWN_A, after=cursor)
    assert rest.data == {"households": {"nodes": [{"householdNo": "GN-003"}],
                                        "pageInfo": {"hasNextPage": False}}}


def resident_input(**changes: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "householdId": H2, "name": "张有福", "gender": "MALE",
            "birthYear": 1962, "relation": "HEAD", "phone": "13887901234",
            "idNumber": id_number("19620305", "031"), **changes}


@pytest.mark.parametrize(("mutation", "input_", "typename", "field"), [
    (REG_RESIDENT, resident_input(phone="1388790"), "InvalidInputError", "phone"),
    (REG_RESIDENT, resident_input(idNumber=WANG_ID[:-1] + ("1" if WANG_ID[-1] != "1" else "2")),
     "InvalidInputError", "idNumber"),
    (REG_RESIDENT, resident_input(birthYear=1850), "InvalidInputError", "birthYear"),
    (REG_RESIDENT, resident_input(householdId="GN-002"), "InvalidInputError", "householdId"),
    (REG_RESIDENT, resident_input(householdId=str(uuid.uuid4())), "NotFoundError", "householdId"),
    (REG_RESIDENT, resident_input(idNumber=WANG_ID), "ConflictError", "idNumber"),
    (REG_RESIDENT, resident_input(id=R2, name="李秀英"), "ConflictError", "id"),
    (REG_HOUSEHOLD, {"id": str(uuid.uuid4()), "orgUnitId": TOWN_A, "householdNo": "LZ-1",
                     "address": "联珠镇"}, "InvalidInputError", "orgUnitId"),
    (REG_HOUSEHOLD, {"id": str(uuid.uuid4()), "orgUnitId": GUINENG, "householdNo": "GN-001",
                     "address": "癸能村"}, "ConflictError", "householdNo"),
])
async def test_bad_input_is_a_typed_error_naming_the_field_and_writes_nothing(
        schema: Any, engine: AsyncEngine, graphql_context: Any, mutation: str,
        input_: dict[str, Any], typename: str, field: str) -> None:
    await register(schema, engine, graphql_context)

    async def counts() -> tuple[int, ...]:
        async with engine.connect() as conn:
            return tuple((await conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM household), (SELECT count(*) FROM resident), "
                "(SELECT max(version) FROM household), (SELECT count(*) FROM outbox)"))).one())

    before = await counts()
    payload = await run(schema, cadre_a(graphql_context, engine), mutation, input=input_)
    assert payload.errors is None, payload.errors
    answer = next(iter(payload.data.values()))
    assert (answer["__typename"], answer["field"]) == (typename, field), answer
    assert await counts() == before


async def test_retries_change_nothing_and_changes_are_recorded(
        schema: Any, engine: AsyncEngine, graphql_context: Any) -> None:
    await register(schema, engine, graphql_context)
    a = cadre_a(graphql_context, engine)
    again = await ok(schema, a, REG_RESIDENT, input={
        "id": R1, "householdId": H1, "name": "王建国", "gender": "MALE", "birthYear": 1956,
        "relation": "HEAD", "phone": "+86 138 1234 1234", "idNumber": WANG_ID})
    assert again["id"] == R1 and again["household"]["head"] == {"name": "王建国"}
    changed = await ok(schema, a, f"""mutation {{ changeHousehold(input: {{id: "{H2}",
        address: "联珠镇癸能村五组1号"}}) {{ {RESULT} ... on Household {{ householdNo
        address(unmasked: false) }} }} }}""")
    assert changed == {"__typename": "Household", "householdNo": "GN-002", "address": "联珠镇癸能村****"}
    async with engine.connect() as conn:
        types = [t.rsplit(".", 1)[-1] for (t,) in await conn.execute(sa.text(
            "SELECT event_type FROM outbox ORDER BY id"))]
    # 5 units, 4 households, 3 residents, 2 heads set, then the address change; the retry: nothing.
    assert types[5:] == ["HouseholdRegistered"] * 4 + [
        "ResidentRegistered", "HouseholdChanged", "ResidentRegistered", "ResidentRegistered",
        "HouseholdChanged", "HouseholdChanged"]
