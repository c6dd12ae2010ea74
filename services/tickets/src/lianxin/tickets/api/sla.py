"""GraphQL of deadlines: SLA policies, the working-day calendar and supervision notices (督办).
Staff read them; supervisors and admins set policies; admins change the calendar."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, cast

import strawberry
from lianxin.kit.gqltypes import (
    Connection,
    InvalidInputError,
    NotFoundError,
    as_result,
    check_first,
    decode_keyset,
    page,
)
from lianxin.kit.ids import parse_id
from lianxin.tickets.adapters.calendar_source import PackageCalendar
from lianxin.tickets.api.common import GqlInfo, OrgUnitRef, TicketRef, actor, org_unit, staff, uow
from lianxin.tickets.api.enums import ClockEnum, KindEnum, NoticeStatusEnum, UrgencyEnum
from lianxin.tickets.app import calendar as cal
from lianxin.tickets.app import sla as app
from lianxin.tickets.domain.calendar import CalendarDay, check_range
from lianxin.tickets.domain.sla import SlaPolicy, SupervisionNotice, is_default


@strawberry.type(name="SlaPolicy", description="Time limits (时限) in working days for tickets of "
                 "a kind / category / urgency (null: any); the most specific match governs")
class SlaPolicyType:
    id: strawberry.ID
    kind: KindEnum | None  # type: ignore[valid-type]
    category: str | None = strawberry.field(description="Matches its sub-categories too")
    urgency: UrgencyEnum | None  # type: ignore[valid-type]
    accept_days: int = strawberry.field(description="Received → accepted")
    handle_days: int = strawberry.field(description="Accepted → resolved (plan or report up)")
    feedback_days: int = strawberry.field(description="Resolved → answered to the resident")
    rating_days: int = strawberry.field(description="Calendar days to rate an answer, else "
                                                    "closed with no rating")
    due_soon_hours: int = strawberry.field(description="Due-soon alarm this long before")
    escalate_after_days: int = strawberry.field(description="Working days overdue before the "
                                                            "level-2 alarm")
    escalate_on_overdue: bool = strawberry.field(description="Level 2 on the accept deadline "
                                                             "escalates the ticket")
    is_default: bool = strawberry.field(description="The catch-all policy (cannot be deleted)")

    @classmethod
    def from_domain(cls, p: SlaPolicy) -> SlaPolicyType:
        return cls(id=strawberry.ID(str(p.id)), kind=p.kind, category=p.category,
                   urgency=p.urgency, accept_days=p.accept_days, handle_days=p.handle_days,
                   feedback_days=p.feedback_days, rating_days=p.rating_days,
                   due_soon_hours=p.due_soon_hours, escalate_after_days=p.escalate_after_days,
                   escalate_on_overdue=p.escalate_on_overdue, is_default=is_default(p))


@strawberry.type(name="CalendarDay", description="A day of the working-day calendar (工作日)")
class CalendarDayType:
    day: dt.date
    workday: bool
    name: str = strawberry.field(description="The holiday (国庆节), or the holiday a make-up "
                                             "working day 调休 is for; empty on ordinary days")
    source: str = strawberry.field(description="chinese-calendar, admin (set by hand) or "
                                               "weekday (placeholder of a year set by hand)")

    @classmethod
    def from_domain(cls, d: CalendarDay) -> CalendarDayType:
        return cls(day=d.day, workday=d.workday, name=d.name, source=d.source)


@strawberry.type(name="CalendarYear", description="A year of the calendar in the database")
class CalendarYearType:
    year: int
    source: str
    loaded_at: dt.datetime
    package_knows: bool = strawberry.field(description="The installed chinese-calendar has "
                                                       "this year's official schedule")


@strawberry.type(name="CalendarChange", description="What a calendar load or edit changed")
class CalendarChangeType:
    days_changed: int = strawberry.field(description="Days whose working-day flag is new or "
                                                     "different")
    recomputed_tickets: int = strawberry.field(description="Open tickets whose deadline moved "
                                                           "or stopped being provisional")
    day: CalendarDayType | None = None
    year: int | None = None

    @classmethod
    def from_domain(cls, c: cal.CalendarChanged) -> CalendarChangeType:
        return cls(days_changed=c.days_changed, recomputed_tickets=c.recomputed,
                   day=CalendarDayType.from_domain(c.day) if c.day else None, year=c.year)


@strawberry.type(name="DeletedSlaPolicy")
class DeletedSlaPolicyType:
    id: strawberry.ID


@strawberry.type(name="SupervisionNotice", description="督办: an overdue ticket flagged to a "
                 "supervising org unit (level 1: the handling unit's parent; level 2: one "
                 "level higher); closed when the ticket moves on")
class SupervisionNoticeType:
    id: strawberry.ID
    clock: ClockEnum  # type: ignore[valid-type]
    level: int
    due: dt.datetime
    opened_at: dt.datetime
    status: NoticeStatusEnum  # type: ignore[valid-type]
    closed_at: dt.datetime | None
    ticket_id: strawberry.Private[uuid.UUID]
    supervising_unit_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_domain(cls, n: SupervisionNotice) -> SupervisionNoticeType:
        return cls(id=strawberry.ID(str(n.id)), clock=n.clock, level=n.level, due=n.due,
                   opened_at=n.opened_at, status=n.status, closed_at=n.closed_at,
                   ticket_id=n.ticket_id, supervising_unit_id=n.supervising_unit_id)

    @strawberry.field(description="The overdue ticket; null if not yours to see")
    async def ticket(self, info: GqlInfo) -> TicketRef | None:
        from lianxin.tickets.api.types import TicketType
        return await TicketType.resolve_reference(info, strawberry.ID(str(self.ticket_id)))

    @strawberry.field(description="Who must follow it up")
    def supervising_unit(self) -> OrgUnitRef:
        return org_unit(self.supervising_unit_id)


@strawberry.input(description="Set one day by hand (a year chinese-calendar does not know yet, "
                  "or a local correction); days set by hand survive later loads")
class SetCalendarDayInput:
    day: dt.date
    workday: bool
    name: str = ""


@strawberry.input(description="Create or replace the policy for kind × category × urgency "
                  "(leave all three out for the default policy)")
class SetSlaPolicyInput:
    kind: KindEnum | None = None  # type: ignore[valid-type]
    category: str | None = None
    urgency: UrgencyEnum | None = None  # type: ignore[valid-type]
    accept_days: int
    handle_days: int
    feedback_days: int
    rating_days: int = 7
    due_soon_hours: int = 24
    escalate_after_days: int = 3
    escalate_on_overdue: bool = True


CalendarChangeResult = Annotated[CalendarChangeType | InvalidInputError,
                                 strawberry.union("CalendarChangeResult")]
SlaPolicyResult = Annotated[SlaPolicyType | InvalidInputError | NotFoundError,
                            strawberry.union("SlaPolicyResult")]
DeleteSlaPolicyResult = Annotated[DeletedSlaPolicyType | InvalidInputError | NotFoundError,
                                  strawberry.union("DeleteSlaPolicyResult")]


def _years(stored: dict[int, tuple[str, dt.datetime]]) -> list[CalendarYearType]:
    known = set(PackageCalendar().years_known())
    return [CalendarYearType(year=y, source=s, loaded_at=at, package_knows=y in known)
            for y, (s, at) in sorted(stored.items())]


@strawberry.type
class Query:
    @strawberry.field(description="Every SLA policy, the default first")
    async def sla_policies(self, info: GqlInfo) -> list[SlaPolicyType]:
        staff(info)
        return [SlaPolicyType.from_domain(p) for p in await app.sla_policies(uow(info))]

    @strawberry.field(description="Days of the working-day calendar from `from` to `to` "
                      "(at most 400); days of years not loaded are absent")
    async def calendar_days(self, info: GqlInfo,
                            from_: Annotated[dt.date, strawberry.argument(name="from")],
                            to: dt.date) -> list[CalendarDayType]:
        staff(info)
        check_range(from_, to)
        async with uow(info) as work:
            days = await work.calendar.days(from_, to)
        return [CalendarDayType.from_domain(d) for d in days]

    @strawberry.field(description="Years of the calendar in the database")
    async def calendar_years(self, info: GqlInfo) -> list[CalendarYearType]:
        staff(info)
        async with uow(info) as work:
            return _years(await work.calendar.years())

    @strawberry.field(description="Supervision notices (督办) supervised at the org unit or "
                      "below, newest first")
    async def supervision_notices(self, info: GqlInfo, org_unit_id: strawberry.ID,
                                  open_only: bool = True, first: int = 20,
                                  after: str | None = None) -> Connection[SupervisionNoticeType]:
        caller = staff(info)
        size, key = check_first(first), decode_keyset(after, dt.datetime.fromisoformat)
        rows = await app.supervision_notices(uow(info), caller, parse_id(org_unit_id, "orgUnitId"),
                                             open_only, key, size + 1)
        return page(rows, size, key=lambda n: [n.opened_at.isoformat(), str(n.id)],
                    node=SupervisionNoticeType.from_domain)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Admin: set one day of the working-day calendar, then "
                         "recompute the deadlines it moves")
    async def set_calendar_day(self, info: GqlInfo, input: SetCalendarDayInput
                               ) -> CalendarChangeResult:
        cmd = cal.SetCalendarDay(day=input.day, workday=input.workday, name=input.name)
        return cast(CalendarChangeResult, await as_result(
            cal.set_calendar_day(cmd, uow(info), actor(info, "admin")),
            CalendarChangeType.from_domain))

    @strawberry.mutation(description="Admin: load a year from the installed chinese-calendar "
                         "(days set by hand are kept), then recompute the deadlines it moves")
    async def load_calendar_year(self, info: GqlInfo, year: int) -> CalendarChangeResult:
        cmd = cal.LoadCalendarYear(year)
        return cast(CalendarChangeResult, await as_result(
            cal.load_calendar_year(cmd, uow(info), actor(info, "admin"), PackageCalendar()),
            CalendarChangeType.from_domain))

    @strawberry.mutation(description="Supervisor or admin: create or replace an SLA policy")
    async def set_sla_policy(self, info: GqlInfo, input: SetSlaPolicyInput) -> SlaPolicyResult:
        caller = actor(info, "supervisor", "admin")
        cmd = app.SetSlaPolicy(
            kind=input.kind, category=input.category, urgency=input.urgency,
            accept_days=input.accept_days, handle_days=input.handle_days,
            feedback_days=input.feedback_days, rating_days=input.rating_days,
            due_soon_hours=input.due_soon_hours, escalate_after_days=input.escalate_after_days,
            escalate_on_overdue=input.escalate_on_overdue)
        return cast(SlaPolicyResult, await as_result(app.set_sla_policy(cmd, uow(info), caller),
                                                     SlaPolicyType.from_domain))

    @strawberry.mutation(description="Supervisor or admin: delete a policy (not the default); "
                         "its tickets fall back to the next most specific one")
    async def delete_sla_policy(self, info: GqlInfo, id: strawberry.ID) -> DeleteSlaPolicyResult:
        caller = actor(info, "supervisor", "admin")
        return cast(DeleteSlaPolicyResult, await as_result(
            app.delete_sla_policy(app.DeleteSlaPolicy(parse_id(id, "id")), uow(info), caller),
            lambda p: DeletedSlaPolicyType(id=strawberry.ID(str(p.id)))))


TYPES: list[type] = [SlaPolicyType, CalendarDayType, CalendarYearType, SupervisionNoticeType]
