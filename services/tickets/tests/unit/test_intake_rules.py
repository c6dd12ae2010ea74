"""Intake rules beyond the basics: defaults, contact data, contact-card tokens, codes per county
and year, the importer's dates, and the deadline from the governing SLA policy."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.kit.errors import InvalidInput
from lianxin.kit.tokens import InvalidLinkToken, card_qr_payload, sign_token
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.domain.category import Category
from lianxin.tickets.domain.errors import InvalidTicket, OutOfScope
from lianxin.tickets.domain.intake import county_of, ledger_for, ticket_code
from lianxin.tickets.domain.people_refs import PairingRef
from lianxin.tickets.domain.sla import SlaPolicy
from lianxin.tickets.domain.ticket import (
    Channel,
    Contact,
    Kind,
    Ledger,
    OrgUnitRef,
    Urgency,
)

PROVINCE, COUNTY, TOWN, VILLAGE, OTHER_COUNTY = (uuid.UUID(int=i) for i in (90, 1, 2, 4, 91))
HOUSEHOLD, PAIRING, CADRE_ID = uuid.UUID(int=500), uuid.UUID(int=600), uuid.UUID(int=700)
RESIDENT_ID = uuid.UUID(int=800)
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)   # a Friday
RESIDENT = Actor(subject=str(RESIDENT_ID), role="resident")
CADRE = Actor(subject="cadre-1", role="cadre", org_scope=frozenset({TOWN}))
SYSTEM = Actor(subject="importer", role="system")
LINK_SECRET = "link-" + "t" * 32   # what the fake pairings verify cards with (conftest.py)
_ids = iter(range(1000, 10_000))


@pytest.fixture
def world(uow: Any) -> Any:
    """A province with a county (town, village) and a second county; three categories."""
    for unit in (OrgUnitRef(PROVINCE, None, "云南省", "province", (PROVINCE,)),
                 OrgUnitRef(COUNTY, PROVINCE, "墨江县", "county", (PROVINCE, COUNTY)),
                 OrgUnitRef(TOWN, COUNTY, "联珠镇", "township", (PROVINCE, COUNTY, TOWN)),
                 OrgUnitRef(VILLAGE, TOWN, "玉溪村", "village", (PROVINCE, COUNTY, TOWN, VILLAGE)),
                 OrgUnitRef(OTHER_COUNTY, PROVINCE, "宁洱县", "county",
                            (PROVINCE, OTHER_COUNTY))):
        uow.org_units.rows[unit.id] = unit
    for c in (Category("water", "供水"), Category("water.supply", "停水", "water"),
              Category("power", "供电", active=False),
              Category("power.outage", "停电", "power")):
        uow.categories.rows[c.code] = c
    uow.pairings.rows[PAIRING] = PairingRef(PAIRING, CADRE_ID, HOUSEHOLD, None,
                                            (PROVINCE, COUNTY, TOWN, VILLAGE))
    return uow


def cmd(**overrides: Any) -> SubmitTicket:
    fields: dict[str, Any] = dict(id=uuid.UUID(int=next(_ids)), org_unit_id=VILLAGE,
                                  channel=Channel.HOME_VISIT, category="water.supply",
                                  text="  村里自来水停了三天\n（原话）  ")
    fields.update(overrides)
    return SubmitTicket(**fields)


async def submit(world: Any, actor: Actor = RESIDENT, at: dt.datetime = NOW, **kw: Any) -> Any:
    return await submit_ticket(cmd(**kw), world, actor, clock=lambda: at)


def card(pairing: uuid.UUID = PAIRING, secret: str = LINK_SECRET, purpose: str = "contact-card",
         ttl: int = 3600) -> str:
    return card_qr_payload(sign_token(secret, purpose, str(pairing), ttl_seconds=ttl,
                                      now=int(NOW.timestamp())))


# --- defaults and plain rules ----------------------------------------------------------------
def test_ledger_follows_kind_unless_given() -> None:
    assert ledger_for(Kind.DEMAND, None) is Ledger.LIVELIHOOD
    assert ledger_for(Kind.STABILITY_RISK, None) is Ledger.STABILITY_RISK
    assert ledger_for(Kind.STABILITY_RISK, Ledger.NEEDY) is Ledger.NEEDY


def test_code_year_is_china_time_and_county_is_first_county_on_path() -> None:
    new_year_eve_utc = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)  # 01:00 on Jan 1 in China
    assert ticket_code("墨江县", new_year_eve_utc, 42) == "墨江县-2027-000042"
    units = [OrgUnitRef(PROVINCE, None, "云南省", "province", (PROVINCE,)),
             OrgUnitRef(COUNTY, PROVINCE, "墨江县", "county", (PROVINCE, COUNTY))]
    assert county_of(units, (PROVINCE, COUNTY, TOWN)) == COUNTY
    assert county_of(units[:1], (PROVINCE, TOWN)) == PROVINCE   # no county: the root


async def test_text_is_kept_verbatim_and_defaults_apply(world: Any) -> None:
    t = await submit(world)
    assert t.text == "  村里自来水停了三天\n（原话）  "
    assert (t.kind, t.ledger, t.urgency) == (Kind.DEMAND, Ledger.LIVELIHOOD, Urgency.ROUTINE)
    risk = await submit(world, kind=Kind.STABILITY_RISK)
    assert risk.ledger is Ledger.STABILITY_RISK and risk.sensitive


async def test_codes_count_per_county_and_year(world: Any) -> None:
    a = await submit(world)
    b = await submit(world, org_unit_id=OTHER_COUNTY)
    c = await submit(world, org_unit_id=TOWN)
    d = await submit(world, at=dt.datetime(2027, 1, 4, 2, 0, tzinfo=dt.UTC))
    assert [a.code, b.code, c.code, d.code] == [
        "墨江县-2026-000001", "宁洱县-2026-000001", "墨江县-2026-000002", "墨江县-2027-000001"]


async def test_two_counties_of_one_name_never_share_a_code(world: Any) -> None:
    """朝阳区 is in Beijing and in Changchun: a province or national deployment has counties of
    one name, and a county may be renamed to a name another had. A code is forever and unique,
    so the numbers of one prefix and year are counted once, whichever county they belong to."""
    twin = uuid.UUID(int=92)
    world.org_units.rows[twin] = OrgUnitRef(twin, PROVINCE, "墨江县", "county", (PROVINCE, twin))
    a = await submit(world)
    b = await submit(world, org_unit_id=twin)
    c = await submit(world)
    assert [a.code, b.code, c.code] == ["墨江县-2026-000001", "墨江县-2026-000002", "墨江县-2026-000003"]


@pytest.mark.parametrize(("category", "message"), [
    ("weather", "`categories` query"), ("power", "no longer in use"),
    ("power.outage", "no longer in use"),   # its parent is deactivated
])
async def test_category_must_exist_and_be_active(world: Any, category: str, message: str) -> None:
    with pytest.raises(InvalidTicket, match=message) as err:
        await submit(world, category=category)
    assert err.value.details["field"] == "category"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"latitude": 91.0, "longitude": 101.0}, "latitude"),
    ({"latitude": 23.4, "longitude": -181.0}, "longitude"),
    ({"latitude": 23.4}, "longitude"),
    ({"org_unit_id": None}, "orgUnitId"),
    ({"submitted_at": NOW - dt.timedelta(days=3)}, "submittedAt"),   # not an import
])
async def test_bad_fields_are_named_and_nothing_is_written(world: Any, overrides: dict[str, Any],
                                                           field: str) -> None:
    with pytest.raises(InvalidTicket) as err:
        await submit(world, **overrides)
    assert err.value.details["field"] == field
    assert world.tickets.rows == {} and world.tickets.counters == {}


async def test_coordinates_in_range_are_kept(world: Any) -> None:
    t = await submit(world, latitude=23.43, longitude=101.68)
    assert (t.latitude, t.longitude) == (23.43, 101.68)


# --- contact ---------------------------------------------------------------------------------
async def test_phone_is_normalised_and_a_bad_one_is_not_echoed(world: Any) -> None:
    t = await submit(world, actor=CADRE, contact=Contact(name=" 李大姐 ", phone="+86 138-1234-5678",
                                                          address="玉溪村3组"))
    assert t.contact.phone == "13812345678" and t.contact.name == "李大姐"
    assert t.recorded_by_staff and t.contact.resident_id is None
    with pytest.raises(InvalidInput) as err:
        await submit(world, actor=CADRE, contact=Contact(phone="139-0000-12"))
    assert err.value.details["field"] == "contact.phone"
    assert "139" not in err.value.message and "0000" not in err.value.message


async def test_resident_is_the_contact_unless_anonymous(world: Any) -> None:
    t = await submit(world)
    assert t.contact.resident_id == RESIDENT_ID and not t.recorded_by_staff
    openid = await submit(world, actor=Actor(subject="wx-openid-1", role="resident"))
    assert openid.contact.resident_id is None and openid.submitted_by == "wx-openid-1"
    hidden = await submit(world, anonymous=True)
    assert hidden.contact.resident_id is None and hidden.submitted_by == str(RESIDENT_ID)
    with pytest.raises(InvalidTicket) as err:
        await submit(world, contact=Contact(resident_id=uuid.UUID(int=801)))
    assert err.value.details["field"] == "contact.residentId"


async def test_anonymous_demand_carries_no_identity(world: Any) -> None:
    with pytest.raises(InvalidTicket) as err:
        await submit(world, actor=CADRE, anonymous=True, contact=Contact(phone="13812345678"))
    assert err.value.details["field"] == "anonymous"


# --- contact cards ---------------------------------------------------------------------------
async def test_card_gives_pairing_household_and_place(world: Any) -> None:
    t = await submit(world, org_unit_id=None, pairing_token=card())
    assert (t.pairing_id, t.contact.household_id, t.org_unit_id) == (PAIRING, HOUSEHOLD, VILLAGE)
    assert t.org_path == (PROVINCE, COUNTY, TOWN, VILLAGE)
    bare = await submit(world, org_unit_id=TOWN, pairing_token=card().rsplit("/", 1)[1])
    assert bare.org_unit_id == TOWN and bare.pairing_id == PAIRING   # the place given wins


@pytest.mark.parametrize(("token", "reason"), [
    (card(secret="other-" + "x" * 32), "bad_signature"),
    (card(purpose="login"), "wrong_purpose"),
    ("https://example.com/not-a-card", "malformed"),
    (card(pairing=uuid.UUID(int=601)), "unknown_pairing"),
])
async def test_bad_cards_are_invalid_tokens_on_the_field(world: Any, token: str,
                                                         reason: str) -> None:
    with pytest.raises(InvalidLinkToken) as err:
        await submit(world, org_unit_id=None, pairing_token=token)
    assert err.value.code == "INVALID_TOKEN"
    assert (err.value.details["field"], err.value.details["reason"]) == ("pairingToken", reason)
    assert world.tickets.rows == {}


async def test_expired_and_ended_cards_are_refused(world: Any) -> None:
    later = NOW + dt.timedelta(hours=2)   # past the one-hour card
    with pytest.raises(InvalidLinkToken) as expired:
        await submit(world, at=later, org_unit_id=None, pairing_token=card())
    assert expired.value.details["reason"] == "expired"
    await world.pairings.end(PAIRING)
    with pytest.raises(InvalidLinkToken) as ended:
        await submit(world, org_unit_id=None, pairing_token=card())
    assert ended.value.details["reason"] == "ended"


# --- scope, import, SLA ----------------------------------------------------------------------
async def test_residents_cannot_import_and_imports_keep_their_date(world: Any) -> None:
    old = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)
    with pytest.raises(OutOfScope):
        await submit(world, imported=True, submitted_at=old)
    t = await submit(world, actor=SYSTEM, imported=True, submitted_at=old, external_ref="台账-17")
    assert t.submitted_at == old and t.code == "墨江县-2025-000001" and t.imported
    assert world.committed_at[-1] == old and t.external_ref == "台账-17"
    with pytest.raises(InvalidTicket) as err:
        await submit(world, actor=SYSTEM, imported=True,
                     submitted_at=NOW + dt.timedelta(days=1))
    assert err.value.details["field"] == "submittedAt"


async def test_accept_deadline_follows_the_governing_policy(world: Any) -> None:
    world.sla_policies.rows[1] = SlaPolicy(id=uuid.UUID(int=1), category="water", accept_days=3)
    world.sla_policies.rows[2] = SlaPolicy(id=uuid.UUID(int=2), urgency=Urgency.EMERGENCY,
                                           accept_days=0)
    water = await submit(world)                       # Friday + 3 working days: Wednesday
    assert water.accept_due is not None and water.accept_due.provisional   # no calendar loaded
    assert water.accept_due.at == dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)
    # Both match; the category policy is the more specific one.
    both = await submit(world, urgency=Urgency.EMERGENCY)
    assert both.accept_due == water.accept_due
    now_due = await submit(world, category="water", urgency=Urgency.EMERGENCY)
    assert now_due.accept_due == water.accept_due
    world.sla_policies.rows.pop(1)
    emergency = await submit(world, urgency=Urgency.EMERGENCY)   # end of today, China time
    assert emergency.accept_due is not None
    assert emergency.accept_due.at == dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)



async def test_imports_may_use_a_retired_category_but_not_an_unknown_one(world: Any) -> None:
    old = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)
    t = await submit(world, actor=SYSTEM, imported=True, submitted_at=old, category="power")
    assert t.category == "power"
    with pytest.raises(InvalidTicket):
        await submit(world, actor=SYSTEM, imported=True, submitted_at=old, category="weather")
