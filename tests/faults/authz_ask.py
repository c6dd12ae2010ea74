"""Asking the matrix's questions: one query per (viewer, root field, target) through the gateway
and one `_entities` query per (viewer, subgraph, entity type, target) straight to the subgraph
with the viewer's token — a few hundred requests, sent from a small thread pool so the suite
stays well under a minute on a two-core machine."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from authz_cases import ENTITY_IDS, NESTED_ARGS, ROOT_ARGS, Viewer, own_target
from authz_schema import SERVICES, Selector, arguments, composed, entity_types, subgraph
from authz_world import Target, World
from graphql import get_named_type, is_leaf_type
from lianxin.kit.devstack.demo import post_graphql

Key = tuple[str, ...]  # ("root", viewer, field, target) / ("entity", viewer, service, target)
WORKERS = 4
# A keep-alive connection from the gateway to a subgraph closed under it (seen on a loaded
# machine): the request never reached the resolvers, so it is asked once more.
DROPPED = re.compile(r"ECONNRESET|socket hang up")


def root_query(field: str, target: Target) -> str:
    query = composed().query_type
    assert query is not None
    named = get_named_type(query.fields[field].type)
    selection = "" if is_leaf_type(named) else Selector(composed(), NESTED_ARGS).of(named.name)
    return f"query {{ {field}{arguments(ROOT_ARGS[field](target))} {selection} }}"


def entity_query(service: str) -> str:
    """Every entity type of the subgraph in one operation: one aliased `_entities` per type (its
    own variable, so selections of different types cannot conflict); an entity refused is a
    null item with its error, the others still answer."""
    selector = Selector(subgraph(service), NESTED_ARGS)
    types = entity_types(service)
    variables = ", ".join(f"${t}: [_Any!]!" for t in types)
    fields = " ".join(
        f"{t}: _entities(representations: ${t}) {{ __typename ... on {t} {selector.of(t)} }}" for t in types
    )
    return f"query({variables}) {{ {fields} }}"


def targets_of(world: World, viewer: Viewer) -> dict[str, Target]:
    return {name: own_target(world) if name == "own" else world.targets[name] for name in viewer.targets}


def questions(
    world: World, viewers: Iterable[Viewer], gateway: str, service_url: Callable[[str], str]
) -> dict[Key, tuple[str, str, dict[str, Any]]]:
    """(url, query, variables) by key, for every viewer, field, entity type and target."""
    asked: dict[Key, tuple[str, str, dict[str, Any]]] = {}
    for viewer in viewers:
        for label, target in targets_of(world, viewer).items():
            for field in sorted(ROOT_ARGS):
                asked[("root", viewer.name, field, label)] = (gateway, root_query(field, target), {})
            for service in SERVICES:
                reps = {t: [{"__typename": t, "id": ENTITY_IDS[t](target)}] for t in entity_types(service)}
                asked[("entity", viewer.name, service, label)] = (
                    service_url(service),
                    entity_query(service),
                    reps,
                )
    return asked


def ask_all(
    asked: dict[Key, tuple[str, str, dict[str, Any]]], tokens: dict[str, str]
) -> dict[Key, dict[str, Any]]:
    """Every question's answer (the decoded JSON body), asked WORKERS at a time; a question
    that does not depend on the target (`campaign`, `myTickets` …) is asked once per viewer."""

    def unique(key: Key) -> tuple[str, ...]:
        url, query, variables = asked[key]
        return key[1], url, query, json.dumps(variables, sort_keys=True)

    def one(question: tuple[str, ...]) -> dict[str, Any]:
        viewer, url, query, variables = question
        answer = post_graphql(url, query, json.loads(variables), tokens[viewer])
        if DROPPED.search(str(answer.get("errors"))):  # the gateway lost a pooled connection
            answer = post_graphql(url, query, json.loads(variables), tokens[viewer])
        return answer

    distinct = sorted({unique(key) for key in asked})
    with ThreadPoolExecutor(WORKERS) as pool:
        answers = dict(zip(distinct, pool.map(one, distinct), strict=True))
    return {key: answers[unique(key)] for key in asked}
