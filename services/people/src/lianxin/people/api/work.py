"""GraphQL for cadre work: cadres, campaigns, pairings with their contact cards, and visits.

The types live in api/cadres.py, pairings.py, visits.py and campaigns.py; this module holds the
Query and Mutation parts the schema merges, and re-exports what other modules call:
`CadreType`, `PairingType`, `cadres_page` (OrgUnit.cadres) and `pairings_of_household`
(Household.pairings).
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from lianxin.kit.gqltypes import ConflictError, InvalidInputError, NotFoundError, as_result
from lianxin.kit.ids import parse_id
from lianxin.people.api import work_loaders as wl
from lianxin.people.api.cadres import CadreType, PairingQuotaType, RankEnum, cadres_page
from lianxin.people.api.campaigns import CampaignType, RankQuotaType
from lianxin.people.api.common import GqlInfo, uow, writer
from lianxin.people.api.contact_cards import PdfDocumentType, contact_card, contact_cards_pdf
from lianxin.people.api.pairings import PairingType, pairings_of_household
from lianxin.people.api.types import CadreConnection
from lianxin.people.api.visits import VisitType
from lianxin.people.api.work_inputs import (
    CreateCampaignInput,
    CreatePairingInput,
    EndPairingInput,
    LogVisitInput,
    RegisterCadreInput,
    create_campaign_command,
    create_pairing_command,
    end_pairing_command,
    log_visit_command,
    register_cadre_command,
)
from lianxin.people.app import work as work_app
from lianxin.people.app import work_queries as q
from lianxin.people.app.common import today
from lianxin.people.app.work_visits import log_visit

__all__ = ["TYPES", "CadreType", "Mutation", "PairingType", "Query", "cadres_page",
           "pairings_of_household"]

Errors = InvalidInputError | NotFoundError | ConflictError
CadreResult = Annotated[CadreType | Errors, strawberry.union("CadreResult")]
CampaignResult = Annotated[CampaignType | Errors, strawberry.union("CampaignResult")]
PairingResult = Annotated[PairingType | Errors, strawberry.union("PairingResult")]
VisitResult = Annotated[VisitType | Errors, strawberry.union("VisitResult")]


@strawberry.type
class Query:
    @strawberry.field(description="One cadre; null if unknown or outside your org scope")
    async def cadre(self, info: GqlInfo, id: strawberry.ID) -> CadreType | None:
        [found] = await wl.load_cadres(info, [parse_id(id, "id")])
        return CadreType.from_domain(found) if found else None

    @strawberry.field(description="The cadre you sign in as (their subject is your token's sub)")
    async def my_cadre(self, info: GqlInfo) -> CadreType | None:
        found = await wl.load_my_cadre(info)
        return CadreType.from_domain(found) if found else None

    @strawberry.field(description="Cadres working at or below a unit, by name")
    async def cadres(self, info: GqlInfo, org_unit_id: strawberry.ID, rank: RankEnum | None = None,  # type: ignore[valid-type]
                     first: int = 20, after: str | None = None) -> CadreConnection:
        return await cadres_page(info, org_unit_id, rank, first, after)

    @strawberry.field(description="One pairing; null if unknown or outside your org scope")
    async def pairing(self, info: GqlInfo, id: strawberry.ID) -> PairingType | None:
        [found] = await wl.load_pairings(info, [parse_id(id, "id")])
        return PairingType.from_domain(found) if found else None

    @strawberry.field(description="One visit; null if unknown or outside your org scope")
    async def visit(self, info: GqlInfo, id: strawberry.ID) -> VisitType | None:
        [found] = await wl.load_visits(info, [parse_id(id, "id")])
        return VisitType.from_domain(found) if found else None

    @strawberry.field(description="One campaign; null if unknown or not concerning your scope")
    async def campaign(self, info: GqlInfo, id: strawberry.ID) -> CampaignType | None:
        [found] = await wl.load_campaigns(info, [parse_id(id, "id")])
        return CampaignType.from_domain(found) if found else None

    @strawberry.field(description="Campaigns that apply to a unit (organised above it) or are "
                      "organised at or below it, newest first")
    async def campaigns(self, info: GqlInfo, org_unit_id: strawberry.ID) -> list[CampaignType]:
        principal = info.context.require()
        unit = await wl.unit_in_scope(info, parse_id(org_unit_id, "orgUnitId"), "orgUnitId")
        ancestors = await wl.scope_ancestors(info)
        return [CampaignType.from_domain(c) for c in await q.campaigns_concerning(uow(info), unit)
                if wl.campaign_visible(principal, c, ancestors)]

    @strawberry.field(description="Contact cards (党群连心卡) of every active household pairing "
                      "at or below the unit, as one printable PDF")
    async def contact_cards_pdf(self, info: GqlInfo, org_unit_id: strawberry.ID) -> PdfDocumentType:
        return await contact_cards_pdf(info, org_unit_id)

    @strawberry.field(description="The pairing a scanned contact card's QR code points to; "
                      "INVALID_TOKEN for a code that is not a valid, unexpired card")
    async def contact_card(self, info: GqlInfo, qr_payload: str) -> PairingType | None:
        return await contact_card(info, qr_payload)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a cadre or party member (cadre, supervisor, "
                         "admin). A retry with the same id and content returns it.")
    async def register_cadre(self, info: GqlInfo, input: RegisterCadreInput) -> CadreResult:
        scope = writer(info)

        async def act() -> Any:
            return await work_app.register_cadre(register_cadre_command(input), uow(info), scope)
        return await as_result(act(), CadreType.from_domain)

    @strawberry.mutation(description="Create a campaign with its quotas and coverage target")
    async def create_campaign(self, info: GqlInfo, input: CreateCampaignInput) -> CampaignResult:
        scope = writer(info)

        async def act() -> Any:
            return await work_app.create_campaign(create_campaign_command(input), uow(info), scope)
        return await as_result(act(), CampaignType.from_domain)

    @strawberry.mutation(description="Pair a cadre with a household or contact point; the "
                         "pairing gets a contact card number. CONFLICT if already paired.")
    async def create_pairing(self, info: GqlInfo, input: CreatePairingInput) -> PairingResult:
        scope = writer(info)

        async def act() -> Any:
            return await work_app.create_pairing(create_pairing_command(input), uow(info), scope)
        return await as_result(act(), PairingType.from_domain)

    @strawberry.mutation(description="End an active pairing (kept as history)")
    async def end_pairing(self, info: GqlInfo, input: EndPairingInput) -> PairingResult:
        scope = writer(info)

        async def act() -> Any:
            return await work_app.end_pairing(end_pairing_command(input), uow(info), scope)
        return await as_result(act(), PairingType.from_domain)

    @strawberry.mutation(description="Log a visit from the app (offline-safe: resending the same "
                         "id and content returns the visit; other content is a CONFLICT)")
    async def log_visit(self, info: GqlInfo, input: LogVisitInput) -> VisitResult:
        principal = info.context.require()
        scope = writer(info)

        async def act() -> Any:
            return await log_visit(log_visit_command(input), uow(info), scope,
                                   recorded_by=principal.subject, today=today())
        return await as_result(act(), VisitType.from_domain)


TYPES = [CadreType, PairingType, VisitType, CampaignType, PairingQuotaType,
         RankQuotaType, PdfDocumentType]
