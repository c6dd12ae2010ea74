"""The assessment subgraph schema: each area's Query, Mutation and Subscription merged."""

from __future__ import annotations

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
from lianxin.kit.graphql import make_schema
from strawberry.tools import merge_types


@strawberry.type
class Query:
    @strawberry.field(description="Assessment service version (a subgraph needs one root field)")
    def assessment_version(self) -> str:
        return "1"


# One line per area module; each may define Query, Mutation, Subscription and TYPES.
AREAS: list[ModuleType] = [types, org_unit, people_entities, metrics, rankings, dashboard, coverage,
                           vanguard]


def build_schema() -> strawberry.federation.Schema:
    queries = (Query, *(a.Query for a in AREAS if hasattr(a, "Query")))
    query = merge_types("Query", queries)
    mutations = tuple(a.Mutation for a in AREAS if hasattr(a, "Mutation"))
    mutation = merge_types("Mutation", mutations) if mutations else None
    streams = tuple(a.Subscription for a in AREAS if hasattr(a, "Subscription"))
    subscription = merge_types("Subscription", streams) if streams else None
    extra = [t for a in AREAS for t in getattr(a, "TYPES", [])]
    return make_schema(query, mutation, types=extra, subscription=subscription)
