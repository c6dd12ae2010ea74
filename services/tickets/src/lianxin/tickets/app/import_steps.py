"""The steps of an imported ledger item (台账导入), each run through `transition` at its
historical time: it builds the ticket's next state with `Ticket.advance` and emits the event the
live step emits (accepted, dispatched, started, resolved, answered, rated, closed, reopened), so
consumers such as the assessment service count imported items like live ones. Each step is its
own history line (action IMPORT) saying where it came from; no personal data in either."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from lianxin.kit.ids import uuid7
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.deadlines import deadline, handling_days, policy_for
from lianxin.tickets.app.import_plan import Step
from lianxin.tickets.app.import_rows import LedgerRow
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, Detail
from lianxin.tickets.app.transition import Step as StepFn
from lianxin.tickets.domain import events as ev
from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus, Role
from lianxin.tickets.domain.errors import UnknownOrgUnit
from lianxin.tickets.domain.sla import SlaPolicy
from lianxin.tickets.domain.ticket import CloseReason, OrgUnitRef, Outcome, Status, Ticket

# A step's next ticket (None: unchanged) and the events it emits.
_Done = tuple[Ticket | None, list[ev.Event]]


@dataclass(slots=True)
class ItemSteps:
    """Builds the steps of one row; keeps the row's assignment from step to step."""

    row: LedgerRow
    department: OrgUnitRef | None  # None: handled by the ticket's own unit (本级办理)
    actor: Actor
    details: dict[str, Detail]     # the row's provenance, on every history line
    assignment: Assignment | None = None
    # The item's policy: its kind, category and urgency stay the same through the steps.
    policy: SlaPolicy | None = None

    def step(self, step: Step, extra: dict[str, Detail] | None = None) -> StepFn:
        """The `transition` step for `step`; `extra` adds to its history line's details."""
        build = getattr(self, f"_{step.value}")

        async def run(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
            after, events = await build(ticket, uow, now)
            status = (after or ticket).status.name
            return Change(ticket=after or ticket, events=events,
                          note=f"imported from {self.details['source']} row {self.row.number}: "
                               f"{status}",
                          details={**self.details, "step": step.value, **(extra or {})})
        return run

    async def _record(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        return None, []

    async def _accept(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        policy = await self._policy(uow, t)
        after = t.advance(now, status=Status.ACCEPTED,
                          handle_due=await deadline(uow, now, policy.handle_days))
        return after, [ev.TicketAccepted(after)]

    async def _dispatch(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        unit = self.department or await uow.org_units.get(t.handling_unit_id)
        if unit is None:
            raise UnknownOrgUnit(f"org unit {t.handling_unit_id} is unknown", field="orgUnitId")
        # As live: the assignment's deadline runs from the dispatch and becomes the ticket's.
        due = await deadline(uow, now, (await self._policy(uow, t)).handle_days)
        self.assignment = Assignment(
            id=uuid7(), ticket_id=t.id, department_id=unit.id, department_path=unit.path,
            role=Role.LEAD if self.department else Role.LOCAL,
            responsible_name=self.row.responsible or "", task="", due=due, assigned_at=now,
            assigned_by=self.actor.subject)
        await uow.assignments.add(self.assignment)
        involved = t.involved_units
        if self.department is not None and unit.id not in involved:
            involved = (*involved, unit.id)
        after = t.advance(now, status=Status.ASSIGNED, involved_units=involved, handle_due=due)
        return after, [ev.TicketDispatched(after, self.assignment)]

    async def _start(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        started = await self._assignment(uow, status=AssignmentStatus.IN_PROGRESS, started_at=now)
        after = t.advance(now, status=Status.IN_PROGRESS)
        return after, [ev.TicketStarted(after, started)]

    async def _resolve(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        await self._assignment(uow, status=AssignmentStatus.DONE, completed_at=now,
                               report=self.row.resolution)
        policy = await self._policy(uow, t)
        after = t.advance(now, status=Status.RESOLVED, outcome=self.row.outcome,
                          resolution=self.row.resolution, resolved_at=now,
                          feedback_due=await deadline(uow, now, policy.feedback_days))
        on_time = t.handle_due is None or now <= t.handle_due.at
        return after, [ev.TicketResolved(after, on_time, await handling_days(uow, t, now))]

    async def _answer(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        after = t.advance(now, answer=self.row.answer, answer_channel=t.channel, answered_at=now)
        on_time = t.feedback_due is None or now <= t.feedback_due.at
        return after, [ev.TicketAnswered(after, on_time)]

    async def _rate(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        # A ledger's rating comes from a return visit (回访) by staff.
        after = t.advance(now, satisfaction=self.row.satisfaction, rated_at=now,
                          solved=t.outcome is Outcome.SOLVED, rated_by_staff=True)
        return after, [ev.TicketRated(after)]

    async def _close(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        reason = CloseReason.RATED if t.satisfaction is not None else CloseReason.NO_RATING
        after = t.advance(now, status=Status.CLOSED, closed_at=now, close_reason=reason)
        return after, [ev.TicketClosed(after)]

    async def _reopen(self, t: Ticket, uow: UnitOfWork, now: dt.datetime) -> _Done:
        # Dissatisfied: back to ASSIGNED; as live, the done lead stays answerable (it starts
        # again when work resumes).
        policy = await self._policy(uow, t)
        after = t.advance(now, status=Status.ASSIGNED, reopen_count=t.reopen_count + 1,
                          handle_due=await deadline(uow, now, policy.handle_days),
                          feedback_due=None)
        return after, [ev.TicketReopened(after)]

    async def _policy(self, uow: UnitOfWork, t: Ticket) -> SlaPolicy:
        if self.policy is None:
            self.policy = await policy_for(uow, t)
        return self.policy

    async def _assignment(self, uow: UnitOfWork, **changes: object) -> Assignment:
        assert self.assignment is not None, "a ledger item is dispatched before later steps"
        self.assignment = replace(self.assignment, **changes)  # type: ignore[arg-type]
        await uow.assignments.save(self.assignment)
        return self.assignment
