"""GraphQL inputs of triage and dispatch (研判分拣、派单): one per step, and a department's part
of a dispatch (read into the use cases' AssignmentOrder)."""

from __future__ import annotations

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.tickets.api.common import optional_id
from lianxin.tickets.api.enums import ChannelEnum, DelayOnEnum, OutcomeEnum
from lianxin.tickets.domain.ticket import Outcome
from lianxin.tickets.domain.triage import AssignmentOrder


@strawberry.input(description="One department's part of a dispatch")
class AssignmentInput:
    department_id: strawberry.ID
    responsible_name: str = strawberry.field(description="Who answers for it (责任人)")
    task: str
    responsible_cadre_id: strawberry.ID | None = None
    standard: str | None = strawberry.field(default=None, description="Completion standard")
    due_working_days: int | None = strawberry.field(
        default=None, description="Working days from now (1–365); default: the SLA policy's "
                                  "handleDays (10)")

    def order(self, prefix: str) -> AssignmentOrder:
        return AssignmentOrder(
            department_id=parse_id(self.department_id, f"{prefix}.departmentId"),
            responsible_name=self.responsible_name, task=self.task,
            responsible_cadre_id=optional_id(self.responsible_cadre_id,
                                             f"{prefix}.responsibleCadreId"),
            standard=self.standard, due_working_days=self.due_working_days)


def co_orders(handlers: list[AssignmentInput]) -> tuple[AssignmentOrder, ...]:
    """The co-handlers' orders, each error naming its place in the list."""
    return tuple(h.order(f"coHandlers[{i}]") for i, h in enumerate(handlers))


@strawberry.input(description="受理: take on a RECEIVED ticket")
class AcceptTicketInput:
    ticket_id: strawberry.ID
    note: str = ""
    request_id: strawberry.ID | None = None


@strawberry.input(description="快办快结: solved on the spot, from RECEIVED or ACCEPTED")
class ResolveOnTheSpotInput:
    ticket_id: strawberry.ID
    report: str = strawberry.field(description="What was done")
    outcome: OutcomeEnum = Outcome.SOLVED  # type: ignore[valid-type]
    request_id: strawberry.ID | None = None


@strawberry.input(description="本级办理: the handling unit handles an ACCEPTED ticket itself")
class HandleTicketHereInput:
    ticket_id: strawberry.ID
    responsible_name: str
    task: str
    responsible_cadre_id: strawberry.ID | None = None
    standard: str | None = None
    due_working_days: int | None = None
    request_id: strawberry.ID | None = None


@strawberry.input(description="上报: to the parent org unit, with a reason")
class EscalateTicketInput:
    ticket_id: strawberry.ID
    reason: str
    request_id: strawberry.ID | None = None


@strawberry.input(description="派单: an ACCEPTED ticket to a lead department and co-handlers")
class DispatchTicketInput:
    ticket_id: strawberry.ID
    lead: AssignmentInput
    co_handlers: list[AssignmentInput] = strawberry.field(default_factory=list)
    request_id: strawberry.ID | None = None


@strawberry.input(description="退单: the lead department sends the dispatch back")
class ReturnDispatchInput:
    ticket_id: strawberry.ID
    assignment_id: strawberry.ID = strawberry.field(description="The lead assignment")
    reason: str
    request_id: strawberry.ID | None = None


@strawberry.input(description="改派: dispatch a returned ticket again, saying whose delay it was")
class ReassignTicketInput:
    ticket_id: strawberry.ID
    delay_on: DelayOnEnum  # type: ignore[valid-type]
    lead: AssignmentInput
    co_handlers: list[AssignmentInput] = strawberry.field(default_factory=list)
    request_id: strawberry.ID | None = None


@strawberry.input(description="The lead department starts handling an ASSIGNED ticket")
class StartTicketInput:
    ticket_id: strawberry.ID
    request_id: strawberry.ID | None = None


@strawberry.input(description="A co-handling department completes its task")
class CompleteTaskInput:
    ticket_id: strawberry.ID
    assignment_id: strawberry.ID
    report: str
    request_id: strawberry.ID | None = None


@strawberry.input(description="办结: resolve an ASSIGNED or IN_PROGRESS ticket")
class ResolveTicketInput:
    ticket_id: strawberry.ID
    outcome: OutcomeEnum = strawberry.field(  # type: ignore[valid-type]
        description="SOLVED or PARTIALLY_SOLVED (EXPLAINED: use explainTicket)")
    report: str
    request_id: strawberry.ID | None = None


@strawberry.input(description="Explain an unreasonable or already-decided demand; the reply is "
                              "the answer to the resident")
class ExplainTicketInput:
    ticket_id: strawberry.ID
    reply: str
    channel: ChannelEnum  # type: ignore[valid-type]
    request_id: strawberry.ID | None = None
