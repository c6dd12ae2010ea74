"""Stopping and starting the stack keeps every committed org unit, ticket and count.

Uses the session stack of the other e2e tests; its own org unit keeps it independent of them."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_data_survives_a_restart_of_the_whole_stack(stack: Any, gql: Any) -> None:
    county = str(uuid.uuid4())
    created = gql("mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) {"
                  " __typename ... on OrgUnit { id } } }",
                  i={"id": county, "name": "重启县", "kind": "COUNTY"})
    assert created == {"data": {"createOrgUnit": {"__typename": "OrgUnit", "id": county}}}
    ticket = {"id": str(uuid.uuid4()), "orgUnitId": county, "channel": "LETTER",
              "category": "housing", "text": "房屋漏雨"}
    deadline = time.monotonic() + 20
    while True:
        result = gql("mutation($i: SubmitTicketInput!) { submitTicket(input: $i) {"
                     " __typename ... on UserError { code } } }", i=ticket)
        if result.get("data", {}).get("submitTicket", {}).get("__typename") == "Ticket" \
                or time.monotonic() > deadline:
            break
        time.sleep(0.1)   # the tickets service learns the new county from people's event
    assert result["data"]["submitTicket"] == {"__typename": "Ticket"}, result

    stack.stop()
    stack.start()

    query = "query($id: ID!) { orgUnit(id: $id) { name ticketCount } }"
    deadline = time.monotonic() + 20
    while True:
        data = gql(query, id=county).get("data") or {}
        if (data.get("orgUnit") or {}).get("ticketCount") == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert data == {"orgUnit": {"name": "重启县", "ticketCount": 1}}
