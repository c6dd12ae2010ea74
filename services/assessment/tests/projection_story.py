"""Test stories for the ticket and whistle projection: tickets.v1 events as the tickets service
emits them (Envelope + payload, versions counting up, China wall-clock times), and the cube
sums recomputed from facts to check the projection's rollups against."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from google.protobuf.message import Message
from lianxin.assessment.domain.cubes import CUBES, Contribution, deltas
from lianxin.events.v1 import tickets_pb2 as pb
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.auth import Principal
from lianxin.kit.envelope import PendingEvent, wrap

CHINA = dt.timezone(dt.timedelta(hours=8))
COUNTY, TOWN, VILLAGE = (uuid.UUID(int=i) for i in (0x1C, 0x17, 0x71))
PATH = (COUNTY, TOWN, VILLAGE)
WATER, HOUSING, ROADS = (uuid.UUID(int=i) for i in (0xD1, 0xD2, 0xD3))
CADRE_A, CADRE_B = uuid.UUID(int=0xCA), uuid.UUID(int=0xCB)
Item = tuple[Envelope, Message]


def china(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHINA).astimezone(dt.UTC)


def iso(at: dt.datetime | None) -> str:
    return at.isoformat() if at is not None else ""


class Story:
    """One aggregate's events; each call returns the next (a new version unless `same`)."""

    aggregate = "ticket"

    def __init__(self, aggregate_id: uuid.UUID | None = None) -> None:
        self.id = aggregate_id or uuid.uuid4()
        self.version = 0
        self.items: list[Item] = []

    def emit(self, payload: Message, at: dt.datetime, same: bool = False,
             actor: str = "cadre-1") -> Item:
        self.version += 0 if same else 1
        env = wrap(PendingEvent(self.aggregate, str(self.id), self.version, payload),
                   Principal(subject=actor, role="cadre"), occurred_at=at)
        item = (env, payload)
        self.items.append(item)
        return item


class TicketStory(Story):
    def submitted(self, at: dt.datetime, path: tuple[uuid.UUID, ...] = PATH,
                  category: str = "water", accept_due: dt.datetime | None = None,
                  channel: Any = pb.CHANNEL_HOTLINE) -> Item:
        return self.emit(pb.TicketSubmitted(
            ticket_id=str(self.id), org_unit_id=str(path[-1]), org_path=[str(p) for p in path],
            channel=channel, category=category, kind=pb.TICKET_KIND_DEMAND,
            ledger=pb.LEDGER_LIVELIHOOD, urgency=pb.URGENCY_ROUTINE, code=f"T-{self.id.hex[:6]}",
            accept_due=iso(accept_due or at + dt.timedelta(days=1)), submitted_at=iso(at),
            handling_unit_id=str(path[-1])), at)

    def accepted(self, at: dt.datetime, on_time: bool = True,
                 handle_due: dt.datetime | None = None) -> Item:
        return self.emit(pb.TicketAccepted(
            ticket_id=str(self.id), status=pb.TICKET_STATUS_ACCEPTED,
            handle_due=iso(handle_due or at + dt.timedelta(days=14)), on_time=on_time), at)

    def dispatched(self, at: dt.datetime, department: uuid.UUID = WATER,
                   cadre: uuid.UUID | None = CADRE_A, role: Any = pb.ASSIGNMENT_ROLE_LEAD,
                   due: dt.datetime | None = None, same: bool = False) -> uuid.UUID:
        assignment = uuid.uuid4()
        self.emit(pb.TicketDispatched(
            ticket_id=str(self.id), assignment_id=str(assignment), department_id=str(department),
            role=role, due=iso(due or at + dt.timedelta(days=14)),
            responsible_cadre_id=str(cadre) if cadre else "",
            status=pb.TICKET_STATUS_ASSIGNED), at, same)
        return assignment

    def returned(self, at: dt.datetime, assignment: uuid.UUID) -> Item:
        return self.emit(pb.TicketDispatchReturned(
            ticket_id=str(self.id), assignment_id=str(assignment),
            status=pb.TICKET_STATUS_ACCEPTED, held_working_days=1.0), at)

    def completed(self, at: dt.datetime, assignment: uuid.UUID, on_time: bool) -> Item:
        return self.emit(pb.AssignmentCompleted(
            ticket_id=str(self.id), assignment_id=str(assignment), on_time=on_time), at)

    def resolved(self, at: dt.datetime, on_time: bool = True, days: float = 2.0,
                 outcome: Any = pb.OUTCOME_SOLVED, on_the_spot: bool = False) -> Item:
        return self.emit(pb.TicketResolved(
            ticket_id=str(self.id), outcome=outcome, on_the_spot=on_the_spot,
            status=pb.TICKET_STATUS_RESOLVED, on_time=on_time, handling_working_days=days), at)

    def answered(self, at: dt.datetime) -> Item:
        return self.emit(pb.TicketAnswered(ticket_id=str(self.id), on_time=True), at)

    def rated(self, at: dt.datetime, satisfaction: Any = pb.SATISFACTION_SATISFIED,
              solved: bool = True) -> Item:
        return self.emit(pb.TicketRated(ticket_id=str(self.id), solved=solved,
                                        satisfaction=satisfaction), at)

    def reopened(self, at: dt.datetime, count: int = 1) -> Item:
        return self.emit(pb.TicketReopened(
            ticket_id=str(self.id), reopen_count=count, status=pb.TICKET_STATUS_ASSIGNED,
            handle_due=iso(at + dt.timedelta(days=14))), at, same=True)

    def closed(self, at: dt.datetime) -> Item:
        return self.emit(pb.TicketClosed(ticket_id=str(self.id),
                                         reason=pb.CLOSE_REASON_RATED), at, same=True)

    def merged(self, at: dt.datetime, master: uuid.UUID) -> Item:
        return self.emit(pb.TicketMerged(ticket_id=str(self.id), master_id=str(master)), at)

    def overdue(self, at: dt.datetime, clock: Any, due: dt.datetime, level: int = 1) -> Item:
        return self.emit(pb.TicketOverdue(
            ticket_id=str(self.id), clock=clock, due=iso(due), level=level,
            org_path=[str(p) for p in PATH]), at)

    def extended(self, at: dt.datetime, handle_due: dt.datetime) -> Item:
        return self.emit(pb.TicketExtensionDecided(
            ticket_id=str(self.id), extension_id=str(uuid.uuid4()), approved=True,
            handle_due=iso(handle_due)), at)


class WhistleStory(Story):
    aggregate = "whistle"

    def blown(self, at: dt.datetime, ticket: uuid.UUID, departments: Iterable[uuid.UUID],
              path: tuple[uuid.UUID, ...] = (COUNTY, TOWN)) -> list[uuid.UUID]:
        departments = list(departments)
        tasks = [uuid.uuid4() for _ in departments]
        self.emit(pb.WhistleBlown(
            whistle_id=str(self.id), ticket_id=str(ticket), blower_unit_id=str(path[-1]),
            blower_path=[str(p) for p in path], urgency=pb.URGENCY_URGENT,
            report_in_due=iso(at + dt.timedelta(hours=2)), task_ids=[str(t) for t in tasks],
            department_ids=[str(d) for d in departments]), at)
        return tasks

    def reported(self, at: dt.datetime, task: uuid.UUID, late: bool = False,
                 actor: str = "water-cadre") -> Item:
        return self.emit(pb.WhistleReportedIn(
            whistle_id=str(self.id), task_id=str(task), late=late,
            late_seconds=600 if late else 0), at, actor=actor)

    def completed(self, at: dt.datetime, task: uuid.UUID) -> Item:
        return self.emit(pb.WhistleTaskCompleted(whistle_id=str(self.id), task_id=str(task)), at)

    def closed(self, at: dt.datetime, ticket: uuid.UUID) -> Item:
        return self.emit(pb.WhistleClosed(whistle_id=str(self.id), ticket_id=str(ticket)), at)


def expected_cubes(contributions: Iterable[Contribution]) -> dict[str, dict[Any, dict[str, float]]]:
    """Every cube's rows as the contributions of all facts sum them (late_events aside)."""
    return deltas([], list(contributions), CUBES)


def without_late(cubes: dict[str, dict[Any, dict[str, float]]]) -> dict[str, dict[Any, dict[str, float]]]:
    out: dict[str, dict[Any, dict[str, float]]] = {}
    for cube, rows in cubes.items():
        kept = {k: {n: v for n, v in c.items() if v and n != "late_events"}
                for k, c in rows.items()}
        kept = {k: c for k, c in kept.items() if c}
        if kept:
            out[cube] = kept
    return out
