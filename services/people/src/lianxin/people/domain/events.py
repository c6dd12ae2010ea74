"""Domain events of the people service (past tense); adapters map them to protobuf."""

from __future__ import annotations

from dataclasses import dataclass

from lianxin.people.domain.org import OrgUnit


@dataclass(frozen=True, slots=True)
class OrgUnitCreated:
    org_unit: OrgUnit


Event = OrgUnitCreated
