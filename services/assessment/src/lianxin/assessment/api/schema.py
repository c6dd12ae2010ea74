"""The assessment subgraph schema: each area's Query, Mutation and Subscription merged."""

from __future__ import annotations

import sys
from types import ModuleType

import strawberry
from lianxin.assessment.api import (
    coverage,
    dashboard,
    metrics,
    org_unit,
    people_entities,
    rankings,
    types,
    vanguard,
)
from lianxin.kit.graphql import schema_from_areas


@strawberry.type
class Query:
    @strawberry.field(description="Assessment service version (a subgraph needs one root field)")
    def assessment_version(self) -> str:
        return "1"


# One line per area module; each may define Query, Mutation, Subscription and TYPES.
AREAS: list[ModuleType] = [types, org_unit, people_entities, metrics, rankings, dashboard, coverage,
                           vanguard]


def build_schema() -> strawberry.federation.Schema:
    return schema_from_areas([sys.modules[__name__], *AREAS])
