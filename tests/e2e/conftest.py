"""One whole stack (embedded PostgreSQL, tansu, three services with workers, Hive Gateway) for
the end-to-end tests, started once per session in a temporary data folder."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lianxin.kit.devstack.stack import DevStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    from lianxin.kit.devstack.processes import free_port

    stack = DevStack(Path(tmp_path_factory.mktemp("stack")), gateway_port=free_port())
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


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
