"""GraphQL Ticket (owned here), OrgUnit (owned by people; this subgraph adds `tickets`), and the
ticket queries.

Who sees what: a ticket is shown to whoever `Actor.sees` it (residents their own; staff what
reaches into their scope; stability-risk items only the cleared and whoever recorded them); a
ticket they may not see is null, never an error, so its existence does not leak. Who raised it
is a separate, stricter rule (`queries.shows_contact`), and its personal data is masked unless
asked for `unmasked` with a reason by a caller holding pii:read — after the read is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.kit.audit import check_unmask, reveal
from lianxin.kit.gqltypes import Connection
from lianxin.kit.ids import parse_id
from lianxin.kit.pii import mask_address, mask_name, mask_phone
from lianxin.tickets.api import ticket_loaders as tl
from lianxin.tickets.api.common import GqlInfo, actor, org_unit, uow
from lianxin.tickets.api.enums import (
    ChannelEnum,
    CloseReasonEnum,
    KindEnum,
    LedgerEnum,
    OutcomeEnum,
    SatisfactionEnum,
    StatusEnum,
    UrgencyEnum,
)
from lianxin.tickets.api.lists import TicketFilterInput, connection, list_query
from lianxin.tickets.api.ticket_fields import (
    DeadlineType,
    TicketContactType,
    TicketHistoryEntryType,
    gql_id,
)
from lianxin.tickets.app import queries
from lianxin.tickets.app.common import utcnow
from lianxin.tickets.app.queries import Anchor, ListQuery
from lianxin.tickets.domain.sla import Clock
from lianxin.tickets.domain.ticket import Ticket

if TYPE_CHECKING:
    from lianxin.tickets.api.entities import VisitType
    from lianxin.tickets.api.feedback import ExtensionType
    from lianxin.tickets.api.sla import SupervisionNoticeType
    from lianxin.tickets.api.taxonomy import CategoryType
    from lianxin.tickets.api.triage import AssignmentType
    from lianxin.tickets.api.whistles import WhistleType

MERGED_SHOWN = 500  # a master's merged tickets listed at most (newest first)
UNMASKED = ("Give clear values (needs the pii:read permission and a reason; the read is "
            "audited)")


@strawberry.federation.type(keys=["id"], name="OrgUnit")
class OrgUnitType:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> OrgUnitType:
        return cls(id=id)

    @strawberry.field(description="Tickets reaching into this unit — raised in it or below, "
                      "handled by it, or with a task for it (a department) — newest first. The "
                      "unit must lie in your org scope (else FORBIDDEN); stability-risk tickets "
                      "are listed (and counted) only for roles cleared for them")
    async def tickets(self, info: GqlInfo, filter: TicketFilterInput | None = None,
                      first: int = 20, after: str | None = None) -> Connection[TicketType]:
        query = list_query(info, first, after, filter)
        return connection(await tl.unit_tickets(info, parse_id(self.id, "id"), query), query)


@strawberry.federation.type(keys=["id"], name="Ticket",
                            description="A demand, opinion or complaint (民情诉求), kept verbatim")
class TicketType:
    id: strawberry.ID
    code: str = strawberry.field(description="Human-readable, per county and year")
    status: StatusEnum  # type: ignore[valid-type]
    channel: ChannelEnum  # type: ignore[valid-type]
    kind: KindEnum  # type: ignore[valid-type]
    category_code: str = strawberry.field(description="The category's code, e.g. water.supply")
    ledger: LedgerEnum  # type: ignore[valid-type]
    urgency: UrgencyEnum  # type: ignore[valid-type]
    text: str = strawberry.field(description="What the resident said, verbatim (原汁原味)")
    submitted_at: dt.datetime
    anonymous: bool
    confidential: bool = strawberry.field(description="Who raised it is shown only to roles "
                                          "cleared for it")
    recorded_by_staff: bool = strawberry.field(description="A cadre recorded it on the "
                                               "resident's behalf")
    imported: bool = strawberry.field(description="Brought in from a ledger (台账)")
    photos: list[str] = strawberry.field(
        description="Photo references as submitted, in order: https:// URLs, or WeChat cloud:// "
                    "fileIDs (turn one into a link with wx.cloud.getTempFileURL)")
    accept_due: DeadlineType | None
    handle_due: DeadlineType | None
    feedback_due: DeadlineType | None
    paused: bool = strawberry.field(description="Waiting for the resident; its clock is stopped")
    paused_at: dt.datetime | None
    outcome: OutcomeEnum | None  # type: ignore[valid-type]
    on_the_spot: bool = strawberry.field(description="Solved on the spot (快办快结)")
    resolution: str | None = strawberry.field(description="The handling report")
    resolved_at: dt.datetime | None
    solved: bool | None = strawberry.field(description="The resident's word: was it solved?")
    satisfaction: SatisfactionEnum | None  # type: ignore[valid-type]
    rated_at: dt.datetime | None
    rated_by_staff: bool | None = strawberry.field(description="Rated on a staff return visit")
    closed_at: dt.datetime | None
    close_reason: CloseReasonEnum | None  # type: ignore[valid-type]
    reopen_count: int
    source: strawberry.Private[Ticket]

    @classmethod
    def from_domain(cls, t: Ticket) -> TicketType:
        late = queries.late_clocks(t, utcnow())
        return cls(
            id=strawberry.ID(str(t.id)), code=t.code, status=t.status, channel=t.channel,
            kind=t.kind, category_code=t.category, ledger=t.ledger, urgency=t.urgency,
            text=t.text, submitted_at=t.submitted_at, anonymous=t.anonymous,
            confidential=t.confidential, recorded_by_staff=t.recorded_by_staff,
            imported=t.imported, photos=list(t.photos),
            accept_due=DeadlineType.of(t.accept_due, Clock.ACCEPT in late),
            handle_due=DeadlineType.of(t.handle_due, Clock.HANDLE in late),
            feedback_due=DeadlineType.of(t.feedback_due, Clock.FEEDBACK in late),
            paused=t.paused_at is not None, paused_at=t.paused_at, outcome=t.outcome,
            on_the_spot=t.on_the_spot, resolution=t.resolution, resolved_at=t.resolved_at,
            solved=t.solved, satisfaction=t.satisfaction, rated_at=t.rated_at,
            rated_by_staff=t.rated_by_staff, closed_at=t.closed_at, close_reason=t.close_reason,
            reopen_count=t.reopen_count, source=t)

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> TicketType | None:
        [t] = await tl.load_tickets(info, [parse_id(id, "id")])
        return cls.from_domain(t) if t else None

    @strawberry.field(description="The category (问题分类); null if it was removed from the "
                                  "taxonomy since")
    async def category(self, info: GqlInfo) -> Annotated[
            CategoryType, strawberry.lazy("lianxin.tickets.api.taxonomy")] | None:
        from lianxin.tickets.api.taxonomy import CategoryType, category_table

        table = await category_table(info)
        found = table.get(self.source.category)
        return CategoryType.from_domain(found, table) if found else None

    @strawberry.field(description="Where the demand belongs (grid, village, community …)")
    def org_unit(self) -> OrgUnitType:
        return org_unit(self.source.org_unit_id)

    @strawberry.field(description="Who holds it now: the place, or a level above after "
                                  "escalation")
    def handling_unit(self) -> OrgUnitType:
        return org_unit(self.source.handling_unit_id)

    @strawberry.field(description="Departments with a task on it (dispatch or whistle)")
    def involved_departments(self) -> list[OrgUnitType]:
        return [org_unit(u) for u in self.source.involved_units]

    @strawberry.field(description="The visit on which it was recorded (people service)")
    def visit(self) -> Annotated[VisitType, strawberry.lazy("lianxin.tickets.api.entities")] | None:
        from lianxin.tickets.api.entities import VisitType

        visit_id = self.source.visit_id
        return VisitType(id=strawberry.ID(str(visit_id))) if visit_id else None

    @strawberry.field(description="Who raised it. Null on an anonymous ticket (except for its "
                      "owner), on a confidential one for roles not cleared for it, and for "
                      "analysts and screens. " + UNMASKED)
    async def contact(self, info: GqlInfo, unmasked: bool = False,
                      reason: str | None = None) -> TicketContactType | None:
        t, caller = self.source, actor(info)
        if not queries.shows_contact(caller, t):
            return None
        c = t.contact
        if unmasked and (c.name or c.phone or c.address):
            await reveal(info.context, "ticket", t.id, "contact", reason)
            name, phone, address = c.name, c.phone, c.address
        else:
            if unmasked:  # the same answer whether or not there is anything to unmask
                check_unmask(info.context.require(), reason)
            name = mask_name(c.name) if c.name else None
            phone = mask_phone(c.phone) if c.phone else None
            address = mask_address(c.address) if c.address else None
        return TicketContactType(resident_id=gql_id(c.resident_id),
                                 household_id=gql_id(c.household_id), name=name, phone=phone,
                                 address=address)

    @strawberry.field(description="The reply to the resident (回复); on a merged ticket, its "
                                  "master's, so every submitter hears the answer")
    async def answer(self, info: GqlInfo) -> str | None:
        return (await tl.answering(info, self.source)).answer

    @strawberry.field(description="When the reply was given (the master's on a merged ticket)")
    async def answered_at(self, info: GqlInfo) -> dt.datetime | None:
        return (await tl.answering(info, self.source)).answered_at

    @strawberry.field(description="How the reply was given (the master's on a merged ticket)")
    async def answer_channel(self, info: GqlInfo) -> ChannelEnum | None:  # type: ignore[valid-type]
        return (await tl.answering(info, self.source)).answer_channel

    @strawberry.field(description="The ticket this one was merged into (并单), if you may see it")
    async def master(self, info: GqlInfo) -> TicketType | None:
        if self.source.master_id is None:
            return None
        [found] = await tl.load_tickets(info, [self.source.master_id])
        return TicketType.from_domain(found) if found else None

    @strawberry.field(description=f"Tickets merged into this one that you may see, newest first "
                                  f"(at most {MERGED_SHOWN})")
    async def merged_tickets(self, info: GqlInfo) -> list[TicketType]:
        found = await tl.tickets_of(info, Anchor.MASTER, self.source.id,
                                    ListQuery(limit=MERGED_SHOWN))
        return [TicketType.from_domain(t) for t in found.tickets]

    @strawberry.field(description="Every step, oldest first")
    async def history(self, info: GqlInfo) -> list[TicketHistoryEntryType]:
        found = await tl.per_ticket(info, "history", self.source.id, lambda u: u.history)
        return [TicketHistoryEntryType.from_domain(e) for e in found]

    @strawberry.field(description="Dispatches (派单) and local handling, oldest first")
    async def assignments(self, info: GqlInfo) -> list[Annotated[
            AssignmentType, strawberry.lazy("lianxin.tickets.api.triage")]]:
        from lianxin.tickets.api.triage import AssignmentType

        found = await tl.per_ticket(info, "assignments", self.source.id, lambda u: u.assignments)
        return [AssignmentType.from_domain(a) for a in found]

    @strawberry.field(description="Whistles (吹哨报到) blown on it")
    async def whistles(self, info: GqlInfo) -> list[Annotated[
            WhistleType, strawberry.lazy("lianxin.tickets.api.whistles")]]:
        from lianxin.tickets.api.whistles import WhistleType

        found = await tl.per_ticket(info, "whistles", self.source.id, lambda u: u.whistles)
        return [WhistleType.from_domain(w) for w in found]

    @strawberry.field(description="Supervision notices (督办) opened on it, oldest first")
    async def supervision_notices(self, info: GqlInfo) -> list[Annotated[
            SupervisionNoticeType, strawberry.lazy("lianxin.tickets.api.sla")]]:
        from lianxin.tickets.api.sla import SupervisionNoticeType

        found = await tl.per_ticket(info, "notices", self.source.id, lambda u: u.notices)
        return [SupervisionNoticeType.from_domain(n) for n in found]

    @strawberry.field(description="Extension requests (延期) on its handle deadline, oldest first")
    async def extensions(self, info: GqlInfo) -> list[Annotated[
            ExtensionType, strawberry.lazy("lianxin.tickets.api.feedback")]]:
        from lianxin.tickets.api.feedback import ExtensionType

        found = await tl.per_ticket(info, "extensions", self.source.id, lambda u: u.extensions)
        return [ExtensionType.from_domain(e) for e in found]


@strawberry.type
class Query:
    @strawberry.field(description="One ticket; null if unknown or not yours to see")
    async def ticket(self, info: GqlInfo, id: strawberry.ID) -> TicketType | None:
        [t] = await tl.load_tickets(info, [parse_id(id, "id")])
        return TicketType.from_domain(t) if t else None

    @strawberry.field(description="Your own tickets — submitted by you, or recorded for you by a "
                                  "cadre — newest first")
    async def my_tickets(self, info: GqlInfo, first: int = 20,
                         after: str | None = None) -> Connection[TicketType]:
        query = list_query(info, first, after)
        return connection(await queries.my_tickets(uow(info), actor(info), query), query)


TYPES = [TicketType, OrgUnitType]
