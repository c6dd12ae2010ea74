"""GraphQL of feedback (回音 / 回访), merge (并单), pause and extension (延期): the Extension type
and the steps after resolution. Every step answers `TicketResult` (the ticket after it, or why
nothing was written); a retry with the same requestId returns the ticket as it is. Only
residents rate (their own tickets); every other step is for staff."""

from __future__ import annotations

import datetime as dt

import strawberry
from lianxin.kit.ids import parse_id
from lianxin.tickets.api.common import (
    GqlInfo,
    TicketResult,
    actor,
    request_id,
    run_step,
    ticket_id,
)
from lianxin.tickets.api.enums import ChannelEnum, ExtensionStatusEnum, SatisfactionEnum
from lianxin.tickets.app import extensions, feedback, merge
from lianxin.tickets.domain.sla import Extension


@strawberry.type(name="Extension", description="延期: a request for more working days on the "
                 "handle deadline, and its decision")
class ExtensionType:
    id: strawberry.ID
    working_days: int
    reason: str
    requested_at: dt.datetime
    requested_by: str = strawberry.field(description="Token subject of who asked")
    status: ExtensionStatusEnum  # type: ignore[valid-type]
    decided_at: dt.datetime | None
    decided_by: str | None
    decision_note: str | None

    @classmethod
    def from_domain(cls, e: Extension) -> ExtensionType:
        return cls(id=strawberry.ID(str(e.id)), working_days=e.working_days, reason=e.reason,
                   requested_at=e.requested_at, requested_by=e.requested_by, status=e.status,
                   decided_at=e.decided_at, decided_by=e.decided_by,
                   decision_note=e.decision_note)


# --- inputs ------------------------------------------------------------------------------------
@strawberry.input(description="回复: tell the resident the resolution of a RESOLVED ticket")
class AnswerTicketInput:
    ticket_id: strawberry.ID
    reply: str
    channel: ChannelEnum  # type: ignore[valid-type]
    request_id: strawberry.ID | None = None


@strawberry.input(description="The resident rates the answer to their ticket")
class RateTicketInput:
    ticket_id: strawberry.ID
    solved: bool
    satisfaction: SatisfactionEnum = strawberry.field(  # type: ignore[valid-type]
        description="SATISFIED or BASICALLY_SATISFIED close the ticket; DISSATISFIED reopens it")
    request_id: strawberry.ID | None = None


@strawberry.input(description="回访: staff record the resident's rating on their behalf")
class RecordReturnVisitInput:
    ticket_id: strawberry.ID
    solved: bool
    satisfaction: SatisfactionEnum  # type: ignore[valid-type]
    channel: ChannelEnum  # type: ignore[valid-type]
    note: str = strawberry.field(description="What the visit found")
    request_id: strawberry.ID | None = None


@strawberry.input(description="Close a ticket nobody rated within the policy's rating days")
class CloseUnratedTicketInput:
    ticket_id: strawberry.ID
    request_id: strawberry.ID | None = None


@strawberry.input(description="并单: merge an open ticket into the ticket it duplicates")
class MergeTicketInput:
    ticket_id: strawberry.ID
    master_id: strawberry.ID
    note: str | None = None
    request_id: strawberry.ID | None = None


@strawberry.input(description="Pause while waiting for the resident")
class PauseTicketInput:
    ticket_id: strawberry.ID
    reason: str
    request_id: strawberry.ID | None = None


@strawberry.input(description="Resume a paused ticket; its deadlines move on by the pause")
class ResumeTicketInput:
    ticket_id: strawberry.ID
    note: str | None = None
    request_id: strawberry.ID | None = None


@strawberry.input(description="延期申请: more working days on the handle deadline")
class RequestExtensionInput:
    ticket_id: strawberry.ID
    working_days: int = strawberry.field(description="1–60")
    reason: str
    request_id: strawberry.ID | None = None


@strawberry.input(description="Approve or reject a pending extension request")
class DecideExtensionInput:
    ticket_id: strawberry.ID
    extension_id: strawberry.ID
    approve: bool
    note: str | None = strawberry.field(default=None, description="Required when rejecting")
    request_id: strawberry.ID | None = None


@strawberry.input(description="反思: the handler's reflections on a resolved or closed ticket")
class AddReflectionInput:
    ticket_id: strawberry.ID
    note: str
    request_id: strawberry.ID | None = None


# --- mutations ---------------------------------------------------------------------------------
@strawberry.type
class Mutation:
    @strawberry.mutation(description="回复: answer the resolution to the resident (once)")
    async def answer_ticket(self, info: GqlInfo, input: AnswerTicketInput) -> TicketResult:
        return await run_step(info, feedback.answer_ticket, lambda: feedback.AnswerTicket(
            ticket_id(input), input.reply, input.channel, request_id(input)))

    @strawberry.mutation(description="The resident rates the answer: satisfied or basically "
                                     "satisfied closes the ticket, dissatisfied reopens it")
    async def rate_ticket(self, info: GqlInfo, input: RateTicketInput) -> TicketResult:
        return await run_step(info, feedback.rate_ticket, lambda: feedback.RateTicket(
            ticket_id(input), input.solved, input.satisfaction, request_id(input)),
            caller=actor(info, "resident"))

    @strawberry.mutation(description="回访: record the resident's rating on their behalf")
    async def record_return_visit(self, info: GqlInfo,
                                  input: RecordReturnVisitInput) -> TicketResult:
        return await run_step(info, feedback.record_return_visit, lambda: feedback.RecordReturnVisit(
            ticket_id(input), input.solved, input.satisfaction, input.channel, input.note,
            request_id(input)))

    @strawberry.mutation(description="Close a ticket not rated in time (NO_RATING)")
    async def close_unrated_ticket(self, info: GqlInfo,
                                   input: CloseUnratedTicketInput) -> TicketResult:
        return await run_step(info, feedback.close_unrated_ticket, lambda: feedback.CloseUnratedTicket(
            ticket_id(input), request_id(input)))

    @strawberry.mutation(description="并单: merge a duplicate into its master ticket")
    async def merge_ticket(self, info: GqlInfo, input: MergeTicketInput) -> TicketResult:
        return await run_step(info, merge.merge_ticket, lambda: merge.MergeTicket(
            ticket_id(input), parse_id(input.master_id, "masterId"), input.note,
            request_id(input)))

    @strawberry.mutation(description="Pause while waiting for the resident")
    async def pause_ticket(self, info: GqlInfo, input: PauseTicketInput) -> TicketResult:
        return await run_step(info, extensions.pause_ticket, lambda: extensions.PauseTicket(
            ticket_id(input), input.reason, request_id(input)))

    @strawberry.mutation(description="Resume a paused ticket")
    async def resume_ticket(self, info: GqlInfo, input: ResumeTicketInput) -> TicketResult:
        return await run_step(info, extensions.resume_ticket, lambda: extensions.ResumeTicket(
            ticket_id(input), input.note, request_id(input)))

    @strawberry.mutation(description="延期申请: ask for more working days on the handle deadline")
    async def request_extension(self, info: GqlInfo,
                                input: RequestExtensionInput) -> TicketResult:
        return await run_step(info, extensions.request_extension, lambda: extensions.RequestExtension(
            ticket_id(input), input.working_days, input.reason, request_id(input)))

    @strawberry.mutation(description="Approve or reject a pending extension request")
    async def decide_extension(self, info: GqlInfo, input: DecideExtensionInput) -> TicketResult:
        return await run_step(info, extensions.decide_extension, lambda: extensions.DecideExtension(
            ticket_id(input), parse_id(input.extension_id, "extensionId"), input.approve,
            input.note, request_id(input)))

    @strawberry.mutation(description="反思: add the handler's reflections to the history")
    async def add_reflection(self, info: GqlInfo, input: AddReflectionInput) -> TicketResult:
        return await run_step(info, feedback.add_reflection, lambda: feedback.AddReflection(
            ticket_id(input), input.note, request_id(input)))


TYPES = [ExtensionType]
