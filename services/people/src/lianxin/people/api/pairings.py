"""GraphQL type Pairing (结对 / 联户): a cadre and a household or contact point, with a card."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.people.api import work_loaders as wl
from lianxin.people.api.cadres import CadreType
from lianxin.people.api.common import GqlInfo
from lianxin.people.api.types import OrgUnitType, load_units
from lianxin.people.domain.pairing import Pairing

if TYPE_CHECKING:
    from lianxin.people.api.campaigns import CampaignType
    from lianxin.people.api.register import HouseholdType


@strawberry.federation.type(keys=["id"], name="Pairing", description="A cadre paired with a "
                            "household or a contact point (结对), with its contact card number")
class PairingType:
    id: strawberry.ID
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str | None
    card_no: str = strawberry.field(description="Contact card number (连心卡编号), e.g. LX-000123")
    active: bool
    cadre_id: strawberry.Private[uuid.UUID]
    household_id: strawberry.Private[uuid.UUID | None]
    contact_point_id: strawberry.Private[uuid.UUID | None]
    campaign_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_domain(cls, p: Pairing) -> PairingType:
        return cls(id=strawberry.ID(str(p.id)), started_on=p.started_on, ended_on=p.ended_on,
                   end_reason=p.end_reason, card_no=p.card_no, active=p.active,
                   cadre_id=p.cadre_id, household_id=p.household_id,
                   contact_point_id=p.contact_point_id, campaign_id=p.campaign_id)

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> PairingType | None:
        [found] = await wl.load_pairings(info, [parse_id(id, "id")])
        return cls.from_domain(found) if found else None

    @strawberry.field(description="The cadre; null if outside your org scope")
    async def cadre(self, info: GqlInfo) -> CadreType | None:
        [found] = await wl.load_cadres(info, [self.cadre_id])
        return CadreType.from_domain(found) if found else None

    @strawberry.field(description="The household, for a household pairing")
    async def household(self, info: GqlInfo) -> Annotated[
            HouseholdType, strawberry.lazy("lianxin.people.api.register")] | None:
        from lianxin.people.api.register import HouseholdType, load_households

        if self.household_id is None:
            return None
        [found] = await load_households(info, [self.household_id])
        return HouseholdType.from_domain(found) if found else None

    @strawberry.field(description="The contact point (联系点), for a pairing with a village or unit")
    async def contact_point(self, info: GqlInfo) -> OrgUnitType | None:
        if self.contact_point_id is None:
            return None
        [unit] = await load_units(info, [self.contact_point_id])
        return OrgUnitType.from_domain(unit) if unit else None

    @strawberry.field(description="The campaign it was made under, if any")
    async def campaign(self, info: GqlInfo) -> Annotated[
            CampaignType, strawberry.lazy("lianxin.people.api.campaigns")] | None:
        from lianxin.people.api.campaigns import CampaignType

        if self.campaign_id is None:
            return None
        [found] = await wl.load_campaigns(info, [self.campaign_id])
        return CampaignType.from_domain(found) if found else None


async def pairings_of_household(info: GqlInfo, household_id: uuid.UUID,
                                active_only: bool) -> list[PairingType]:
    """The household's pairings you may see, oldest first (Household.pairings); batched."""
    return [PairingType.from_domain(p)
            for p in await wl.pairings_of_households(info, household_id, active_only)]
