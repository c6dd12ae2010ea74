"""Through the gateway, as a front end would: create org units, submit a ticket, and watch the
assessment projection count it; bad input gets coded errors; data survives a restart."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

CREATE = ("mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) {"
          " ... on OrgUnit { id name } ... on UserError { code message } } }")
SUBMIT = ("mutation($i: SubmitTicketInput!) { submitTicket(input: $i) {"
          " ... on Ticket { id status } ... on UserError { code message field } } }")
COUNT = ("query($id: ID!) { orgUnit(id: $id) { name ticketCount"
         " tickets(first: 1) { nodes { id text } } } }")


def codes(result: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in result.get("errors", [])]


def user_error(result: dict[str, Any]) -> str | None:
    """The code of a typed mutation error (a UserError in the result union), if any."""
    answer = (result.get("data") or {}).get("submitTicket") or {}
    code: str | None = answer.get("code")
    return code


def wait_for(check: Any, timeout_s: float = 20.0, interval_s: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


@pytest.fixture(scope="module")
def township(gql: Any) -> dict[str, str]:
    county, town = str(uuid.uuid4()), str(uuid.uuid4())
    for i in ({"id": county, "name": "测试县", "kind": "COUNTY"},
              {"id": town, "name": "测试镇", "kind": "TOWNSHIP", "parentId": county}):
        result = gql(CREATE, i=i)
        assert result["data"]["createOrgUnit"]["id"] == i["id"], result
    return {"county": county, "town": town}


def submit_when_known(gql: Any, ticket: dict[str, str]) -> dict[str, Any]:
    """The tickets service learns new org units from events: retry while it is still unknown."""
    def attempt() -> dict[str, Any] | None:
        result: dict[str, Any] = gql(SUBMIT, i=ticket)
        return None if user_error(result) == "UNKNOWN_ORG_UNIT" else result
    result: dict[str, Any] = wait_for(attempt)
    return result


def test_a_submitted_ticket_is_counted_up_the_tree(gql: Any, township: dict[str, str]) -> None:
    ticket = {"id": str(uuid.uuid4()), "orgUnitId": township["town"], "channel": "HOTLINE",
              "category": "water", "text": "村里自来水停了三天"}
    result = submit_when_known(gql, ticket)
    assert result == {"data": {"submitTicket": {"id": ticket["id"], "status": "RECEIVED"}}}
    submitted = time.monotonic()

    def counted() -> dict[str, Any] | None:
        data = gql(COUNT, id=township["county"]).get("data") or {}
        unit = data.get("orgUnit") or {}
        return data if unit.get("ticketCount") == 1 else None

    data = wait_for(counted, timeout_s=10)
    lag = time.monotonic() - submitted
    assert data, gql(COUNT, id=township["county"])
    # One query crossing all three subgraphs: name (people), tickets (tickets), count (assessment).
    assert data["orgUnit"]["name"] == "测试县"
    assert data["orgUnit"]["tickets"]["nodes"] == [{"id": ticket["id"], "text": "村里自来水停了三天"}]

    lags = [lag] + [_submit_and_time_count(gql, township, n) for n in range(2, 7)]
    print("ticket → assessment count through the gateway, ms: "
          + ", ".join(f"{x * 1000:.0f}" for x in lags))

    retry = gql(SUBMIT, i=ticket)  # a phone retrying on a weak signal
    assert retry == result
    time.sleep(0.5)
    assert gql(COUNT, id=township["county"])["data"]["orgUnit"]["ticketCount"] == 6


def _submit_and_time_count(gql: Any, township: dict[str, str], expect: int) -> float:
    """Submit one more ticket; seconds until the county's count shows it (figures, not asserts)."""
    result = gql(SUBMIT, i={"id": str(uuid.uuid4()), "orgUnitId": township["town"],
                            "channel": "APP", "category": "road", "text": f"第{expect}件"})
    assert "errors" not in result, result
    start = time.monotonic()
    assert wait_for(lambda: (gql(COUNT, id=township["county"])["data"]["orgUnit"]
                             ["ticketCount"] == expect), timeout_s=10)
    return time.monotonic() - start


@pytest.mark.parametrize(("overrides", "code"), [
    ({"orgUnitId": str(uuid.UUID(int=404))}, "UNKNOWN_ORG_UNIT"),
    ({"id": "not-a-uuid"}, "BAD_USER_INPUT"),
    ({"text": ""}, "BAD_USER_INPUT"),
    ({"text": None}, "GRAPHQL_VALIDATION_FAILED"),  # a missing required field
])
def test_bad_input_through_the_gateway_gets_a_coded_error(
        gql: Any, township: dict[str, str], overrides: dict[str, Any], code: str) -> None:
    ticket = {"id": str(uuid.uuid4()), "orgUnitId": township["town"], "channel": "WECHAT",
              "category": "road", "text": "路灯坏了", **overrides}
    if overrides.get("text", "") is None:
        del ticket["text"]
    result = gql(SUBMIT, i=ticket)
    assert (codes(result) or [user_error(result)]) == [code], result
    if ticket["id"] != "not-a-uuid":
        read = gql("query($id: ID!) { ticket(id: $id) { id } }", id=ticket["id"])
        assert read["data"] == {"ticket": None}  # nothing was written


def test_requests_without_a_token_are_refused(gql: Any, township: dict[str, str]) -> None:
    result = gql(COUNT, token=None, id=township["county"])
    assert "UNAUTHENTICATED" in codes(result), result
