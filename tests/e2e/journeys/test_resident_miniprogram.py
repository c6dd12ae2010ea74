"""Journey 1 — the residents' WeChat mini-program (小程序), through the gateway.

Wang Guifang's household is paired with a village cadre, whose contact card (党群连心卡) hangs by
her door. The water pipe in her yard leaks. She scans the card's QR code with the mini-program,
picks a category, takes a photo (uploaded first: the app holds only its cloud fileID) and sends
the demand. Her phone loses the signal just as the gateway answers, so the app sends the same
demand again — it chose the ticket's id itself, so she still has exactly one demand, with the
code the first attempt got. She follows it while the village works it: accepted, handled by a
named person, resolved, answered. She rates it satisfied and it closes.

The mini-program sends only persisted documents: `{"documentId": sha256(file), "variables"}`
for clients/miniprogram/<Operation>.graphql; the gateway holds their texts in its manifest. Its
requests pass through a link that can lose an answer (journeys/flaky.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from gql.transport.exceptions import TransportConnectionFailed
from journeys import operations as op
from journeys.flaky import LossyLink
from journeys.frontends import App, MiniProgram, answer
from journeys.places import (
    create_area,
    pair,
    register_cadre,
    register_household,
    scan_contact_cards,
    wait_until_tickets_knows,
    wait_until_tickets_knows_card,
)

pytestmark = pytest.mark.e2e
PHOTO = "cloud://prod-1a2b/tickets/leak.jpg"


@dataclass
class Village:
    ids: dict[str, str]
    household: str
    resident: str
    card: str          # the text of the QR code on the household's contact card
    cadre: App         # the village cadre's app


@pytest.fixture(scope="module")
def village(stack: Any, admin: App) -> Village:
    ids = create_area(admin, [("county", None, "小程序县", "COUNTY"),
                              ("town", "county", "小程序镇", "TOWNSHIP"),
                              ("village", "town", "小程序村", "VILLAGE")])
    household, resident = register_household(admin, ids["village"], "XC-001", "王桂芳", "13812340001")
    subject = f"cadre-{uuid.uuid4()}"
    cadre = register_cadre(admin, ids["village"], "赵志刚", subject)
    pair(admin, cadre, household)
    cadre_app = App(stack.gateway_url, stack.token("cadre", [ids["village"]], subject))
    [card] = scan_contact_cards(cadre_app, ids["village"])
    wait_until_tickets_knows(admin, *ids.values())
    wait_until_tickets_knows_card(admin, card)
    return Village(ids, household, resident, card, cadre_app)


@pytest.fixture
def link(stack: Any) -> Iterator[LossyLink]:
    with LossyLink(stack.gateway_url) as lossy:
        yield lossy


def test_a_resident_scans_a_card_submits_a_demand_with_a_photo_follows_and_rates_it(
        stack: Any, village: Village, link: LossyLink) -> None:
    resident = MiniProgram(link.url, stack.token("resident", [], village.resident))
    cadre = village.cadre

    # 1. She scans the contact card: its QR text is a signed pairing token (a URL the app
    #    opens), sent as it is in pairingToken. It names her household, so no place is asked.
    assert village.card.startswith("https://lianxin.cn/c/")

    # 2. She picks a category from the picker.
    categories = resident.run("Categories")["categories"]
    assert "water.supply" in {c["code"] for c in categories}

    # 3. She sends the demand with the photo's fileID. The app chose the id; the answer is lost
    #    on the way back…
    demand = {"id": str(uuid.uuid4()), "channel": "MINI_PROGRAM", "category": "water.supply",
              "text": "院子里的自来水管漏水，地面全湿了", "pairingToken": village.card,
              "photos": [PHOTO]}
    link.lose_next_answers(1)
    with pytest.raises(TransportConnectionFailed):
        resident.run("SubmitDemand", input=demand)
    [lost] = link.lost_bodies()
    first = answer(json.loads(lost)["data"])      # the gateway had answered: a ticket was made

    # 4. …so the app sends the same input again, and gets the same ticket back.
    ticket = answer(resident.run("SubmitDemand", input=demand))
    assert ticket == first
    assert (ticket["id"], ticket["status"], ticket["photos"]) == (demand["id"], "RECEIVED", [PHOTO])
    assert ticket["code"].startswith("小程序县-")

    # 5. Her list holds exactly one demand.
    mine = resident.run("MyTickets")["myTickets"]["nodes"]
    assert [(t["id"], t["code"]) for t in mine] == [(ticket["id"], ticket["code"])]

    # The card put it at her household's village, linked to the household.
    staff_view = cadre.run(op.STAFF_TICKET, id=ticket["id"])["ticket"]
    assert staff_view["orgUnit"]["id"] == village.ids["village"]
    assert staff_view["contact"]["householdId"] == village.household

    def status() -> dict[str, Any]:
        found: dict[str, Any] = resident.run("MyTicket", id=ticket["id"])["ticket"]
        return found

    # 6. She follows it as the village works it: accepted…
    answer(cadre.run(op.ACCEPT, input={"ticketId": ticket["id"]}))
    assert status()["status"] == "ACCEPTED"
    # …handled here by a named person within 3 working days…
    answer(cadre.run(op.HANDLE_HERE, input={
        "ticketId": ticket["id"], "responsibleName": "村委会 赵志刚", "task": "更换漏水管段",
        "dueWorkingDays": 3}))
    followed = status()
    assert followed["status"] == "ASSIGNED" and followed["handleDue"]["at"]
    # …resolved, and answered to her.
    answer(cadre.run(op.START, input={"ticketId": ticket["id"]}))
    answer(cadre.run(op.RESOLVE, input={"ticketId": ticket["id"], "outcome": "SOLVED",
                                        "report": "已更换院内漏水管段"}))
    reply = "水管已经换好了，请您查看"
    answer(cadre.run(op.ANSWER, input={"ticketId": ticket["id"], "reply": reply,
                                       "channel": "MINI_PROGRAM"}))
    followed = status()
    assert (followed["status"], followed["answer"]) == ("RESOLVED", reply)

    # 7. She rates it: solved, satisfied. It closes.
    rated = answer(resident.run("RateTicket", input={"ticketId": ticket["id"], "solved": True,
                                                     "satisfaction": "SATISFIED"}))
    assert (rated["status"], rated["satisfaction"]) == ("CLOSED", "SATISFIED")

    # Her view of the whole story, oldest step first; the photo is still there.
    final = status()
    assert final["photos"] == [PHOTO]
    actions = [h["action"] for h in final["history"]]
    assert [a for a in actions if a in ("SUBMIT", "ACCEPT", "HANDLE_HERE", "START", "RESOLVE",
                                        "ANSWER", "RATE")] == [
        "SUBMIT", "ACCEPT", "HANDLE_HERE", "START", "RESOLVE", "ANSWER", "RATE"]
    assert final["history"][-1]["toStatus"] == "CLOSED"
    # Through the link, only the one answer was lost.
    assert len(link.lost) == 1
