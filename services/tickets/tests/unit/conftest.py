"""In-memory unit of work for the tickets use cases: every repository keeps its rows in a dict,
and leaving the unit of work without commit puts them all back (as a rollback would)."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from lianxin.kit.tokens import token_from_qr_payload, verify_token
from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.category import Category, covers, lineage
from lianxin.tickets.domain.events import Event
from lianxin.tickets.domain.people_refs import CadreRef, PairingRef
from lianxin.tickets.domain.routing import RoutingRule
from lianxin.tickets.domain.sla import SlaPolicy
from lianxin.tickets.domain.states import HistoryEntry
from lianxin.tickets.domain.ticket import OrgUnitRef, Ticket

LINK_SECRET = "link-" + "t" * 32   # the secret contact cards are signed with in unit tests


class Rows:
    """A fake repository's storage; FakeUnitOfWork snapshots every `rows`."""

    def __init__(self) -> None:
        self.rows: dict[Any, Any] = {}


class FakeTickets(Rows):
    def __init__(self) -> None:
        super().__init__()
        self.counters: dict[tuple[uuid.UUID, int], int] = {}

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Ticket]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def get_for_update(self, ticket_id: uuid.UUID) -> Ticket | None:
        return self.rows.get(ticket_id)

    async def add(self, ticket: Ticket) -> bool:
        if ticket.id in self.rows:
            return False
        self.rows[ticket.id] = ticket
        return True

    async def save(self, ticket: Ticket) -> None:
        self.rows[ticket.id] = ticket

    async def add_many(self, tickets: Sequence[Ticket]) -> None:
        for t in tickets:
            if t.id in self.rows:
                raise ValueError(f"ticket {t.id} exists")  # as COPY fails on a stored id
            self.rows[t.id] = t

    async def set_last_code(self, prefix: str, year: int, last: int) -> None:
        self.counters[(prefix, year)] = last

    async def link_visit(self, visit_id: uuid.UUID, ticket_ids: Sequence[uuid.UUID]) -> None:
        for i in ticket_ids:
            if i in self.rows and self.rows[i].visit_id is None:
                self.rows[i] = replace(self.rows[i], visit_id=visit_id)

    async def next_code(self, prefix: str, year: int) -> int:
        self.counters[(prefix, year)] = self.counters.get((prefix, year), 0) + 1
        return self.counters[(prefix, year)]


class FakeHistory(Rows):
    async def add(self, entry: HistoryEntry) -> None:
        self.rows[entry.id] = entry

    async def add_many(self, entries: Sequence[HistoryEntry]) -> None:
        for e in entries:
            self.rows[e.id] = e

    async def get(self, entry_id: uuid.UUID) -> HistoryEntry | None:
        return self.rows.get(entry_id)

    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]
                          ) -> dict[uuid.UUID, list[HistoryEntry]]:
        return {i: sorted((e for e in self.rows.values() if e.ticket_id == i),
                          key=lambda e: e.version) for i in ticket_ids}


class FakeOrgUnits(Rows):
    async def get(self, unit_id: uuid.UUID) -> OrgUnitRef | None:
        return self.rows.get(unit_id)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[OrgUnitRef]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def upsert(self, unit: OrgUnitRef) -> None:
        self.rows[unit.id] = unit


class FakeCalendar:
    """No loaded years: every deadline is counted on weekdays and provisional."""

    async def load(self, start: dt.date, end: dt.date) -> WorkCalendar:
        return WorkCalendar({})


class FakeSlaPolicies(Rows):
    async def all(self) -> list[SlaPolicy]:
        return list(self.rows.values())


class FakeCategories(Rows):
    async def all(self) -> dict[str, Category]:
        return dict(self.rows)

    async def lineage(self, code: str) -> dict[str, Category]:
        return {c: self.rows[c] for c in lineage(code) if c in self.rows}

    async def add(self, category: Category) -> bool:
        if category.code in self.rows:
            return False
        self.rows[category.code] = category
        return True

    async def save(self, category: Category) -> None:
        self.rows[category.code] = category


class FakeRoutingRules(Rows):
    async def get(self, rule_id: uuid.UUID) -> RoutingRule | None:
        return self.rows.get(rule_id)

    async def put(self, rule: RoutingRule) -> RoutingRule:
        for r in self.rows.values():
            if (r.category, r.area_unit_id, r.department_id) == (
                    rule.category, rule.area_unit_id, rule.department_id):
                self.rows[r.id] = replace(r, note=rule.note)
                return self.rows[r.id]
        self.rows[rule.id] = rule
        return rule

    async def delete(self, rule_id: uuid.UUID) -> bool:
        return self.rows.pop(rule_id, None) is not None

    async def candidates(self, categories: Sequence[str],
                         place: Sequence[uuid.UUID]) -> list[RoutingRule]:
        return [r for r in self.rows.values() if r.category in categories
                and (r.area_unit_id is None or r.area_unit_id in place)]

    async def page(self, after: tuple[str, uuid.UUID] | None, limit: int,
                   category: str | None = None) -> list[RoutingRule]:
        rules = sorted(self.rows.values(), key=lambda r: (r.category, str(r.id)))
        return [r for r in rules if (category is None or covers(category, r.category))
                and (after is None or (r.category, str(r.id)) > (after[0], str(after[1])))][:limit]


class FakeCadres(Rows):
    async def get(self, cadre_id: uuid.UUID) -> CadreRef | None:
        return self.rows.get(cadre_id)

    async def by_subject(self, subject: str) -> CadreRef | None:
        return next((c for c in self.rows.values() if c.subject == subject), None)

    async def upsert(self, cadre: CadreRef) -> None:
        self.rows[cadre.id] = cadre


class FakePairings(Rows):
    async def get(self, pairing_id: uuid.UUID) -> PairingRef | None:
        return self.rows.get(pairing_id)

    async def upsert(self, pairing: PairingRef) -> None:
        old = self.rows.get(pairing.id)
        self.rows[pairing.id] = replace(pairing, active=old.active) if old else pairing

    async def end(self, pairing_id: uuid.UUID) -> None:
        if pairing_id in self.rows:
            self.rows[pairing_id] = replace(self.rows[pairing_id], active=False)

    def card_pairing_id(self, token: str, now: dt.datetime) -> uuid.UUID:
        raw = token_from_qr_payload(token) if "/" in token else token
        return uuid.UUID(verify_token(LINK_SECRET, "contact-card", raw, now=int(now.timestamp())))


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.tickets = FakeTickets()
        self.history = FakeHistory()
        self.org_units = FakeOrgUnits()
        self.calendar = FakeCalendar()
        self.sla_policies = FakeSlaPolicies()
        self.categories = FakeCategories()
        self.routing_rules = FakeRoutingRules()
        self.cadres = FakeCadres()
        self.pairings = FakePairings()
        self.committed_events: list[Event] = []
        self.committed_at: list[dt.datetime | None] = []
        self._staged: list[tuple[Event, dt.datetime | None]] = []
        self._snapshot = self._take()

    def _stores(self) -> list[Any]:
        return [s for s in vars(self).values() if isinstance(s, Rows)]

    def _take(self) -> list[tuple[Any, dict[Any, Any], dict[Any, Any]]]:
        return [(s, dict(s.rows), dict(getattr(s, "counters", {}))) for s in self._stores()]

    async def __aenter__(self) -> FakeUnitOfWork:
        self._snapshot = self._take()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for store, rows, counters in self._snapshot:
            store.rows = copy.copy(rows)
            if hasattr(store, "counters"):
                store.counters = copy.copy(counters)
        self._staged = []

    def record(self, event: Event, occurred_at: dt.datetime | None = None,
               about: Ticket | None = None) -> None:
        self._staged.append((event, occurred_at))

    async def commit(self) -> None:
        self._snapshot = self._take()
        self.committed_events += [e for e, _ in self._staged]
        self.committed_at += [at for _, at in self._staged]
        self._staged = []


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
