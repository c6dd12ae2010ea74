"""The matrix's tables: who asks (viewers: role × org scope × permissions), with which arguments
each root field and entity type is asked about a target township, and which fields are
personal data. A root field or entity type missing from ROOT_ARGS / ENTITY_IDS fails the suite
by name (test_every_field_has_arguments), so a new field cannot slip past the matrix."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from authz_schema import Enum
from authz_world import Target, World

PII = "pii:read"  # lianxin.kit.audit.PII_PERMISSION
STABILITY = "stability:read"  # lianxin.tickets.app.common.STABILITY_PERMISSION
CLEARED_ROLES = {"supervisor", "admin"}  # see stability-risk items without the permission
NO_PERSONAL_ROLES = {"analyst", "screen"}  # aggregates only (ARCHITECTURE.md "Security")
MONTH = {"kind": Enum("MONTH"), "date": "2026-11-01"}


@dataclass(frozen=True)
class Viewer:
    """One row of the matrix. `scope`: "A", "B", "village" (A's target village), "county" or
    None (admin / resident); `targets`: the targets it asks about."""

    name: str
    role: str
    scope: str | None
    permissions: tuple[str, ...] = ()
    targets: tuple[str, ...] = ("A", "B")

    @property
    def cleared(self) -> bool:
        return self.role in CLEARED_ROLES or STABILITY in self.permissions

    def org_scope(self, world: World) -> list[str]:
        a = world.targets["A"]
        county = world.homes[a.unit].path[0]
        return {
            "A": [a.unit],
            "B": [world.targets["B"].unit],
            "village": [a.village],
            "county": [county],
            None: [],
        }[self.scope]

    def subject(self, world: World) -> str:
        return world.resident if self.role == "resident" else f"authz-{self.name}"


VIEWERS = [
    Viewer("resident", "resident", None, targets=("own", "A", "B")),
    Viewer("cadre_A", "cadre", "A"),
    Viewer("cadre_A_pii", "cadre", "A", (PII,)),
    Viewer("cadre_village", "cadre", "village"),
    Viewer("cadre_B", "cadre", "B"),
    Viewer("cadre_B_stability", "cadre", "B", (STABILITY,)),
    Viewer("supervisor_A", "supervisor", "A"),
    Viewer("supervisor", "supervisor", "county", (PII,)),
    Viewer("analyst", "analyst", "county"),
    Viewer("analyst_pii", "analyst", "county", (PII, STABILITY)),
    Viewer("screen", "screen", "county"),
    Viewer("admin", "admin", None),
]


def own_target(world: World) -> Target:
    """Target A with the resident's own record, household and a ticket of theirs."""
    ticket = next(i for i in sorted(world.own) if world.homes[i].kind == "ticket")
    household = next(i for i in world.own if world.homes[i].kind == "household")
    return dataclasses.replace(
        world.targets["A"], name="own", resident=world.resident, household=household, ticket=ticket
    )


def _filter(t: Target) -> dict[str, Any]:
    return {"subtreeId": t.unit, "period": MONTH}


Args = Callable[[Target], dict[str, Any]]
# Every root Query field: its arguments about a target (an empty dict: none needed).
ROOT_ARGS: dict[str, Args] = {
    "assessmentVersion": lambda t: {},
    "cadre": lambda t: {"id": t.cadre},
    "cadreScorecard": lambda t: {"cadreId": t.cadre, "period": MONTH},
    "cadres": lambda t: {"orgUnitId": t.unit, "first": 5},
    "calendarDays": lambda t: {"from": "2026-10-01", "to": "2026-10-07"},
    "calendarYears": lambda t: {},
    "campaign": lambda t: {"id": t.campaign},
    "campaigns": lambda t: {"orgUnitId": t.unit},
    "categories": lambda t: {"includeInactive": True},
    "category": lambda t: {"code": "water.supply"},
    "contactCard": lambda t: {"qrPayload": t.qr},
    "contactCardsPdf": lambda t: {"orgUnitId": t.village},
    "dashboard": lambda t: {"orgUnitId": t.unit},
    "hotSpots": lambda t: {"orgUnitId": t.unit, "weeks": 52},
    "household": lambda t: {"id": t.household},
    "households": lambda t: {"orgUnitId": t.village, "needsHelp": True, "first": 5},
    "me": lambda t: {},
    "measureDefinitions": lambda t: {},
    "metrics": lambda t: {
        "filter": _filter(t),
        "groupBy": [Enum("ORG_UNIT"), Enum("KIND")],
        "measures": [Enum("SUBMITTED"), Enum("OPEN")],
    },
    "metricsCsv": lambda t: {
        "filter": _filter(t),
        "groupBy": [Enum("ORG_UNIT"), Enum("KIND")],
        "measures": [Enum("SUBMITTED")],
    },
    "myCadre": lambda t: {},
    "myTickets": lambda t: {"first": 50},
    "orgUnit": lambda t: {"id": t.unit},
    "orgUnits": lambda t: {},
    "pairing": lambda t: {"id": t.pairing},
    "repeatRequesters": lambda t: {"orgUnitId": t.unit, "since": "2026-01-01T00:00:00Z", "minTickets": 2},
    "resident": lambda t: {"id": t.resident},
    "residents": lambda t: {"orgUnitId": t.village, "first": 5},
    "routeTicket": lambda t: {"ticketId": t.ticket},
    "routingRules": lambda t: {"first": 5},
    "serviceClock": lambda t: {},
    "similarTickets": lambda t: {
        "text": "停水",
        "orgUnitId": t.unit,
        "category": "water.supply",
        "first": 10,
    },
    "slaPolicies": lambda t: {},
    "supervisionNotices": lambda t: {"orgUnitId": t.unit, "openOnly": False, "first": 10},
    "ticket": lambda t: {"id": t.stability_ticket or t.ticket},
    "trend": lambda t: {"filter": _filter(t), "measure": Enum("SUBMITTED"), "granularity": Enum("WEEK")},
    "vanguardRules": lambda t: {"campaignId": t.campaign},
    "visit": lambda t: {"id": t.visit},
    "whistle": lambda t: {"id": t.whistle},
    "whistles": lambda t: {"orgUnitId": t.unit, "openOnly": False, "first": 10},
}
# Arguments nested fields need, by argument name (others with required arguments are skipped).
NESTED_ARGS: dict[str, Any] = {"period": MONTH, "level": Enum("CHILDREN")}

# Every entity type a subgraph resolves through `_entities`: the target's id of that type.
ENTITY_IDS: dict[str, Callable[[Target], str]] = {
    "Cadre": lambda t: t.cadre,
    "Campaign": lambda t: t.campaign,
    "Household": lambda t: t.household,
    "NeedsTag": lambda t: t.needs_tag,
    "OrgUnit": lambda t: t.unit,
    "Pairing": lambda t: t.pairing,
    "Resident": lambda t: t.resident,
    "Visit": lambda t: t.visit,
    "Ticket": lambda t: t.stability_ticket or t.ticket,
    "Whistle": lambda t: t.whistle,
}

# Personal data (DOMAIN.md "Sensitive data"), by type and field: never shown to analysts and
# screens except masked; names and needs tags not even masked ("absent": null, or the object
# withheld). A field listed here that leaves the schema fails test_personal_fields_exist.
PERSONAL: dict[tuple[str, str], str] = {
    ("Resident", "name"): "absent",
    ("Resident", "phone"): "masked",
    ("Resident", "idNumber"): "masked",
    ("Resident", "birthYear"): "absent",
    ("Household", "address"): "masked",
    ("Household", "householdNo"): "absent",
    ("Household", "needsTags"): "absent",
    ("NeedsTag", "kind"): "absent",
    ("TicketContact", "name"): "absent",
    ("TicketContact", "phone"): "masked",
    ("TicketContact", "address"): "masked",
    ("Cadre", "phone"): "masked",
    ("Visit", "notes"): "absent",
}
