"""GraphQL of the whistle (吹哨报到): Whistle and WhistleTask, `whistle` / `whistles` queries and
the four steps. Every step answers `WhistleResult` (the whistle after it, or why nothing was
written) — blowing too, so the caller learns the new whistle's id at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import strawberry
from lianxin.kit.gqltypes import (
    ConflictError,
    Connection,
    Edge,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    PageInfo,
    as_transition_result,
    check_first,
    decode_keyset,
    encode_cursor,
)
from lianxin.kit.graphql import loader
from lianxin.kit.ids import parse_id
from lianxin.tickets.api.common import (
    GqlInfo,
    OrgUnitRef,
    TicketRef,
    actor,
    optional_id,
    org_unit,
    staff,
    uow,
)
from lianxin.tickets.api.enums import TaskStatusEnum, UrgencyEnum, WhistleStatusEnum
from lianxin.tickets.app import whistle_queries as reads
from lianxin.tickets.app import whistles as app
from lianxin.tickets.app.common import Actor, utcnow
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain import whistle as rules
from lianxin.tickets.domain.ticket import Ticket
from lianxin.tickets.domain.whistle import TaskOrder, Whistle, WhistleTask

C = TypeVar("C")


async def load_whistles(info: GqlInfo, ids: list[uuid.UUID]) -> list[Whistle | None]:
    """Whistles by id in one batch per request; None where not the caller's to see."""
    caller = actor(info)

    async def batch(keys: list[uuid.UUID]) -> list[Whistle | None]:
        return await reads.whistles_by_id(uow(info), caller, keys)

    return list(await loader(info.context, "whistle", batch).load_many(ids))


@strawberry.type(name="WhistleTask", description="One department's line of the whistle's task "
                                                 "list (一哨一清单)")
class WhistleTaskType:
    id: strawberry.ID
    task: str
    status: TaskStatusEnum  # type: ignore[valid-type]
    reported_at: dt.datetime | None
    late: bool | None = strawberry.field(description="Reported in after the deadline")
    late_seconds: int | None = strawberry.field(description="How far past the deadline it "
                                                            "reported in (0 when on time)")
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    report: str | None = strawberry.field(description="What the department did")
    whistle: strawberry.Private[Whistle]
    source: strawberry.Private[WhistleTask]

    @classmethod
    def from_domain(cls, w: Whistle, t: WhistleTask) -> WhistleTaskType:
        return cls(id=strawberry.ID(str(t.id)), task=t.task, status=t.status,
                   reported_at=t.reported_at, late=t.late, late_seconds=t.late_seconds,
                   started_at=t.started_at, completed_at=t.completed_at, report=t.report,
                   whistle=w, source=t)

    @strawberry.field(description="The summoned department")
    def department(self) -> OrgUnitRef:
        return org_unit(self.source.department_id)

    @strawberry.field(description="Not reported in, and the report-in deadline has passed "
                                  "(as of now)")
    def overdue(self) -> bool:
        return rules.overdue(self.whistle, self.source, utcnow())


@strawberry.federation.type(keys=["id"], name="Whistle", description="吹哨报到: a township or "
                            "village summons departments to one ticket; each reports in, handles "
                            "and completes its task; it closes when all tasks are complete")
class WhistleType:
    id: strawberry.ID
    urgency: UrgencyEnum  # type: ignore[valid-type]
    reason: str
    blown_at: dt.datetime
    report_in_due: dt.datetime = strawberry.field(description="When summoned departments must "
                                                  "have reported in (报到)")
    report_in_due_provisional: bool = strawberry.field(description="Computed past the years the "
                                                       "working-day calendar knows")
    status: WhistleStatusEnum  # type: ignore[valid-type]
    closed_at: dt.datetime | None
    tasks: list[WhistleTaskType]
    ticket_id: strawberry.Private[uuid.UUID]
    blower_unit_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_domain(cls, w: Whistle) -> WhistleType:
        return cls(id=strawberry.ID(str(w.id)), urgency=w.urgency, reason=w.reason,
                   blown_at=w.blown_at, report_in_due=w.report_in_due.at,
                   report_in_due_provisional=w.report_in_due.provisional, status=w.status,
                   closed_at=w.closed_at,
                   tasks=[WhistleTaskType.from_domain(w, t) for t in w.tasks],
                   ticket_id=w.ticket_id, blower_unit_id=w.blower_unit_id)

    @classmethod
    async def resolve_reference(cls, info: GqlInfo, id: strawberry.ID) -> WhistleType | None:
        [w] = await load_whistles(info, [parse_id(id, "id")])
        return cls.from_domain(w) if w else None

    @strawberry.field(description="The ticket it was blown on")
    async def ticket(self, info: GqlInfo) -> TicketRef | None:
        from lianxin.tickets.api.types import TicketType
        caller = actor(info)

        async def batch(keys: list[uuid.UUID]) -> list[Ticket | None]:
            return await reads.tickets_of(uow(info), caller, keys)

        found = await loader(info.context, "whistle_ticket", batch).load(self.ticket_id)
        return TicketType.from_domain(found) if found else None

    @strawberry.field(description="The township, village or community that blew it")
    def blower_unit(self) -> OrgUnitRef:
        return org_unit(self.blower_unit_id)


WhistleResult = Annotated[
    WhistleType | InvalidInputError | NotFoundError | ConflictError | IllegalTransitionError,
    strawberry.union("WhistleResult", description="The whistle after the step, or why nothing "
                                                  "was written")]


async def whistle_result(action: Awaitable[Whistle]) -> WhistleResult:
    return await as_transition_result(action, WhistleType.from_domain)


@strawberry.input(description="One summoned department and its task")
class WhistleTaskInput:
    department_id: strawberry.ID
    task: str


@strawberry.input(description="Blow a whistle on an ACCEPTED, ASSIGNED or IN_PROGRESS ticket")
class BlowWhistleInput:
    ticket_id: strawberry.ID
    urgency: UrgencyEnum = strawberry.field(description=  # type: ignore[valid-type]
        "Report-in deadline: EMERGENCY 30 minutes, URGENT 2 hours, ROUTINE end of the next "
        "working day")
    reason: str
    tasks: list[WhistleTaskInput]
    blower_unit_id: strawberry.ID | None = strawberry.field(default=None, description=
        "The township, village or community blowing; default: the nearest one at or above the "
        "unit handling the ticket")
    request_id: strawberry.ID | None = None


@strawberry.input
class ReportInInput:
    whistle_id: strawberry.ID
    department_id: strawberry.ID
    request_id: strawberry.ID | None = None


@strawberry.input
class StartWhistleTaskInput:
    whistle_id: strawberry.ID
    department_id: strawberry.ID
    request_id: strawberry.ID | None = None


@strawberry.input
class CompleteWhistleTaskInput:
    whistle_id: strawberry.ID
    department_id: strawberry.ID
    report: str
    request_id: strawberry.ID | None = None


@strawberry.type
class Query:
    @strawberry.field(description="One whistle; null if unknown or its ticket is not yours to see")
    async def whistle(self, info: GqlInfo, id: strawberry.ID) -> WhistleType | None:
        [w] = await load_whistles(info, [parse_id(id, "id")])
        return WhistleType.from_domain(w) if w else None

    @strawberry.field(description="Whistles blown in the unit's subtree or summoning a "
                                  "department in it, newest first")
    async def whistles(self, info: GqlInfo, org_unit_id: strawberry.ID, open_only: bool = True,
                       first: int = 20, after: str | None = None) -> Connection[WhistleType]:
        found = await reads.whistles_in(
            uow(info), staff(info), parse_id(org_unit_id, "orgUnitId"), open_only=open_only,
            first=check_first(first), after=decode_keyset(after, dt.datetime.fromisoformat))

        def cursor(at: dt.datetime, whistle_id: uuid.UUID) -> str:
            return encode_cursor([at.isoformat(), str(whistle_id)])

        return Connection(
            edges=[Edge(cursor=cursor(w.blown_at, w.id), node=WhistleType.from_domain(w))
                   for w in found.whistles],
            page_info=PageInfo(has_next_page=found.has_next,
                               end_cursor=cursor(*found.end) if found.end else None))


async def _whistle_step(info: GqlInfo, use_case: Callable[[C, UnitOfWork, Actor], Awaitable[Whistle]],
                        command: Callable[[], C]) -> WhistleResult:
    """Run a whistle step as the caller (staff); a bad id in the input becomes an
    InvalidInputError in the result."""
    async def run() -> Whistle:
        cmd = command()
        return await use_case(cmd, uow(info), staff(info))
    return await whistle_result(run())


@strawberry.type
class Mutation:
    @strawberry.mutation(description="吹哨: summon departments to a ticket, one task each")
    async def blow_whistle(self, info: GqlInfo, input: BlowWhistleInput) -> WhistleResult:
        return await _whistle_step(info, app.blow_whistle, lambda: app.BlowWhistle(
            ticket_id=parse_id(input.ticket_id, "ticketId"), urgency=input.urgency,
            reason=input.reason,
            tasks=tuple(TaskOrder(parse_id(t.department_id, "departmentId"), t.task)
                        for t in input.tasks),
            blower_unit_id=optional_id(input.blower_unit_id, "blowerUnitId"),
            request_id=optional_id(input.request_id, "requestId")))

    @strawberry.mutation(description="报到: a summoned department reports in")
    async def report_in(self, info: GqlInfo, input: ReportInInput) -> WhistleResult:
        return await _whistle_step(info, app.report_in, lambda: app.ReportIn(
            parse_id(input.whistle_id, "whistleId"), parse_id(input.department_id, "departmentId"),
            optional_id(input.request_id, "requestId")))

    @strawberry.mutation(description="A department that reported in starts handling its task")
    async def start_whistle_task(self, info: GqlInfo,
                                 input: StartWhistleTaskInput) -> WhistleResult:
        return await _whistle_step(info, app.start_whistle_task, lambda: app.StartWhistleTask(
            parse_id(input.whistle_id, "whistleId"), parse_id(input.department_id, "departmentId"),
            optional_id(input.request_id, "requestId")))

    @strawberry.mutation(description="A department completes its task with a report; the last "
                                     "completion closes the whistle")
    async def complete_whistle_task(self, info: GqlInfo,
                                    input: CompleteWhistleTaskInput) -> WhistleResult:
        return await _whistle_step(info, app.complete_whistle_task, lambda: app.CompleteWhistleTask(
            parse_id(input.whistle_id, "whistleId"), parse_id(input.department_id, "departmentId"),
            input.report, optional_id(input.request_id, "requestId")))


TYPES = [WhistleType, WhistleTaskType]
