"""What the use cases need; the SQL adapters implement it (adapters/uow.py builds them all on one
session). Each repository protocol is owned by the part of the workflow that uses it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from lianxin.tickets.domain.assignment import Assignment
from lianxin.tickets.domain.calendar import CalendarDay, WorkCalendar
from lianxin.tickets.domain.category import Category
from lianxin.tickets.domain.events import Event
from lianxin.tickets.domain.hotspots import RequesterGroup, WeekCount
from lianxin.tickets.domain.people_refs import CadreRef, PairingRef
from lianxin.tickets.domain.routing import RoutingRule
from lianxin.tickets.domain.sla import Clock, Extension, SlaPolicy, SupervisionNotice
from lianxin.tickets.domain.states import HistoryEntry
from lianxin.tickets.domain.ticket import OrgUnitRef, Ticket
from lianxin.tickets.domain.whistle import Whistle

if TYPE_CHECKING:
    from lianxin.tickets.app.common import Actor
    from lianxin.tickets.app.queries import Anchor, ListQuery, TicketPage


class TicketRepository(Protocol):
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Ticket]: ...
    async def get_for_update(self, ticket_id: uuid.UUID) -> Ticket | None:
        """The ticket, row-locked until the transaction ends (transitions are serialised)."""
        ...
    async def add(self, ticket: Ticket) -> bool:
        """Insert; False if a ticket with this id was committed meanwhile (nothing written)."""
        ...
    async def save(self, ticket: Ticket) -> None:
        """Write a new version (ticket.version must be the stored version + 1)."""
        ...
    async def link_visit(self, visit_id: uuid.UUID, ticket_ids: Sequence[uuid.UUID]) -> None:
        """Record the visit on those of the tickets that do not name one yet."""
        ...
    async def add_many(self, tickets: Sequence[Ticket]) -> None:
        """Insert tickets known to be new (the ledger importer's chunks)."""
        ...
    async def set_last_code(self, prefix: str, year: int, last: int) -> None:
        """Set a counter this transaction's `next_code` locked."""
        ...
    async def next_code(self, prefix: str, year: int) -> int:
        """The next number of the codes `<prefix>-<year>-…` (1, 2, …; gap-free per commit)."""
        ...


class HistoryRepository(Protocol):
    async def add(self, entry: HistoryEntry) -> None: ...
    async def add_many(self, entries: Sequence[HistoryEntry]) -> None: ...
    async def get(self, entry_id: uuid.UUID) -> HistoryEntry | None: ...
    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[HistoryEntry]]:
        """Each ticket's history, oldest first."""
        ...


class OrgUnitRefRepository(Protocol):
    async def get(self, unit_id: uuid.UUID) -> OrgUnitRef | None: ...
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[OrgUnitRef]: ...
    async def upsert(self, unit: OrgUnitRef) -> None: ...
    async def rename(self, unit_id: uuid.UUID, name: str) -> None: ...
    async def move(self, unit_id: uuid.UUID, parent_id: uuid.UUID | None,
                   path: Sequence[uuid.UUID], old_path: Sequence[uuid.UUID]) -> None: ...
    async def find_by_name(self, root_id: uuid.UUID | None, name: str,
                           kinds: Sequence[str]) -> list[OrgUnitRef]:
        """Units named exactly `name` of one of `kinds`, in `root_id`'s subtree (None:
        anywhere), by path (the ledger import resolves 村/社区 and 责任单位 this way)."""
        ...


class AssignmentRepository(Protocol):
    async def add(self, assignment: Assignment) -> None: ...
    async def add_many(self, assignments: Sequence[Assignment]) -> None: ...
    async def save(self, assignment: Assignment) -> None: ...
    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Assignment]]:
        """Every assignment of each ticket, oldest first."""
        ...


class WhistleRepository(Protocol):
    async def add(self, whistle: Whistle) -> None: ...
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Whistle]: ...
    async def get_for_update(self, whistle_id: uuid.UUID) -> Whistle | None: ...
    async def save(self, whistle: Whistle) -> None:
        """Write the whistle and its tasks (its version must be newer than the stored one)."""
        ...
    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Whistle]]: ...
    async def in_unit(self, unit_id: uuid.UUID, viewer: Actor, *, open_only: bool, limit: int,
                      after: tuple[dt.datetime, uuid.UUID] | None = None) -> list[Whistle]:
        """Whistles blown in the unit's subtree or summoning a department in it, on tickets the
        viewer may see, newest first (keyset: strictly before `after` = (blown_at, id))."""
        ...


class CalendarRepository(Protocol):
    async def load(self, start: dt.date, end: dt.date) -> WorkCalendar:
        """The known days in [start, end] (days of unloaded years are simply absent)."""
        ...
    async def days(self, start: dt.date, end: dt.date) -> list[CalendarDay]: ...
    async def put_year(self, year: int, days: Sequence[CalendarDay], source: str,
                       actor: str) -> list[dt.date]:
        """Store a year's days, keeping days set by hand (source "admin"); mark the year
        loaded from `source`. Returns the days whose working-day flag is new or changed."""
        ...
    async def put_day(self, day: CalendarDay, actor: str) -> bool:
        """Store one day; True when its working-day flag is new or changed."""
        ...
    async def years(self) -> dict[int, tuple[str, dt.datetime]]:
        """Each loaded year → (source, loaded at)."""
        ...


class SlaPolicyRepository(Protocol):
    async def all(self) -> list[SlaPolicy]: ...
    async def upsert(self, policy: SlaPolicy, actor: str) -> SlaPolicy:
        """Insert, or update the policy with the same kind, category and urgency (keeping its id)."""
        ...
    async def delete(self, policy_id: uuid.UUID) -> SlaPolicy | None: ...
    async def category_exists(self, code: str) -> bool: ...


class AlertRepository(Protocol):
    async def claim(self, ticket_id: uuid.UUID, clock: Clock, level: int, due: dt.datetime,
                    now: dt.datetime) -> bool:
        """Record that the alarm was raised; False if it already was (by anyone, ever)."""
        ...
    async def raised(self, ticket_ids: Sequence[uuid.UUID]
                     ) -> set[tuple[uuid.UUID, Clock, int, dt.datetime]]:
        """The alarms already raised for these tickets (a hint: `claim` decides)."""
        ...
    async def sweep_candidates(self, horizon: dt.datetime, answered_before: dt.datetime,
                               after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
        """Ids (ascending, after `after`) of tickets whose running deadline is at or before
        `horizon`, or answered before `answered_before` and not rated."""
        ...
    async def recompute_candidates(self, since: dt.datetime | None, after: uuid.UUID | None,
                                   limit: int) -> list[uuid.UUID]:
        """Ids of tickets whose running deadline is provisional or at or after `since`."""
        ...


class NoticeRepository(Protocol):
    async def add(self, notice: SupervisionNotice) -> None: ...
    async def open_for_ticket(self, ticket_id: uuid.UUID) -> list[SupervisionNotice]: ...
    async def close(self, notice_id: uuid.UUID, at: dt.datetime) -> SupervisionNotice | None:
        """Close an open notice; None if it was not open (closed meanwhile)."""
        ...
    async def stale(self, limit: int) -> list[uuid.UUID]:
        """Tickets with an open notice whose clock stopped or whose deadline moved."""
        ...
    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]
                          ) -> dict[uuid.UUID, list[SupervisionNotice]]:
        """Every notice of each ticket, oldest first."""
        ...
    async def under(self, unit_id: uuid.UUID, open_only: bool, cleared: bool,
                    after: tuple[dt.datetime, uuid.UUID] | None,
                    limit: int) -> list[SupervisionNotice]:
        """Notices supervised at the unit or below, newest first (keyset: before `after`);
        notices of stability-risk tickets only when `cleared`."""
        ...


class CategoryRepository(Protocol):
    async def all(self) -> dict[str, Category]:
        """The whole taxonomy by code (a few hundred rows at most)."""
        ...
    async def lineage(self, code: str) -> dict[str, Category]:
        """`code`'s category and those above it (domain.category.lineage), the ones that
        exist, by code: what intake needs to check a ticket's category."""
        ...
    async def add(self, category: Category) -> bool:
        """Insert; False if the code exists (nothing written)."""
        ...
    async def save(self, category: Category) -> None: ...


class RoutingRuleRepository(Protocol):
    async def get(self, rule_id: uuid.UUID) -> RoutingRule | None: ...
    async def put(self, rule: RoutingRule) -> RoutingRule:
        """Insert, or update the note of the rule with the same category, area and department;
        returns the stored rule."""
        ...
    async def delete(self, rule_id: uuid.UUID) -> bool: ...
    async def candidates(self, categories: Sequence[str],
                        place: Sequence[uuid.UUID]) -> list[RoutingRule]:
        """Rules on any of `categories` whose area is anywhere or on `place` (an org path)."""
        ...
    async def page(self, after: tuple[str, uuid.UUID] | None, limit: int,
                   category: str | None = None) -> list[RoutingRule]:
        """Up to `limit` rules ordered by (category, id) after the key, optionally only those
        on `category` and below."""
        ...


class CadreRefRepository(Protocol):
    async def get(self, cadre_id: uuid.UUID) -> CadreRef | None: ...
    async def by_subject(self, subject: str) -> CadreRef | None: ...
    async def upsert(self, cadre: CadreRef) -> None: ...


class PairingRefRepository(Protocol):
    async def get(self, pairing_id: uuid.UUID) -> PairingRef | None: ...
    async def upsert(self, pairing: PairingRef) -> None:
        """Record a pairing; a redelivered PairingCreated never revives an ended pairing."""
        ...
    async def end(self, pairing_id: uuid.UUID) -> None: ...
    def card_pairing_id(self, token: str, now: dt.datetime) -> uuid.UUID:
        """The pairing a contact card's token (or scanned QR payload) names, checked with the
        service's link-token secret; lianxin.kit.tokens.InvalidLinkToken when it is not a
        valid, unexpired card."""
        ...


class TicketReads(Protocol):
    """Ticket lists for the API (reads helper): newest first, keyset-paged, filtered in SQL by
    what the viewer may see (`Actor.sees`)."""

    async def lists(self, anchor: Anchor, owners: Sequence[uuid.UUID], viewer: Actor,
                    query: ListQuery, now: dt.datetime) -> dict[uuid.UUID, TicketPage]:
        """One page for each owner (an org unit, household, visit, cadre or master ticket)."""
        ...
    async def requested_by(self, viewer: Actor, query: ListQuery,
                           now: dt.datetime) -> TicketPage:
        """The viewer's own tickets (submitted by them or recorded for them)."""
        ...


class TicketAnalytics(Protocol):
    """Duplicate candidates and hot-spot counts (duplicates helper), in SQL on the GIN-indexed
    org_path; ticket texts are scored in Python (domain/similarity.py)."""

    async def near(self, area_id: uuid.UUID, top_category: str, submitted_since: dt.datetime,
                   resolved_since: dt.datetime, viewer: Actor, exclude: Sequence[uuid.UUID],
                   limit: int) -> list[Ticket]:
        """Open tickets (or resolved since `resolved_since`) placed in the area's subtree, of the
        top-level category, submitted since `submitted_since`, visible to `viewer`; newest
        first."""
        ...
    async def weekly_counts(self, unit_id: uuid.UUID, start: dt.datetime, end: dt.datetime,
                            category: str | None, include_sensitive: bool) -> list[WeekCount]:
        """Tickets placed under the unit and submitted in [start, end), by top-level category ×
        child of the unit × ISO week (China time); `category` filters to a code and below."""
        ...
    async def repeat_requesters(self, unit_id: uuid.UUID, since: dt.datetime, min_tickets: int,
                                include_sensitive: bool, include_confidential: bool,
                                limit: int) -> list[RequesterGroup]:
        """Requesters (by blind key; anonymous tickets never) with at least `min_tickets` tickets
        placed under the unit since `since`, most tickets first."""
        ...


class ExtensionRepository(Protocol):
    """Extension requests (延期), owned by the feedback part of the workflow."""

    async def add(self, extension: Extension) -> None: ...
    async def get_for_update(self, extension_id: uuid.UUID) -> Extension | None: ...
    async def save(self, extension: Extension) -> None: ...
    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Extension]]:
        """Every extension request of each ticket, oldest first."""
        ...


class MergeReads(Protocol):
    async def followers(self, master_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Ticket]]:
        """The tickets merged into each master (并单), oldest first, unfiltered."""
        ...


class UnitOfWork(Protocol):
    @property
    def tickets(self) -> TicketRepository: ...
    @property
    def reads(self) -> TicketReads: ...
    @property
    def analytics(self) -> TicketAnalytics: ...
    @property
    def history(self) -> HistoryRepository: ...
    @property
    def org_units(self) -> OrgUnitRefRepository: ...
    @property
    def assignments(self) -> AssignmentRepository: ...
    @property
    def whistles(self) -> WhistleRepository: ...
    @property
    def calendar(self) -> CalendarRepository: ...
    @property
    def sla_policies(self) -> SlaPolicyRepository: ...
    @property
    def alerts(self) -> AlertRepository: ...
    @property
    def notices(self) -> NoticeRepository: ...
    @property
    def categories(self) -> CategoryRepository: ...
    @property
    def routing_rules(self) -> RoutingRuleRepository: ...
    @property
    def cadres(self) -> CadreRefRepository: ...
    @property
    def pairings(self) -> PairingRefRepository: ...
    @property
    def extensions(self) -> ExtensionRepository: ...
    @property
    def merges(self) -> MergeReads: ...

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None: ...
    def record(self, event: Event, occurred_at: dt.datetime | None = None,
               about: Ticket | None = None) -> None:
        """Queue the event for the outbox; `occurred_at` defaults to now. `about`: the ticket a
        whistle event concerns, as it stands after the step (for the live feed)."""
        ...
    async def commit(self) -> None: ...
