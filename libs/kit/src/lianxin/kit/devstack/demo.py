"""Demo data: a small county (墨江哈尼族自治县, Mojiang) loaded through the public GraphQL API
with an admin token, exactly as a client would create it — never by SQL.

Ids are uuid5 of the unit's path of names, and `createOrgUnit` returns the existing unit when
called again with the same id and content, so loading twice changes nothing.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Fixed namespace: the demo ids must be the same on every machine and every run.
DEMO_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-5b8e-9d47-2f3c7a1e0b64")
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))

CREATE_ORG_UNIT = """
mutation CreateOrgUnit($input: CreateOrgUnitInput!) {
  createOrgUnit(input: $input) { id name }
}"""


@dataclass(frozen=True)
class Unit:
    """An org unit of the demo tree (组织)."""

    name: str
    kind: str
    children: tuple[Unit, ...] = field(default=())


def _villages(*names: str) -> tuple[Unit, ...]:
    return tuple(Unit(n, "COMMUNITY" if n.endswith("社区") else "VILLAGE") for n in names)


DEMO_COUNTY = Unit("墨江哈尼族自治县", "COUNTY", (
    Unit("联珠镇", "TOWNSHIP", _villages("城南社区", "城北社区", "癸能村")),
    Unit("通关镇", "TOWNSHIP", _villages("通关社区", "黄庄村", "大寨村")),
    Unit("碧溪镇", "TOWNSHIP", _villages("碧溪社区", "玉溪村")),
    Unit("县水务局", "DEPARTMENT"),
    Unit("墨江供电局", "DEPARTMENT"),
    Unit("县交通运输局", "DEPARTMENT"),
    Unit("县民政局", "DEPARTMENT"),
    Unit("县住房和城乡建设局", "DEPARTMENT"),
))


class DemoLoadError(RuntimeError):
    """The API refused a demo unit; the message quotes its GraphQL errors."""


def unit_id(path: tuple[str, ...]) -> str:
    """The fixed id of the unit at `path` (names from the county down)."""
    return str(uuid.uuid5(DEMO_NAMESPACE, "/".join(path)))


def walk(unit: Unit = DEMO_COUNTY, parent: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """Create-inputs for `unit` and its subtree, each parent before its children."""
    path = (*parent, unit.name)
    yield {"id": unit_id(path), "parentId": unit_id(parent) if parent else None,
           "name": unit.name, "kind": unit.kind}
    for child in unit.children:
        yield from walk(child, path)


def post_graphql(url: str, query: str, variables: dict[str, Any], token: str,
                 timeout: float = 30.0) -> dict[str, Any]:
    """POST one GraphQL operation; return the decoded body (errors included, not raised)."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "content-type": "application/json", "accept": "application/json",
        "authorization": f"Bearer {token}"})
    try:
        with _HTTP.open(request, timeout=timeout) as response:
            result: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as err:  # GraphQL over HTTP may answer errors with a 4xx
        raw = err.read()
        try:
            result = json.loads(raw)
        except ValueError:
            raise DemoLoadError(f"{url} answered HTTP {err.code}: {raw[:300]!r}") from None
    return result


def load_demo(graphql_url: str, token: str) -> list[dict[str, Any]]:
    """Create (or confirm) every demo unit through `graphql_url`; return the created units."""
    created = []
    for unit in walk():
        result = post_graphql(graphql_url, CREATE_ORG_UNIT, {"input": unit}, token)
        if result.get("errors"):
            problems = "; ".join(
                f"{e.get('message')} ({(e.get('extensions') or {}).get('code', 'no code')})"
                for e in result["errors"])
            raise DemoLoadError(f"could not create {unit['name']} ({unit['kind']}): {problems}")
        created.append(result["data"]["createOrgUnit"])
    return created
