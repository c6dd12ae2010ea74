"""The authorisation matrix (issue 9): every root Query field of the composed API and every
entity type a subgraph resolves through `_entities`, asked by every kind of user of the demo
county — a resident; cadres of township A, of one village, of township B with and without
clearance for stability-risk items (涉稳); supervisors; analysts; the screen wall; an admin —
about two townships, with zero leaks allowed (authz_checks.Judge says what a leak is).

The questions are generated from the committed schemas (authz_schema), so a new field or entity
type is asked by the next run; the argument tables (authz_cases) must name it, or
test_every_root_field_and_entity_type_is_in_the_matrix fails naming it. Root fields go through
the gateway as a front end sends them; `_entities` go straight to each subgraph with the
viewer's token, as the gateway forwards them, so a subgraph must check as carefully itself.

Every unmasked read the schema offers is made too, and must leave exactly one audit row
(authz_audit); masked and refused reads none."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from authz_ask import Key, ask_all, questions
from authz_audit import ClearRead, audit_rows, clear_reads
from authz_cases import ENTITY_IDS, PERSONAL, PII, ROOT_ARGS, VIEWERS, Viewer
from authz_checks import Judge
from authz_schema import SERVICES, composed, entity_types, root_fields
from authz_world import Home, World, build_world
from lianxin.kit.devstack.demo.county import DemoCounty
from lianxin.kit.devstack.stack import DevStack
from lianxin.kit.tokens import card_qr_payload, sign_token

# Answers that mean the question itself was wrong, so it proved nothing.
BROKEN = {
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
    "QUERY_TOO_DEEP",
    "QUERY_TOO_COSTLY",
    "TOO_MANY_TOKENS",
    "TOO_MANY_ALIASES",
    "PAGE_TOO_LARGE",
    "RATE_LIMITED",
    "INTERNAL_SERVER_ERROR",
    "BAD_USER_INPUT",
}
WHISTLES = (
    "query($u: ID!) { whistles(orgUnitId: $u, openOnly: false, first: 5) { nodes { id ticket { id } } } }"
)
TARGET = (
    "query($unit: ID!, $household: ID!, $ticket: ID!) { orgUnit(id: $unit) { id }"
    " household(id: $household) { id } ticket(id: $ticket) { id } }"
)
BY_VIEWER = {v.name: v for v in VIEWERS}


@pytest.fixture(scope="module")
def world(fault_stack: DevStack, county: DemoCounty, gql: Any) -> World:
    """The demo county's homes and targets, with what the stack chose itself: the whistle's id
    (the demo blows one, in a third township: out of A's and B's scope, in the county's), and a
    contact card's QR payload for each target's pairing (signed as the people service signs)."""
    world = build_world(county)
    secret = fault_stack.data.pii_env()["LIANXIN_LINK_TOKEN_SECRET"]
    county_id = world.homes[world.targets["A"].unit].path[0]
    whistles = gql(WHISTLES, u=county_id)["data"]["whistles"]["nodes"]
    for node in whistles:
        world.homes[node["id"]] = Home("whistle", world.homes[node["ticket"]["id"]].path)
    for target in world.targets.values():
        target.qr = card_qr_payload(sign_token(secret, "contact-card", target.pairing, ttl_seconds=3600))
        target.whistle = whistles[0]["id"] if whistles else target.whistle
    return world


@pytest.fixture(scope="module")
def answers(fault_stack: DevStack, world: World) -> dict[Key, dict[str, Any]]:
    tokens = {
        v.name: fault_stack.token(
            role=v.role,
            org_scope=v.org_scope(world),
            subject=v.subject(world),
            permissions=list(v.permissions),
        )
        for v in VIEWERS
    }
    return ask_all(questions(world, VIEWERS, fault_stack.gateway_url, fault_stack.service_url), tokens)


def codes(answer: dict[str, Any]) -> set[str]:
    return {str((e.get("extensions") or {}).get("code")) for e in answer.get("errors") or ()}


def judged(world: World, viewer: Viewer, answers: dict[Key, dict[str, Any]], keys: list[Key]) -> None:
    judge, problems = Judge(world, viewer), []
    for key in keys:
        answer = answers[key]
        assert not codes(answer) & BROKEN, (key, answer)
        problems += [f"{key[-1]}: {leak}" for leak in judge.leaks(answer)]
    assert not problems, "\n".join(problems)


def test_every_root_field_and_entity_type_is_in_the_matrix() -> None:
    missing = sorted(set(root_fields()) - set(ROOT_ARGS))
    assert not missing, f"root fields without arguments in authz_cases.ROOT_ARGS: {missing}"
    stale = sorted(set(ROOT_ARGS) - set(root_fields()))
    assert not stale, f"ROOT_ARGS names fields the schema no longer has: {stale}"
    entities = {t for s in SERVICES for t in entity_types(s)}
    assert not entities - set(ENTITY_IDS), (
        f"entity types without an id in authz_cases.ENTITY_IDS: {sorted(entities - set(ENTITY_IDS))}"
    )


def test_the_targets_exist(world: World, gql: Any) -> None:
    """Each target's entities are in the stack as the demo built them (an admin reads them), so
    a null answer in the matrix means refused, not missing. (Also starts the stack before the
    matrix is asked, so neither runs into the other's time limit.)"""
    for target in world.targets.values():
        ids = {"unit": target.unit, "household": target.household, "ticket": target.ticket}
        answer = gql(TARGET, **ids)
        assert "errors" not in answer and all(answer["data"].values()), answer
        assert target.whistle in world.homes, "the demo's whistle was not found"


def test_personal_fields_exist() -> None:
    schema = composed()
    gone = [
        f"{t}.{f}"
        for t, f in PERSONAL
        if t not in schema.type_map or f not in getattr(schema.type_map[t], "fields", {})
    ]
    assert not gone, f"PERSONAL lists fields the schema no longer has: {gone}"


@pytest.mark.parametrize("field", sorted(ROOT_ARGS))
@pytest.mark.parametrize("viewer", sorted(BY_VIEWER))
def test_root_field_leaks_nothing(
    world: World, answers: dict[Key, dict[str, Any]], viewer: str, field: str
) -> None:
    keys = [k for k in answers if k[:3] == ("root", viewer, field)]
    judged(world, BY_VIEWER[viewer], answers, keys)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("viewer", sorted(BY_VIEWER))
def test_entities_leak_nothing(
    world: World, answers: dict[Key, dict[str, Any]], viewer: str, service: str
) -> None:
    """Each of the subgraph's entity types by reference, straight to the subgraph."""
    keys = [k for k in answers if k[:3] == ("entity", viewer, service)]
    judged(world, BY_VIEWER[viewer], answers, keys)


# Controls (root field answers by viewer and target): what must be seen — else the matrix
# could pass by seeing nothing — and what must be null. B's `ticket` is its stability-risk item.
SEEN = [
    ("resident", "ticket", "own"),
    ("resident", "me", "own"),
    ("cadre_A", "ticket", "A"),
    ("cadre_A", "household", "A"),
    ("cadre_village", "resident", "A"),
    ("cadre_B_stability", "ticket", "B"),
    ("supervisor", "ticket", "B"),
    ("supervisor_A", "household", "A"),
    ("admin", "resident", "B"),
    ("analyst", "dashboard", "A"),
    ("screen", "dashboard", "B"),
    ("supervisor", "whistle", "A"),
]
NULL = [
    ("resident", "ticket", "A"),
    ("resident", "ticket", "B"),
    ("cadre_A", "ticket", "B"),
    ("cadre_A", "household", "B"),
    ("cadre_village", "resident", "B"),
    ("cadre_B", "ticket", "B"),
    ("analyst", "ticket", "B"),
    ("screen", "ticket", "B"),
    ("analyst", "resident", "A"),
    ("screen", "household", "A"),
    ("supervisor_A", "ticket", "B"),
    ("cadre_A", "whistle", "A"),
    ("cadre_B", "whistle", "B"),
]


@pytest.mark.parametrize(("viewer", "field", "target"), SEEN + NULL)
def test_controls(answers: dict[Key, dict[str, Any]], viewer: str, field: str, target: str) -> None:
    data = answers[("root", viewer, field, target)].get("data") or {}
    assert (data.get(field) is not None) == ((viewer, field, target) in SEEN), data


@pytest.mark.parametrize("read", clear_reads(), ids=lambda r: f"{r.type_name}.{r.field}")
def test_each_unmasked_read_writes_exactly_one_audit_row(
    fault_stack: DevStack, world: World, gql: Any, read: ClearRead
) -> None:
    """A masked read and a refused one (no pii:read) write nothing; a clear read by a township
    cadre holding pii:read writes one row saying who, as what, which entity, field and why."""
    assert not read.root.startswith("<"), f"{read.type_name}.{read.field}: {read.root}"
    target, subject = world.targets["A"], f"authz-audit-{read.type_name}-{uuid.uuid4()}"
    reason, database = f"回访核实 {read.type_name}.{read.field}", fault_stack.database_url(read.service)

    def as_cadre(*permissions: str, unmasked: bool) -> dict[str, Any]:
        token = fault_stack.token(
            role="cadre", org_scope=[target.unit], subject=subject, permissions=list(permissions)
        )
        return gql(read.query(target, unmasked=unmasked, reason=reason), token=token)

    masked = as_cadre(PII, unmasked=False)
    assert "errors" not in masked and "*" in str(masked["data"][read.root][read.field]), masked
    assert codes(as_cadre(unmasked=True)) == {"FORBIDDEN"}
    assert audit_rows(database, subject) == []
    clear = as_cadre(PII, unmasked=True)
    assert "errors" not in clear and "*" not in str(clear["data"][read.root][read.field]), clear
    assert audit_rows(database, subject) == [
        {
            "subject": subject,
            "role": "cadre",
            "entity_type": read.entity_type,
            "entity_id": read.entity_id(target),
            "field": read.field,
            "reason": reason,
        }
    ]
