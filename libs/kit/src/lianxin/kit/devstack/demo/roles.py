"""One token per role on the demo county, for the `make dev` banner and front-end developers.

Each role gets the scope its people would really have, so what a token shows is what that user
would see: the supervisor, analyst and screen the whole county, the cadre one township, and the
resident is a registered resident of the demo who raised demands (so `myTickets` is not empty).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lianxin.kit.devstack.demo.county import DemoCounty


@dataclass(frozen=True)
class RoleToken:
    role: str
    subject: str
    org_scope: tuple[str, ...]
    who: str  # one line saying whom the token stands for


def demo_roles(county: DemoCounty) -> list[RoleToken]:
    """The roles of issue 6 on the demo county, in the order a reader meets them."""
    whole = (county.tree.county.id,)
    township = county.tree.townships[0]
    resident = _a_resident_with_tickets(county)
    return [
        RoleToken("resident", resident, (), "a resident who raised demands (mini-program)"),
        RoleToken("cadre", "dev-cadre", (township.id,), f"a cadre of {township.name}, cadre app"),
        RoleToken("supervisor", "dev-supervisor", whole, f"a supervisor of {county.tree.county.name}"),
        RoleToken("analyst", "dev-analyst", whole, f"an analyst of {county.tree.county.name}"),
        RoleToken("screen", "dev-screen", whole, f"the screen wall of {county.tree.county.name}"),
        RoleToken("admin", "dev-admin", (), "an administrator (every unit)"),
    ]


def _a_resident_with_tickets(county: DemoCounty) -> str:
    """The registered resident named on the most demo tickets (identity not confidential)."""
    counts: dict[str, int] = {}
    for story in county.tickets:
        data = story[0].input
        contact = data.get("contact") or {}
        if contact.get("residentId") and not data.get("confidential"):
            counts[contact["residentId"]] = counts.get(contact["residentId"], 0) + 1
    if not counts:
        raise ValueError("the demo county has no ticket naming a registered resident")
    return max(sorted(counts), key=lambda r: counts[r])


def role_token_lines(roles: Sequence[RoleToken], sign: Callable[[RoleToken], str]) -> str:
    """The banner's block: each role, whom it stands for, its token."""
    return "\n".join(f"  {r.role:<10} {r.who}\n    {sign(r)}" for r in roles)
