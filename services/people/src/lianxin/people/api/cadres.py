"""GraphQL type Cadre (干部 / 党员), its pairing quota, and the cadre list of a unit."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.kit.audit import reveal
from lianxin.kit.gqltypes import Connection, check_first, decode_keyset, page
from lianxin.kit.ids import parse_id
from lianxin.kit.pii import mask_phone
from lianxin.people.api import work_loaders as wl
from lianxin.people.api.common import GqlInfo
from lianxin.people.api.types import CadreConnection, OrgUnitType, load_units
from lianxin.people.domain.cadre import Cadre, DutyPost, Rank

if TYPE_CHECKING:
    from lianxin.people.api.pairings import PairingType
    from lianxin.people.api.visits import VisitType

RankEnum = strawberry.enum(Rank, name="CadreRank", description="Rank of a cadre: county-level "
                           "leader 县级领导, division 处级, section 科级, staff 一般干部, village "
                           "cadre 村干部")
DutyPostEnum = strawberry.enum(DutyPost, name="DutyPost", description="Post of a party member "
                               "without office (无职党员设岗定责)")
UNMASKED = "Give the clear value (needs the pii:read permission and a reason; the read is audited)"


@strawberry.type(name="PairingQuota", description="Households a cadre must be paired with (by "
                 "rank, or as a campaign says) against their active household pairings")
class PairingQuotaType:
    required: int
    actual: int
    met: bool
    shortfall: int = strawberry.field(description="Households still to pair; 0 when met")


@strawberry.federation.type(keys=["id"], name="Cadre", description="A cadre (干部), or a party "
                            "member without office (党员, rank null, with a duty post)")
class CadreType:
    id: strawberry.ID
    name: str
    rank: RankEnum | None  # type: ignore[valid-type]
    party_member: bool
    duty_post: DutyPostEnum | None  # type: ignore[valid-type]
    work_unit_id: strawberry.Private[uuid.UUID]
    branch_id: strawberry.Private[uuid.UUID | None]
    phone_clear: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, c: Cadre) -> CadreType:
        return cls(id=strawberry.ID(str(c.id)), name=c.name, rank=c.rank,
                   party_member=c.party_member, duty_post=c.duty_post, work_unit_id=c.work_unit_id,
                   branch_id=c.branch_id, phone_clear=c.phone)

    @property
    def uid(self) -> uuid.UUID:
        return uuid.UUID(str(self.id))

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> CadreType | None:
        [found] = await wl.load_cadres(info, [parse_id(id, "id")])
        return cls.from_domain(found) if found else None

    @strawberry.field(description="The unit the cadre works in (工作单位)")
    async def work_unit(self, info: GqlInfo) -> OrgUnitType | None:
        [unit] = await load_units(info, [self.work_unit_id])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="The party branch of a party member")
    async def branch(self, info: GqlInfo) -> OrgUnitType | None:
        if self.branch_id is None:
            return None
        [unit] = await load_units(info, [self.branch_id])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="Masked (138****1234) unless `unmasked`. " + UNMASKED)
    async def phone(self, info: GqlInfo, unmasked: bool = False,
                    reason: str | None = None) -> str | None:
        if not unmasked:
            return mask_phone(self.phone_clear) if self.phone_clear else None
        await reveal(info.context, "cadre", self.uid, "phone", reason)
        return self.phone_clear

    @strawberry.field(description="Households and contact points paired with the cadre that you "
                      "may see; by default only active pairings")
    async def pairings(self, info: GqlInfo, active_only: bool = True) -> list[
            Annotated[PairingType, strawberry.lazy("lianxin.people.api.pairings")]]:
        from lianxin.people.api.pairings import PairingType

        return [PairingType.from_domain(p)
                for p in await wl.pairings_of_cadres(info, self.uid, active_only)]

    @strawberry.field(description="Contact points (联系点: a village or unit) actively paired")
    async def contact_points(self, info: GqlInfo) -> list[OrgUnitType]:
        pairings = await wl.pairings_of_cadres(info, self.uid, True)
        units = await load_units(info, [p.contact_point_id for p in pairings if p.contact_point_id])
        return [OrgUnitType.from_domain(u) for u in units if u]

    @strawberry.field(description="The pairing quota (联户任务): by rank — division level and "
                      "above 5 households, section level and below 3, a party member without "
                      "office 1 — or as the campaign sets it")
    async def quota(self, info: GqlInfo, campaign_id: strawberry.ID | None = None
                    ) -> PairingQuotaType | None:
        campaign = parse_id(campaign_id, "campaignId") if campaign_id else None
        if campaign is not None:
            [visible] = await wl.load_campaigns(info, [campaign])
            if visible is None:
                return None
        status = await wl.quota_of(info, self.uid, campaign)
        if status is None:
            return None
        return PairingQuotaType(required=status.required, actual=status.actual, met=status.met,
                                shortfall=status.shortfall)

    @strawberry.field(description="Visits the cadre led, newest first")
    async def visits(self, info: GqlInfo, first: int = 20, after: str | None = None) -> Connection[
            Annotated[VisitType, strawberry.lazy("lianxin.people.api.visits")]]:
        from lianxin.people.api.visits import visits_connection

        return await visits_connection(info, "cadre", self.uid, first, after)


async def cadres_page(info: GqlInfo, org_unit_id: uuid.UUID | str, rank: Rank | None,
                      first: int, after: str | None) -> CadreConnection:
    """Cadres whose work unit is at or below the unit, by name (also OrgUnit.cadres). FORBIDDEN
    outside the caller's scope; batched, so many units in one request cost one statement."""
    unit = await wl.unit_in_scope(info, parse_id(str(org_unit_id), "orgUnitId"), "orgUnitId")
    first = check_first(first)
    rows = await wl.cadre_page_of(info, unit.id, rank, decode_keyset(after, str), first + 1)
    return page(rows, first, lambda c: (c.name, str(c.id)), CadreType.from_domain)

