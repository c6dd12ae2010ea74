"""The tickets subgraph schema: each area's Query and Mutation merged into one."""

from __future__ import annotations

import strawberry
from lianxin.kit.graphql import make_schema
from lianxin.tickets.api import (
    duplicates,
    entities,
    feedback,
    intake,
    ops,
    sla,
    subscriptions,
    taxonomy,
    triage,
    types,
    whistles,
)
from strawberry.tools import merge_types

# One line per area module; each may define Query, Mutation, Subscription and TYPES.
AREAS = [types, entities, subscriptions, intake, taxonomy, triage, feedback, whistles, sla, duplicates,
         ops]


def build_schema() -> strawberry.federation.Schema:
    query = merge_types("Query", tuple(a.Query for a in AREAS if hasattr(a, "Query")))
    mutations = tuple(a.Mutation for a in AREAS if hasattr(a, "Mutation"))
    mutation = merge_types("Mutation", mutations) if mutations else None
    streams = tuple(a.Subscription for a in AREAS if hasattr(a, "Subscription"))
    subscription = merge_types("Subscription", streams) if streams else None
    extra = [t for a in AREAS for t in getattr(a, "TYPES", [])]
    return make_schema(query, mutation, types=extra, subscription=subscription)
