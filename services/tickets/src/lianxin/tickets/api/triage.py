"""GraphQL of triage and dispatch (研判分拣、派单): the Assignment type and the steps from
acceptance to resolution (their inputs are in api/triage_inputs.py). Every step answers
`TicketResult` (the ticket after it, or why nothing was written); a retry with the same
requestId returns the ticket as it is."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.tickets.api.common import (
    GqlInfo,
    OrgUnitRef,
    TicketResult,
    gql_id,
    optional_id,
    org_unit,
    request_id,
    run_step,
    ticket_id,
)
from lianxin.tickets.api.enums import (
    AssignmentStatusEnum,
    DelayOnEnum,
    RoleEnum,
)
from lianxin.tickets.api.triage_inputs import (
    AcceptTicketInput,
    CompleteTaskInput,
    DispatchTicketInput,
    EscalateTicketInput,
    ExplainTicketInput,
    HandleTicketHereInput,
    ReassignTicketInput,
    ResolveOnTheSpotInput,
    ResolveTicketInput,
    ReturnDispatchInput,
    StartTicketInput,
    co_orders,
)
from lianxin.tickets.app import dispatch, triage
from lianxin.tickets.domain.assignment import Assignment


@strawberry.type(name="Assignment", description="派单: a department — or the ticket's own unit "
                 "(LOCAL) — made responsible for a ticket, with a responsible person, task, "
                 "completion standard and deadline")
class AssignmentType:
    id: strawberry.ID
    role: RoleEnum  # type: ignore[valid-type]
    responsible_name: str
    responsible_cadre_id: strawberry.ID | None
    task: str
    standard: str = strawberry.field(description="The completion standard; empty if none given")
    due: dt.datetime = strawberry.field(description="End of the last working day it has")
    due_provisional: bool = strawberry.field(description="Computed past the years the "
                                                         "working-day calendar knows")
    status: AssignmentStatusEnum  # type: ignore[valid-type]
    assigned_at: dt.datetime
    started_at: dt.datetime | None
    completed_at: dt.datetime | None = strawberry.field(description="Done, or cancelled")
    report: str | None = strawberry.field(description="What the department did")
    returned_at: dt.datetime | None
    return_reason: str | None
    delay_on: DelayOnEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="On a returned assignment: whose delay it was, set when it was reassigned")
    replaces_id: strawberry.ID | None = strawberry.field(
        description="The returned assignment this one replaces (改派)")
    department_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_domain(cls, a: Assignment) -> AssignmentType:
        return cls(
            id=strawberry.ID(str(a.id)), role=a.role, responsible_name=a.responsible_name,
            responsible_cadre_id=gql_id(a.responsible_cadre_id), task=a.task,
            standard=a.standard, due=a.due.at, due_provisional=a.due.provisional,
            status=a.status, assigned_at=a.assigned_at, started_at=a.started_at,
            completed_at=a.completed_at, report=a.report, returned_at=a.returned_at,
            return_reason=a.return_reason, delay_on=a.delay_on,
            replaces_id=gql_id(a.replaces_id), department_id=a.department_id)

    @strawberry.field(description="The department (or, for LOCAL work, the ticket's own unit)")
    def department(self) -> OrgUnitRef:
        return org_unit(self.department_id)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="受理: take on a RECEIVED ticket; the 10-working-day plan "
                                     "or report-up clock starts")
    async def accept_ticket(self, info: GqlInfo, input: AcceptTicketInput) -> TicketResult:
        return await run_step(info, triage.accept_ticket, lambda: triage.AcceptTicket(
            ticket_id(input), input.note, request_id(input)))

    @strawberry.mutation(description="快办快结: solved on the spot and reported")
    async def resolve_on_the_spot(self, info: GqlInfo,
                                  input: ResolveOnTheSpotInput) -> TicketResult:
        return await run_step(info, triage.resolve_on_the_spot, lambda: triage.ResolveOnTheSpot(
            ticket_id(input), input.report, input.outcome, request_id(input)))

    @strawberry.mutation(description="本级办理: handle an ACCEPTED ticket at its own level")
    async def handle_ticket_here(self, info: GqlInfo,
                                 input: HandleTicketHereInput) -> TicketResult:
        return await run_step(info, triage.handle_ticket_here, lambda: triage.HandleTicketHere(
            ticket_id(input), input.responsible_name, input.task,
            optional_id(input.responsible_cadre_id, "responsibleCadreId"), input.standard,
            input.due_working_days, request_id(input)))

    @strawberry.mutation(description="上报: move the ticket to the parent org unit")
    async def escalate_ticket(self, info: GqlInfo, input: EscalateTicketInput) -> TicketResult:
        return await run_step(info, triage.escalate_ticket, lambda: triage.EscalateTicket(
            ticket_id(input), input.reason, request_id(input)))

    @strawberry.mutation(description="派单: to a lead department plus co-handling departments")
    async def dispatch_ticket(self, info: GqlInfo, input: DispatchTicketInput) -> TicketResult:
        return await run_step(info, dispatch.dispatch_ticket, lambda: dispatch.DispatchTicket(
            ticket_id(input), input.lead.order("lead"), co_orders(input.co_handlers), request_id(input)))

    @strawberry.mutation(description="退单: the lead department returns the dispatch with a "
                                     "reason")
    async def return_dispatch(self, info: GqlInfo, input: ReturnDispatchInput) -> TicketResult:
        return await run_step(info, dispatch.return_dispatch, lambda: dispatch.ReturnDispatch(
            ticket_id(input), parse_id(input.assignment_id, "assignmentId"), input.reason,
            request_id(input)))

    @strawberry.mutation(description="改派: dispatch a returned ticket again")
    async def reassign_ticket(self, info: GqlInfo, input: ReassignTicketInput) -> TicketResult:
        return await run_step(info, dispatch.reassign_ticket, lambda: dispatch.ReassignTicket(
            ticket_id(input), input.delay_on, input.lead.order("lead"), co_orders(input.co_handlers),
            request_id(input)))

    @strawberry.mutation(description="The lead department starts handling")
    async def start_ticket(self, info: GqlInfo, input: StartTicketInput) -> TicketResult:
        return await run_step(info, dispatch.start_ticket, lambda: dispatch.StartTicket(
            ticket_id(input), request_id(input)))

    @strawberry.mutation(description="A co-handling department completes its task")
    async def complete_task(self, info: GqlInfo, input: CompleteTaskInput) -> TicketResult:
        return await run_step(info, dispatch.complete_task, lambda: dispatch.CompleteTask(
            ticket_id(input), parse_id(input.assignment_id, "assignmentId"), input.report,
            request_id(input)))

    @strawberry.mutation(description="办结: resolve with an outcome and a report")
    async def resolve_ticket(self, info: GqlInfo, input: ResolveTicketInput) -> TicketResult:
        return await run_step(info, dispatch.resolve_ticket, lambda: dispatch.ResolveTicket(
            ticket_id(input), input.outcome, input.report, request_id(input)))

    @strawberry.mutation(description="Explain an unreasonable or already-decided demand "
                                     "(outcome EXPLAINED); the reply answers the resident")
    async def explain_ticket(self, info: GqlInfo, input: ExplainTicketInput) -> TicketResult:
        return await run_step(info, triage.explain_ticket, lambda: triage.ExplainTicket(
            ticket_id(input), input.reply, input.channel, request_id(input)))


TYPES = [AssignmentType]
