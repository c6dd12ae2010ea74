"""Domain events of the people service (past tense); adapters map them to protobuf, carrying
ids and masked values only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from lianxin.people.domain.cadre import Cadre
from lianxin.people.domain.campaign import Campaign
from lianxin.people.domain.org import OrgUnit
from lianxin.people.domain.pairing import Pairing
from lianxin.people.domain.register import Household, NeedsTag, Resident
from lianxin.people.domain.visit import Visit


@dataclass(frozen=True, slots=True)
class OrgUnitCreated:
    org_unit: OrgUnit


@dataclass(frozen=True, slots=True)
class OrgUnitRenamed:
    org_unit: OrgUnit


@dataclass(frozen=True, slots=True)
class OrgUnitMoved:
    org_unit: OrgUnit
    old_path: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class HouseholdRegistered:
    household: Household


@dataclass(frozen=True, slots=True)
class HouseholdChanged:
    household: Household


@dataclass(frozen=True, slots=True)
class ResidentRegistered:
    resident: Resident


@dataclass(frozen=True, slots=True)
class ResidentChanged:
    resident: Resident


@dataclass(frozen=True, slots=True)
class NeedsTagAdded:
    tag: NeedsTag
    household: Household


@dataclass(frozen=True, slots=True)
class NeedsTagRemoved:
    tag: NeedsTag
    household: Household


@dataclass(frozen=True, slots=True)
class CadreRegistered:
    cadre: Cadre


@dataclass(frozen=True, slots=True)
class PairingCreated:
    pairing: Pairing


@dataclass(frozen=True, slots=True)
class PairingEnded:
    pairing: Pairing


@dataclass(frozen=True, slots=True)
class VisitLogged:
    visit: Visit


@dataclass(frozen=True, slots=True)
class CampaignCreated:
    campaign: Campaign


Event = (OrgUnitCreated | OrgUnitRenamed | OrgUnitMoved | HouseholdRegistered | HouseholdChanged
         | ResidentRegistered | ResidentChanged | NeedsTagAdded | NeedsTagRemoved
         | CadreRegistered | PairingCreated | PairingEnded | VisitLogged | CampaignCreated)
