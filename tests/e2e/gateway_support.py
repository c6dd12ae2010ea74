"""What the gateway's own end-to-end tests share (test_gateway_*.py): raw HTTP calls that keep
the status and headers, tokens with any claims, a way to prove a refused request ran nothing,
and a second gateway process in production mode against the session stack's subgraphs."""

from __future__ import annotations

import hashlib
import json
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from lianxin.kit.devstack.gateway import gateway_process, gateway_settings, supergraph_file
from lianxin.kit.devstack.processes import start_on_a_free_port
from lianxin.kit.devstack.stack import DevStack

REPO = Path(__file__).resolve().parents[2]
MINIPROGRAM = REPO / "clients" / "miniprogram"
MANIFEST = REPO / "gateway" / "persisted-documents.json"
# The production gateway's rate: low, so a test reaches it in a few requests. Every test on that
# gateway uses a subject of its own, so they do not share a budget.
PRODUCTION_RATE_LIMIT = 5


@dataclass(frozen=True)
class Answer:
    """An HTTP answer of the gateway: status, headers and the decoded JSON body."""

    status: int
    headers: httpx.Headers
    body: dict[str, Any]

    @property
    def codes(self) -> list[str]:
        return [(e.get("extensions") or {}).get("code", "") for e in self.body.get("errors") or []]

    @property
    def messages(self) -> str:
        return " | ".join(e.get("message", "") for e in self.body.get("errors") or [])


def call(url: str, query: str | None = None, variables: Mapping[str, Any] | None = None, *,
         token: str | None = None, body: Any = None, raw: bytes | None = None,
         accept: str = "application/json", headers: Mapping[str, str] | None = None) -> Answer:
    """POST to the gateway: `query` and `variables`, or any JSON `body`, or `raw` bytes."""
    sent = {"content-type": "application/json", "accept": accept, **(headers or {})}
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    if raw is None:
        raw = json.dumps(body if body is not None else
                         {"query": query, "variables": dict(variables or {})}).encode()
    response = httpx.post(url, content=raw, headers=sent, timeout=30)
    return Answer(response.status_code, response.headers, response.json())


def sign(key: Any, algorithm: str = "HS256", headers: dict[str, Any] | None = None,
         **claims: Any) -> str:
    """A token with lianxin's claims (an admin, valid for ten minutes) changed by `claims`; a
    claim given as None is left out."""
    now = int(time.time())
    payload = {"sub": "gateway-test", "role": "admin", "org_scope": [], "iss": "lianxin",
               "aud": "lianxin", "iat": now, "exp": now + 600, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key,
                      algorithm=algorithm, headers=headers)


def subject() -> str:
    """A token subject of its own (the rate limit is kept per subject)."""
    return f"gateway-test-{uuid.uuid4().hex[:8]}"


def persisted(name: str) -> tuple[str, str]:
    """(id, text) of clients/miniprogram/<name>.graphql: the id is the lowercase hex SHA-256 of
    the file's exact bytes, as gateway/persisted.mjs computes it."""
    raw = (MINIPROGRAM / f"{name}.graphql").read_bytes()
    return hashlib.sha256(raw).hexdigest(), raw.decode("utf-8")


# --- "nothing ran": a refused mutation leaves no trace --------------------------------------
CREATE = "createOrgUnit(input: $unit) { __typename }"


def new_unit() -> dict[str, Any]:
    """Input of a county nobody else uses; created only if a request is executed."""
    return {"id": str(uuid.uuid4()), "name": "限额县", "kind": "COUNTY", "parentId": None}


def unit_exists(stack: DevStack, unit_id: str) -> bool:
    answer = call(stack.gateway_url, "query($id: ID!) { orgUnit(id: $id) { id } }",
                  {"id": unit_id}, token=stack.token())
    assert answer.status == 200 and "errors" not in answer.body, answer
    return answer.body["data"]["orgUnit"] is not None


# --- more gateways against the same subgraphs ---------------------------------------------
@contextmanager
def extra_gateway(stack: DevStack, log_dir: Path, settings: Mapping[str, str],
                  subgraph_urls: Mapping[str, str] | None = None) -> Iterator[str]:
    """A gateway of its own (its URL) with `settings`, the stack's subgraphs (or
    `subgraph_urls`) and the repo's gateway/ config; stopped afterwards."""
    supergraph = supergraph_file(stack.gateway_dir, stack.data.root)
    process, port = start_on_a_free_port(lambda port: gateway_process(
        stack.gateway_dir, port, subgraph_urls or stack.service_urls, supergraph=supergraph,
        log_file=log_dir / f"gateway-{port}.log", settings=settings), timeout=90)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.stop()


def dead_url() -> str:
    """A URL where nothing listens (a port just bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/graphql"


@pytest.fixture(scope="session")
def production_gateway(stack: DevStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repo's gateway with LIANXIN_ENVIRONMENT=production, the stack's token secret and a
    low rate limit. Its assessment subgraph is unreachable, so a query there fails unexpectedly
    and shows what production masking leaves of such an error. Test modules import this fixture;
    pytest registers it per importing module, so each of them starts one (~3 s)."""
    settings = {**gateway_settings(secret=stack.data.secret(), environment="production"),
                "LIANXIN_GATEWAY_RATE_LIMIT": str(PRODUCTION_RATE_LIMIT)}
    urls = {**stack.service_urls, "assessment": dead_url()}
    with extra_gateway(stack, tmp_path_factory.mktemp("production-gateway"), settings, urls) as url:
        yield url
