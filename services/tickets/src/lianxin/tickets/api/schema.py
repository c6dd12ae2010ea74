"""The tickets subgraph schema: each area's Query and Mutation merged into one."""

from __future__ import annotations

import strawberry
from lianxin.kit.graphql import schema_from_areas
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

# One line per area module; each may define Query, Mutation, Subscription and TYPES.
AREAS = [types, entities, subscriptions, intake, taxonomy, triage, feedback, whistles, sla, duplicates,
         ops]


def build_schema() -> strawberry.federation.Schema:
    return schema_from_areas(AREAS)
