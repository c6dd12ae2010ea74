"""Every GraphQL enum of the tickets subgraph, defined once (values are the domain's)."""

from __future__ import annotations

import strawberry
from lianxin.tickets.domain.assignment import AssignmentStatus, DelayOn, Role
from lianxin.tickets.domain.sla import Clock, ExtensionStatus, NoticeStatus
from lianxin.tickets.domain.ticket import (
    Channel,
    CloseReason,
    Kind,
    Ledger,
    Outcome,
    Satisfaction,
    Status,
    Urgency,
)
from lianxin.tickets.domain.whistle import TaskStatus, WhistleStatus

ChannelEnum = strawberry.enum(Channel, name="Channel", description="Where a demand came from")
StatusEnum = strawberry.enum(Status, name="TicketStatus")
KindEnum = strawberry.enum(Kind, name="TicketKind", description="What sort of demand it is")
LedgerEnum = strawberry.enum(Ledger, name="Ledger", description="Which ledger (台账) it belongs to")
UrgencyEnum = strawberry.enum(Urgency, name="Urgency")
OutcomeEnum = strawberry.enum(Outcome, name="Outcome")
SatisfactionEnum = strawberry.enum(Satisfaction, name="Satisfaction")
CloseReasonEnum = strawberry.enum(CloseReason, name="CloseReason")
ClockEnum = strawberry.enum(Clock, name="SlaClock", description="Which deadline")
RoleEnum = strawberry.enum(Role, name="AssignmentRole")
AssignmentStatusEnum = strawberry.enum(AssignmentStatus, name="AssignmentStatus")
DelayOnEnum = strawberry.enum(DelayOn, name="DelayOn")
WhistleStatusEnum = strawberry.enum(WhistleStatus, name="WhistleStatus")
TaskStatusEnum = strawberry.enum(TaskStatus, name="WhistleTaskStatus")
ExtensionStatusEnum = strawberry.enum(ExtensionStatus, name="ExtensionStatus")
NoticeStatusEnum = strawberry.enum(NoticeStatus, name="SupervisionStatus")
