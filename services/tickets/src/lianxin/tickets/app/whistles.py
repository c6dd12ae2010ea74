"""Whistle use cases (吹哨报到): a township or village blows a whistle on a ticket it works,
summoning departments; each reports in, handles and completes its task; the whistle closes when
every task is complete (闭环).

Every step is also a line in the ticket's history: blowing runs as the ticket's BLOW_WHISTLE
transition (only on ACCEPTED, ASSIGNED or IN_PROGRESS tickets; the ticket's status does not
change, its involved units gain the departments so they see it), the later steps as WHISTLE
(allowed in every state, so departments can finish their tasks after the ticket moved on). The
ticket row is locked before the whistle row, always in that order.

Several whistles may be open on one ticket at once (a second problem needing other
departments). Departments act on their own tasks; the blowing unit's staff may also record a
step for a department (the department reported in at the township office, or cannot use the
system) — the history keeps who did it. All four mutations answer with the whistle; a retry
with the same request id returns the whistle as stored."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from lianxin.kit.ids import uuid7
from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.deadlines import calendar_for
from lianxin.tickets.app.handling import unit_name
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, transition
from lianxin.tickets.domain import whistle as rules
from lianxin.tickets.domain.calendar import deadline_text
from lianxin.tickets.domain.errors import NotFound, OutOfScope, TicketIdConflict, UnknownOrgUnit
from lianxin.tickets.domain.events import (
    WhistleBlown,
    WhistleClosed,
    WhistleReportedIn,
    WhistleTaskCompleted,
    WhistleTaskStarted,
)
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Ticket, Urgency
from lianxin.tickets.domain.whistle import TaskOrder, Whistle, WhistleTask


@dataclass(frozen=True, slots=True)
class BlowWhistle:
    ticket_id: uuid.UUID
    urgency: Urgency
    reason: str
    tasks: tuple[TaskOrder, ...]
    blower_unit_id: uuid.UUID | None = None   # default: the unit handling the ticket
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ReportIn:
    whistle_id: uuid.UUID
    department_id: uuid.UUID
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class StartWhistleTask:
    whistle_id: uuid.UUID
    department_id: uuid.UUID
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class CompleteWhistleTask:
    whistle_id: uuid.UUID
    department_id: uuid.UUID
    report: str
    request_id: uuid.UUID | None = None


def _not_found(whistle_id: uuid.UUID) -> NotFound:
    return NotFound(f"whistle {whistle_id} does not exist or is not yours to see",
                    field="whistleId")


async def blow_whistle(cmd: BlowWhistle, uow: UnitOfWork, actor: Actor,
                       clock: Clock = utcnow) -> Whistle:
    """Blow a whistle on a ticket (吹哨): one task per summoned department (一哨一清单), a
    report-in deadline by urgency."""
    blown: list[Whistle] = []

    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        named = None
        if cmd.blower_unit_id is not None:
            named = await uow.org_units.get(cmd.blower_unit_id)
            if named is None:
                raise UnknownOrgUnit(f"no org unit {cmd.blower_unit_id}", field="blowerUnitId")
        handling = await uow.org_units.get_many(ticket.handling_path)
        blower = rules.choose_blower(ticket, handling, named)
        actor.require_at(blower.path, f"blowing a whistle for {blower.name}")
        departments = {u.id: u for u in await uow.org_units.get_many(
            [o.department_id for o in cmd.tasks])}
        due = rules.report_in_due(cmd.urgency, now, await calendar_for(
            uow, now, rules.ROUTINE_REPORT_IN_DAYS))
        # Ascending task ids keep the list in the order it was given (the repository sorts by id).
        task_ids = iter(sorted(uuid7() for _ in cmd.tasks))
        whistle = rules.blow(
            whistle_id=uuid7(), ticket=ticket, blower=blower, urgency=cmd.urgency,
            reason=cmd.reason, orders=cmd.tasks, departments=departments, blown_at=now,
            blown_by=actor.subject, due=due, new_id=lambda: next(task_ids))
        await uow.whistles.add(whistle)
        blown.append(whistle)
        summoned = [t.department_id for t in whistle.tasks]
        names = "、".join(departments[d].name for d in summoned)
        return Change(
            ticket=ticket.advance(now, involved_units=tuple(dict.fromkeys(
                (*ticket.involved_units, *summoned)))),
            events=[WhistleBlown(whistle)],
            note=(f"{blower.name} blew a whistle ({cmd.urgency.name}): {names} to report in by "
                  f"{deadline_text(due.at)}"),
            details={"whistle_id": str(whistle.id), "blower_unit_id": str(blower.id),
                     "urgency": cmd.urgency.value,
                     "department_ids": ",".join(str(d) for d in summoned),
                     "report_in_due": due.at.isoformat()})

    await transition(uow, cmd.ticket_id, Action.BLOW_WHISTLE, step, actor,
                     request_id=cmd.request_id, clock=clock)
    if blown:
        return blown[0]
    assert cmd.request_id is not None  # the step is skipped only for a repeated request
    return await _replayed(uow, actor, cmd.request_id, None)


async def _visible(uow: UnitOfWork, actor: Actor, whistle_id: uuid.UUID) -> Whistle:
    """The whistle, if its ticket is the caller's to see; call inside `async with uow`."""
    found = await uow.whistles.get_many([whistle_id])
    if not found:
        raise _not_found(whistle_id)
    tickets = await uow.tickets.get_many([found[0].ticket_id])
    if not tickets or not actor.sees(tickets[0]):
        raise _not_found(whistle_id)
    return found[0]


async def _replayed(uow: UnitOfWork, actor: Actor, request_id: uuid.UUID,
                    whistle_id: uuid.UUID | None) -> Whistle:
    """The whistle a repeated request already acted on, as stored now."""
    async with uow:
        entry = await uow.history.get(request_id)
        done = entry.details.get("whistle_id") if entry else None
        if not isinstance(done, str) or (whistle_id is not None and done != str(whistle_id)):
            raise TicketIdConflict(f"request id {request_id} was already used for another step; "
                                   "use a new one", field="requestId")
        return await _visible(uow, actor, uuid.UUID(done))


Rule = Callable[[Whistle, uuid.UUID, dt.datetime], tuple[Whistle, WhistleTask]]
TaskEvent = type[WhistleReportedIn] | type[WhistleTaskStarted] | type[WhistleTaskCompleted]


async def _task_step(whistle_id: uuid.UUID, department_id: uuid.UUID,
                     request_id: uuid.UUID | None, uow: UnitOfWork, actor: Actor, clock: Clock,
                     rule: Rule, event: TaskEvent, verb: str) -> Whistle:
    """Run one department's step as a WHISTLE transition of the whistle's ticket."""
    async with uow:
        ticket_id = (await _visible(uow, actor, whistle_id)).ticket_id
    done: list[Whistle] = []

    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        whistle = await uow.whistles.get_for_update(whistle_id)
        if whistle is None:
            raise _not_found(whistle_id)
        task = rules.task_of(whistle, department_id)
        name = await unit_name(uow, department_id)
        if not (actor.works_at(task.department_path) or actor.works_at(whistle.blower_path)):
            raise OutOfScope(f"acting for {name} lies outside your org scope",
                             field="departmentId")
        whistle, task = rule(whistle, department_id, now)
        events: list[WhistleReportedIn | WhistleTaskStarted | WhistleTaskCompleted
                     | WhistleClosed] = [event(whistle, task)]
        note = f"{name} {verb}"
        if event is WhistleReportedIn:
            note += f" {rules.lateness(task.late_seconds or 0)}"
        closed = rules.close_if_done(whistle, now)
        if closed is not None:
            whistle = closed
            events.append(WhistleClosed(closed))
            note += f"; whistle closed, all {len(closed.tasks)} tasks complete"
        await uow.whistles.save(whistle)
        done.append(whistle)
        return Change(ticket=ticket, events=events, note=note, details={
            "whistle_id": str(whistle.id), "task_id": str(task.id),
            "department_id": str(department_id), "late_seconds": task.late_seconds,
            "whistle_closed": closed is not None})

    await transition(uow, ticket_id, Action.WHISTLE, step, actor, request_id=request_id,
                     clock=clock)
    if done:
        return done[0]
    assert request_id is not None
    return await _replayed(uow, actor, request_id, whistle_id)


async def report_in(cmd: ReportIn, uow: UnitOfWork, actor: Actor,
                    clock: Clock = utcnow) -> Whistle:
    """A summoned department reports in (报到); lateness past the deadline is recorded."""
    return await _task_step(cmd.whistle_id, cmd.department_id, cmd.request_id, uow, actor, clock,
                            rules.report_in, WhistleReportedIn, "reported in")


async def start_whistle_task(cmd: StartWhistleTask, uow: UnitOfWork, actor: Actor,
                             clock: Clock = utcnow) -> Whistle:
    """A department that reported in starts handling its task."""
    return await _task_step(cmd.whistle_id, cmd.department_id, cmd.request_id, uow, actor, clock,
                            rules.start_task, WhistleTaskStarted, "started its task")


async def complete_whistle_task(cmd: CompleteWhistleTask, uow: UnitOfWork, actor: Actor,
                                clock: Clock = utcnow) -> Whistle:
    """A department completes its task with a report; the last completion closes the whistle."""
    def rule(w: Whistle, department_id: uuid.UUID, now: dt.datetime) -> tuple[Whistle, WhistleTask]:
        return rules.complete_task(w, department_id, now, cmd.report)

    return await _task_step(cmd.whistle_id, cmd.department_id, cmd.request_id, uow, actor, clock,
                            rule, WhistleTaskCompleted, "completed its task")
