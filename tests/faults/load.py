"""A steady load of mixed operations through the gateway while a fault is injected.

Hotline demands with a caller's phone and address (submitTicket), acceptance and on-the-spot
resolution of earlier ones, residents registered with phone and ID number (people), and reads of
tickets — on a fixed schedule (open loop: a stalled stack does not slow the schedule down), each
answer kept: which operation, whether it succeeded, its error code, and the error's text (the
personal-data scan reads those). Every phone and ID number sent is remembered, so the scan can
look for exactly those values in tables, topics, logs and answers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lianxin.kit.devstack.demo import DemoLoadError, post_graphql
from lianxin.kit.devstack.demo.county import DemoCounty
from lianxin.kit.devstack.stack import DevStack
from lianxin.kit.pii import id_check_digit

SUBMIT = ("mutation($i: SubmitTicketInput!) { submitTicket(input: $i) { __typename"
          " ... on Ticket { id status } ... on UserError { code message } } }")
ACCEPT = ("mutation($i: AcceptTicketInput!) { acceptTicket(input: $i) { __typename"
          " ... on Ticket { id status } ... on UserError { code message } } }")
RESOLVE = ("mutation($i: ResolveOnTheSpotInput!) { resolveOnTheSpot(input: $i) { __typename"
           " ... on Ticket { id status } ... on UserError { code message } } }")
RESIDENT = ("mutation($i: RegisterResidentInput!) { registerResident(input: $i) { __typename"
            " ... on Resident { id } ... on UserError { code message } } }")
READ = "query($id: ID!) { ticket(id: $id) { id status text } }"


@dataclass
class Answer:
    op: str
    ok: bool
    code: str | None
    seconds: float
    detail: str = ""   # the error text as the client saw it (scanned for personal data)
    entity: str | None = None
    started: float = 0.0  # time.monotonic() when it was sent


@dataclass
class Sent:
    """What the load put into the system: ids acknowledged, personal values used."""
    tickets: list[str] = field(default_factory=list)      # every acknowledged submit
    received: list[str] = field(default_factory=list)     # of those, not accepted yet
    accepted: list[str] = field(default_factory=list)     # accepted, not resolved yet
    residents: list[str] = field(default_factory=list)
    phones: set[str] = field(default_factory=set)
    id_numbers: set[str] = field(default_factory=set)
    answers: list[Answer] = field(default_factory=list)

    def codes(self) -> Counter[str]:
        return Counter(a.code or "OK" for a in self.answers)


_PEOPLE = itertools.count(int(time.time()) % 100_000)


def id_number() -> str:
    """A well-formed resident ID (region, birth date, sequence, check digit), never the same
    twice in a session: one person has one record, so a repeat would be refused (CONFLICT)."""
    n = next(_PEOPLE)
    born = dt.date(1940, 1, 1) + dt.timedelta(days=n // 1000 % 23_000)
    first17 = f"530822{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


class SteadyLoad:
    """`with SteadyLoad(stack, county, rate=8) as load:` — operations at `rate` per second."""

    def __init__(self, stack: DevStack, county: DemoCounty, sent: Sent, *, rate: float = 8.0,
                 seed: int = 9, timeout: float = 20.0) -> None:
        self.stack, self.sent, self.rate, self.timeout = stack, sent, rate, timeout
        self.rng = random.Random(seed)
        county_id = county.tree.county.id
        self.villages = [u.id for u in county.tree.villages]
        self.households = [op.input["id"] for op in county.ops() if op.field == "registerHousehold"]
        self.cadre = stack.token("cadre", [county_id], "faults-operator")
        self.clerk = stack.token("admin", subject="faults-clerk")
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self._pool = ThreadPoolExecutor(8, thread_name_prefix="load")
        self._thread = threading.Thread(target=self._schedule, daemon=True, name="load")

    def __enter__(self) -> SteadyLoad:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._halt.set()
        self._thread.join()
        self._pool.shutdown(wait=True)

    def _schedule(self) -> None:
        due = time.monotonic()
        while not self._halt.is_set():
            self._pool.submit(self._one, self._pick())
            due += 1.0 / self.rate
            self._halt.wait(max(0.0, due - time.monotonic()))

    def _pick(self) -> str:
        with self._lock:
            roll = self.rng.random()
            if roll < 0.2 and self.sent.received:
                return "accept"
            if roll < 0.3 and self.sent.accepted:
                return "resolve"
            if roll < 0.4:
                return "resident"
            if roll < 0.5 and self.sent.tickets:
                return "read"
            return "submit"

    def _request(self, op: str) -> tuple[str, dict[str, Any], str, str]:
        """(query, variables, token, result field) of one operation."""
        with self._lock:
            rng = self.rng
            if op == "accept":
                ticket = self.sent.received.pop(rng.randrange(len(self.sent.received)))
                return ACCEPT, {"i": {"ticketId": ticket}}, self.cadre, "acceptTicket"
            if op == "resolve":
                ticket = self.sent.accepted.pop(rng.randrange(len(self.sent.accepted)))
                return (RESOLVE, {"i": {"ticketId": ticket, "report": "当场解决，已回复来电人。"}},
                        self.cadre, "resolveOnTheSpot")
            if op == "read":
                return READ, {"id": rng.choice(self.sent.tickets)}, self.cadre, "ticket"
            phone = f"138{rng.randrange(10**8):08d}"
            self.sent.phones.add(phone)
            if op == "resident":
                idn = id_number()
                self.sent.id_numbers.add(idn)
                return RESIDENT, {"i": {
                    "id": str(uuid.uuid4()), "householdId": rng.choice(self.households),
                    "name": "测试" + rng.choice("伟芳娜敏静丽强磊军洋"), "gender": "FEMALE",
                    "birthYear": rng.randrange(1940, 2005), "relation": "OTHER", "phone": phone,
                    "idNumber": idn}}, self.clerk, "registerResident"
            return SUBMIT, {"i": {
                "id": str(uuid.uuid4()), "channel": "HOTLINE", "category": "road",
                "text": "村里的路灯坏了，晚上看不见路。", "orgUnitId": rng.choice(self.villages),
                "contact": {"name": "来电人", "phone": phone, "address": "哈尼村三组"}}}, \
                self.cadre, "submitTicket"

    def _one(self, op: str) -> None:
        query, variables, token, name = self._request(op)
        started = time.monotonic()
        try:
            body = post_graphql(self.stack.gateway_url, query, variables, token, self.timeout)
        except DemoLoadError as exc:  # no answer at all (refused, timed out, not JSON)
            self._record(Answer(op, False, "NO_ANSWER", time.monotonic() - started, str(exc),
                                started=started))
            return
        seconds = time.monotonic() - started
        result = (body.get("data") or {}).get(name)
        if body.get("errors") or not result or "code" in result:
            errors = body.get("errors") or [result or {}]
            code = ((errors[0].get("extensions") or {}).get("code") or errors[0].get("code")
                    or "UNCODED")
            self._record(Answer(op, False, str(code), seconds, repr(body)[:2000], started=started))
            return
        self._record(Answer(op, True, None, seconds, entity=result.get("id"), started=started),
                     result)

    def _record(self, answer: Answer, result: dict[str, Any] | None = None) -> None:
        with self._lock:
            self.sent.answers.append(answer)
            if not answer.ok or result is None:
                return
            if answer.op == "submit":
                self.sent.tickets.append(result["id"])
                self.sent.received.append(result["id"])
            elif answer.op == "accept":
                self.sent.accepted.append(result["id"])
            elif answer.op == "resident":
                self.sent.residents.append(result["id"])
