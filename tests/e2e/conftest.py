"""One whole stack (embedded PostgreSQL, tansu, three services with workers, Hive Gateway) for
the end-to-end tests, started once per session in a temporary data folder."""

from __future__ import annotations

import datetime as dt
import json
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lianxin.kit.devstack.demo import DemoSummary, build_county, load_demo
from lianxin.kit.devstack.demo.county import DemoCounty
from lianxin.kit.devstack.demo.history import HistorySummary, load_history
from lianxin.kit.devstack.stack import DevStack

# Helper modules beside this file import as packages (journeys.frontends, …): pytest's importlib
# mode does not put test folders on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with DevStack(Path(tmp_path_factory.mktemp("stack")), gateway_port=0) as stack:
        yield stack


Gql = Callable[..., dict[str, Any]]


def post_graphql(url: str, query: str, variables: dict[str, Any] | None = None,
                 token: str | None = None) -> dict[str, Any]:
    """POST a GraphQL request as a front end would; returns the decoded JSON body."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "content-type": "application/json", "accept": "application/json",
        **({"authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            result: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as err:  # GraphQL-over-HTTP may answer errors with 4xx
        result = json.loads(err.read())
    return result


@pytest.fixture(scope="session")
def gql(stack: DevStack) -> Gql:
    """Call the gateway with an admin token unless another token (or None) is given."""
    admin = stack.token()

    def call(query: str, token: str | None = admin, **variables: Any) -> dict[str, Any]:
        return post_graphql(stack.gateway_url, query, variables, token)

    return call


# --- the demo county, loaded once for the modules that read it ---------------------------
@pytest.fixture(scope="session")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """`make dev`'s demo county (and its history) in a stack of its own: its ~2,600 outbox
    events stay out of the shared stack's restart tests."""
    with DevStack(Path(tmp_path_factory.mktemp("demo")), gateway_port=0) as stack:
        yield stack


@pytest.fixture(scope="session")
def county() -> DemoCounty:
    return build_county()


@pytest.fixture(scope="session")
def since() -> str:
    """Before the load: the live tickets are submitted after it, the history's before."""
    return dt.datetime.now(dt.UTC).isoformat()


@pytest.fixture(scope="session")
def first(demo_stack: DevStack, county: DemoCounty, since: str) -> DemoSummary:
    return load_demo(demo_stack.gateway_url, demo_stack.token(), county)


@pytest.fixture(scope="session")
def history(first: DemoSummary, demo_stack: DevStack, county: DemoCounty) -> HistorySummary:
    return load_history(demo_stack, county=county)
