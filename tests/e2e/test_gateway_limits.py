"""The gateway's limits (gateway/src/limits.ts): an operation too deep, with too many aliases or
tokens, too costly, or asking for a page out of range is refused with a coded error before
anything executes. Each refused request below is a mutation: that the org unit it would create
does not exist afterwards shows no subgraph ran it. Our own clients' requests pass (the demo
loader's 50 aliased mutations and its introspection). Batching is off; the per-user rate limit
answers 429 with Retry-After. In production, errors carry no internals, and introspection and
GraphiQL are off (both on in dev)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gateway_support import (
    PRODUCTION_RATE_LIMIT,
    call,
    new_unit,
    production_gateway,  # noqa: F401 (a fixture)
    sign,
    subject,
    unit_exists,
)
from lianxin.kit.devstack.demo.load import INTROSPECT
from lianxin.kit.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
MAX_PAGE = 100  # LIANXIN_GATEWAY_MAX_PAGE_SIZE's default: the subgraphs' kit MAX_PAGE_SIZE


def mutation(selection: str = "", variables: str = "", extra: str = "") -> str:
    """createOrgUnit($unit) with `selection` on the created unit, plus `extra` root fields."""
    on_unit = f" ... on OrgUnit {{ {selection} }}" if selection else ""
    return (f"mutation($unit: CreateOrgUnitInput!{variables}) {{ "
            f"createOrgUnit(input: $unit) {{ __typename{on_unit} }} {extra} }}")


REFUSED: dict[str, tuple[str, dict[str, Any], str]] = {
    # case: (document, extra variables, code)
    "depth 50": (mutation("parent { " * 49 + "id" + " }" * 49), {}, "QUERY_TOO_DEEP"),
    "500 aliases": (mutation(extra=" ".join(f"a{i}: __typename" for i in range(500))), {},
                    "TOO_MANY_ALIASES"),
    "10k tokens": (mutation("id " + "name " * 10_000), {}, "TOO_MANY_TOKENS"),
    # Six levels of children, each assumed ten: 111 111 objects for one unit.
    "cost": (mutation("children { " * 6 + "id" + " }" * 6), {}, "QUERY_TOO_COSTLY"),
    "page of 10⁹": (mutation("tickets(first: 1000000000) { totalCount }"), {}, "PAGE_TOO_LARGE"),
    "page of 10⁹ in a variable": (mutation("tickets(first: $n) { totalCount }", ", $n: Int!"),
                                  {"n": 10**9}, "PAGE_TOO_LARGE"),
    "page one too large": (mutation(f"tickets(first: {MAX_PAGE + 1}) {{ totalCount }}"), {},
                           "PAGE_TOO_LARGE"),
    "page of 0": (mutation("tickets(first: 0) { totalCount }"), {}, "PAGE_TOO_SMALL"),
    "page in a fragment": (mutation("...Big", extra="") + " fragment Big on OrgUnit {"
                           " households(first: 500) { totalCount } }", {}, "PAGE_TOO_LARGE"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_request_over_a_limit_is_refused_before_anything_runs(
        stack: DevStack, case: str) -> None:
    document, variables, code = REFUSED[case]
    unit = new_unit()
    answer = call(stack.gateway_url, document, {"unit": unit, **variables}, token=stack.token())
    assert answer.codes == [code], answer
    assert "data" not in answer.body, answer
    assert not unit_exists(stack, unit["id"])
    # GraphQL over HTTP: a request error is a 4xx for clients accepting graphql-response+json.
    strict = call(stack.gateway_url, document, {"unit": new_unit(), **variables},
                  token=stack.token(), accept="application/graphql-response+json")
    assert (strict.status, strict.codes) == (400, [code]), strict


def test_requests_at_the_limits_pass(stack: DevStack) -> None:
    """The controls for the refusals: the largest page, and an operation as deep as allowed
    (createOrgUnit, ten parents, id: 12 levels, LIANXIN_GATEWAY_MAX_DEPTH's default)."""
    for selection in (f"households(first: {MAX_PAGE}) {{ totalCount }}",
                      "parent { " * 10 + "id" + " }" * 10):
        unit = new_unit()
        answer = call(stack.gateway_url, mutation(selection), {"unit": unit}, token=stack.token())
        assert "errors" not in answer.body, answer
        assert unit_exists(stack, unit["id"])


def test_the_demo_loaders_requests_pass(stack: DevStack) -> None:
    """lianxin.kit.devstack.demo.load sends 50 aliased mutations per request and reads the
    mutations' input types by introspection with nested ofType: both must fit the limits."""
    units = [new_unit() for _ in range(50)]
    declared = ", ".join(f"$u{i}: CreateOrgUnitInput!" for i in range(50))
    fields = " ".join(f"m{i}: createOrgUnit(input: $u{i}) {{ __typename"
                      f" ... on UserError {{ code message field }} ... on OrgUnit {{ id }} }}"
                      for i in range(50))
    answer = call(stack.gateway_url, f"mutation DemoLoad({declared}) {{ {fields} }}",
                  {f"u{i}": unit for i, unit in enumerate(units)}, token=stack.token())
    assert "errors" not in answer.body, answer
    assert {answer.body["data"][f"m{i}"]["__typename"] for i in range(50)} == {"OrgUnit"}
    schema = call(stack.gateway_url, INTROSPECT, token=stack.token())
    assert "errors" not in schema.body and schema.body["data"]["__schema"]["mutationType"], schema


def test_batching_is_off(stack: DevStack) -> None:
    units = [new_unit(), new_unit()]
    batch = [{"query": mutation(), "variables": {"unit": unit}} for unit in units]
    answer = call(stack.gateway_url, body=batch, token=stack.token())
    assert (answer.status, answer.codes) == (400, ["BATCHING_DISABLED"]), answer
    assert not any(unit_exists(stack, unit["id"]) for unit in units)


def test_the_rate_limit_is_per_user(stack: DevStack, production_gateway: str) -> None:  # noqa: F811
    secret = stack.data.secret()
    busy, other = sign(secret, sub=subject()), sign(secret, sub=subject())
    for _ in range(PRODUCTION_RATE_LIMIT):
        assert call(production_gateway, "{ __typename }", token=busy).status == 200
    refused = call(production_gateway, "{ __typename }", token=busy)
    assert (refused.status, refused.codes) == (429, ["RATE_LIMITED"]), refused
    # One request every 60/5 = 12 s refills the bucket: the wait is whole seconds, at most that.
    assert 1 <= int(refused.headers["retry-after"]) <= 60 // PRODUCTION_RATE_LIMIT
    assert call(production_gateway, "{ __typename }", token=other).status == 200


# --- production mode ------------------------------------------------------------------------
def test_production_errors_carry_no_internals(stack: DevStack,
                                              production_gateway: str) -> None:  # noqa: F811
    token = sign(stack.data.secret(), sub=subject())
    # Yoga's own error for an unreadable body used to carry the JSON parser's message.
    bad_json = call(production_gateway, raw=b"{not json", token=token)
    assert (bad_json.status, bad_json.codes) == (400, ["BAD_REQUEST"]), bad_json
    assert "originalError" not in bad_json.body["errors"][0]["extensions"], bad_json
    dev = call(stack.gateway_url, raw=b"{not json", token=stack.token())
    assert "originalError" in dev.body["errors"][0]["extensions"], dev  # dev shows it
    # The production gateway's assessment subgraph is unreachable: an unexpected error.
    down = call(production_gateway, "{ dashboard(orgUnitId: \"00000000-0000-0000-0000-"
                "000000000001\") { orgUnitId } }", token=token)
    [error] = down.body["errors"]
    assert error["message"] == "Unexpected error.", down
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}, down


INTROSPECTION = "{ __schema { queryType { name } } }"


def test_introspection_is_off_in_production_only(stack: DevStack,
                                                 production_gateway: str) -> None:  # noqa: F811
    dev = call(stack.gateway_url, INTROSPECTION, token=stack.token())
    assert dev.body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}, dev
    production = call(production_gateway, INTROSPECTION, token=sign(stack.data.secret(),
                                                                    sub=subject()))
    assert "data" not in production.body and production.codes, production
    assert set(production.codes) == {"INTROSPECTION_DISABLED"}
    assert "introspection has been disabled" in production.messages


def test_graphiql_is_off_in_production_only(stack: DevStack,
                                            production_gateway: str) -> None:  # noqa: F811
    def page(url: str) -> httpx.Response:
        return httpx.get(url, headers={"accept": "text/html"}, timeout=10)

    # Hive Gateway's GraphiQL is its "Laboratory" page, served to a browser's GET.
    dev = page(stack.gateway_url)
    assert dev.status_code == 200 and dev.headers["content-type"].startswith("text/html")
    assert "<html" in dev.text, dev.text[:200]
    production = page(production_gateway)
    assert production.status_code == 406, production  # not acceptable: no HTML to offer
    assert "<html" not in production.text
