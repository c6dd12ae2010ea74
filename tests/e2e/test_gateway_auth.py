"""Authentication at the gateway (gateway/src/auth.ts): every GraphQL request needs a valid
bearer token, and a refused one gets HTTP 401 with a GraphQL error coded UNAUTHENTICATED whose
message says what to fix. The health endpoints stay open. On a WebSocket the token comes in
connection_init's payload; a socket without a valid one is refused at its first operation
(that operation's error, then close code 4403). Keys may also come from a JWKS URL; a bad
setting stops the gateway at start-up, naming the variable."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gateway_support import CREATE, call, extra_gateway, new_unit, sign, unit_exists
from jwt.algorithms import RSAAlgorithm
from lianxin.kit.devstack.processes import free_port
from lianxin.kit.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
HELLO = "{ __typename }"
OTHER_KEY = "another-deployment-s-secret-0123456789"
REFUSALS = {
    # case: (token or header maker, words the message must contain)
    "no token": (None, "needs a token"),
    "not bearer": ("Basic dXNlcjpwYXNz", '"Bearer <token>"'),
    "not a JWT": ("Bearer not-a-jwt", "not a JWT"),
    "bad signature": (lambda s: sign(OTHER_KEY), "signature does not verify"),
    "wrong issuer": (lambda s: sign(s, iss="someone-else"), "issuer"),
    "wrong audience": (lambda s: sign(s, aud="another-api"), "audience"),
    "expired": (lambda s: sign(s, exp=int(time.time()) - 60), "expired"),
    "no expiry": (lambda s: sign(s, exp=None), "no exp claim"),
    "alg none": (lambda s: sign(None, algorithm="none"), 'alg "none"'),
    "unknown role": (lambda s: sign(s, role="mayor"), "role"),
}


def authorization(case: str, secret: str) -> dict[str, str]:
    made, _ = REFUSALS[case]
    if made is None:
        return {}
    if isinstance(made, str):
        return {"authorization": made}
    return {"authorization": f"Bearer {made(secret)}"}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_request_without_a_valid_token_gets_401_saying_what_to_fix(
        stack: DevStack, case: str) -> None:
    answer = call(stack.gateway_url, HELLO, headers=authorization(case, stack.data.secret()))
    assert answer.status == 401, answer
    assert answer.codes == ["UNAUTHENTICATED"], answer
    assert REFUSALS[case][1] in answer.messages, answer
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "data" not in answer.body


def test_a_valid_token_passes(stack: DevStack) -> None:
    """The control for the refusals above: the same request with the stack's own token."""
    answer = call(stack.gateway_url, HELLO, token=sign(stack.data.secret()))
    assert (answer.status, answer.body) == (200, {"data": {"__typename": "Query"}}), answer


def test_a_refused_mutation_runs_nowhere(stack: DevStack) -> None:
    unit = new_unit()
    expired = sign(stack.data.secret(), exp=int(time.time()) - 60)
    answer = call(stack.gateway_url, f"mutation($unit: CreateOrgUnitInput!) {{ {CREATE} }}",
                  {"unit": unit}, token=expired)
    assert (answer.status, answer.codes) == (401, ["UNAUTHENTICATED"]), answer
    assert not unit_exists(stack, unit["id"])


@pytest.mark.parametrize("path", ["/healthcheck", "/readiness"])
def test_health_endpoints_need_no_token(stack: DevStack, path: str) -> None:
    response = httpx.get(stack.gateway_url.replace("/graphql", path), timeout=10)
    assert response.status_code == 200, response.text


# --- WebSockets --------------------------------------------------------------------------
SUBSCRIBE = {"query": "subscription($o: ID!) { ticketEvents(orgUnitId: $o) { ticketId } }",
             "variables": {"o": "not-a-uuid"}}


async def first_operation(url: str, init: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    """Connect, init with `init`, subscribe once; the messages received and the close (code,
    reason) if the gateway closed the socket within 5 s, else None."""
    messages: list[dict[str, Any]] = []
    async with websockets.connect(url.replace("http://", "ws://"),
                                  subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": SUBSCRIBE}))
        try:
            while True:
                messages.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
        except websockets.ConnectionClosed as closed:
            return messages, (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else None
        except TimeoutError:
            return messages, None


@pytest.mark.parametrize("case", ["no token", "expired", "bad signature"])
def test_a_socket_without_a_valid_token_is_refused(stack: DevStack, case: str) -> None:
    header = authorization(case, stack.data.secret())
    messages, closed = asyncio.run(first_operation(stack.gateway_url, header))
    errors = [e for m in messages if m["type"] == "next" for e in m["payload"].get("errors", [])]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"], messages
    assert closed is not None and closed[0] == 4403, closed
    assert closed[1].startswith("Forbidden: ")


def test_a_socket_with_a_valid_token_reaches_the_subgraph(stack: DevStack) -> None:
    """The control: the same subscription with a valid token passes the gateway; the tickets
    subgraph itself answers (it refuses the org unit id) and the socket stays open."""
    init = {"authorization": f"Bearer {stack.token()}"}
    messages, closed = asyncio.run(first_operation(stack.gateway_url, init))
    errors = [e for m in messages if m["type"] == "next" for e in m["payload"].get("errors", [])]
    assert errors and all(e["extensions"].get("serviceName") == "tickets" for e in errors), messages
    assert closed is None


# --- keys from a JWKS URL ------------------------------------------------------------------
@pytest.fixture(scope="module")
def jwks() -> Iterator[tuple[str, Any]]:
    """A JWKS endpoint serving one RSA key (kid "k1"); (its URL, the private key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": "k1", "use": "sig",
           "alg": "RS256"}

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"keys": [jwk]}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", key
    finally:
        server.shutdown()


def test_keys_from_a_jwks_url(stack: DevStack, jwks: tuple[str, Any], tmp_path: Path) -> None:
    url, key = jwks
    with extra_gateway(stack, tmp_path, {"LIANXIN_ENVIRONMENT": "dev",
                                         "LIANXIN_JWT_JWKS_URL": url}) as gateway:
        good = call(gateway, HELLO, token=sign(key, "RS256", {"kid": "k1"}))
        assert good.body == {"data": {"__typename": "Query"}}, good
        unknown_kid = call(gateway, HELLO, token=sign(key, "RS256", {"kid": "k9"}))
        assert (unknown_kid.status, unknown_kid.codes) == (401, ["UNAUTHENTICATED"]), unknown_kid
        assert "kid" in unknown_kid.messages
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = call(gateway, HELLO, token=sign(other, "RS256", {"kid": "k1"}))
        assert (forged.status, forged.codes) == (401, ["UNAUTHENTICATED"]), forged
        # An HS256 token signed with the JWKS's public key as a secret (alg confusion).
        public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        confused = call(gateway, HELLO, token=hs256_by_hand(public, {
            "sub": "x", "role": "admin", "iss": "lianxin", "aud": "lianxin",
            "exp": int(time.time()) + 60}))
        assert (confused.status, confused.codes) == (401, ["UNAUTHENTICATED"]), confused
        assert 'alg "HS256"' in confused.messages


def hs256_by_hand(secret: bytes, claims: dict[str, Any]) -> str:
    """An HS256 token over any secret (PyJWT refuses a PEM public key as an HMAC secret)."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header = json.dumps({"alg": "HS256", "typ": "JWT"}).encode()
    signed = f"{part(header)}.{part(json.dumps(claims).encode())}"
    return f"{signed}.{part(hmac.new(secret, signed.encode(), hashlib.sha256).digest())}"


# --- settings ------------------------------------------------------------------------------
@pytest.mark.parametrize(("settings", "named"), [
    ({}, "LIANXIN_JWT_SECRET"),
    ({"LIANXIN_JWT_SECRET": "short"}, "LIANXIN_JWT_SECRET"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_JWT_JWKS_URL": "https://idp/keys"}, "exactly one"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_GATEWAY_MAX_DEPTH": "deep"},
     "LIANXIN_GATEWAY_MAX_DEPTH"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_ENVIRONMENT": "staging"}, "LIANXIN_ENVIRONMENT"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_GATEWAY_DEDUPLICATE_INFLIGHT": "no"},
     "LIANXIN_GATEWAY_DEDUPLICATE_INFLIGHT"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_GATEWAY_QUERY_PLANNER": "go"},
     "LIANXIN_GATEWAY_QUERY_PLANNER"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS": "5"},
     "LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_GATEWAY_MAX_IN_FLIGHT": "0"},
     "LIANXIN_GATEWAY_MAX_IN_FLIGHT"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_GATEWAY_MAX_LOOP_LAG_MS": "-1"},
     "LIANXIN_GATEWAY_MAX_LOOP_LAG_MS"),
    # The algorithm is pinned as in the services: never none, and it must fit the key.
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_JWT_ALGORITHM": "none"}, "LIANXIN_JWT_ALGORITHM"),
    ({"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_JWT_ALGORITHM": "RS256"}, "LIANXIN_JWT_ALGORITHM"),
])
def test_a_bad_setting_stops_the_gateway_naming_the_variable(
        stack: DevStack, settings: dict[str, str], named: str) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LIANXIN_JWT_", "LIANXIN_GATEWAY_", "LIANXIN_ENVIRONMENT"))}
    binary = stack.gateway_dir / "node_modules" / ".bin" / "hive-gateway"
    done = subprocess.run(
        [str(binary), "supergraph", "./supergraph.graphql", "--port", str(free_port()), "-c",
         "./gateway.config.ts"], cwd=stack.gateway_dir, env={**env, **settings},
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bad setting" in done.stderr and named in done.stderr, done.stderr
