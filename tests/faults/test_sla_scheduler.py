"""Scenario 10 (issue 9): the SLA scheduler crashes and runs twice at once — still exactly one
overdue alarm (`TicketOverdue`) and one supervision notice (督办, `SupervisionOpened`, a
history line) per ticket, clock, level and deadline, one escalation per accept deadline overdue
to level 2, each stale notice closed once, and each alarm once in the assessment projection.

Set-up, with no scheduler running (the stack's tickets.work is stopped): the service clock is
moved (setServiceClock) to fixed days of March 2026 and three groups of tickets are submitted at
demo villages through the gateway — A and C left received (C 17 days later), B accepted. Three
schedulers then run side by side — the stack's tickets.work and two more `lianxin-tickets work`,
all sweeping every 0.3 s — and once all three are at work the clock jumps, four times:

    T1  Mon 23 Mar  A: accept 1, 2 → township;  B: handle 1, 2;  C: accept 1
    T2  Tue 31 Mar  A: accept 1, 2 on its township deadline → county;  C: accept 2 → township
    T3  Thu  2 Apr  A and C: accept 1 on the deadline they got at T2
    T4  Thu  9 Apr  A: accept 2 (at the top: no escalation);  C: accept 2 → county
                    (level 2 counts 3 working days across the Qingming holiday, 4–6 Apr)

(n, m: alarm levels; → where the ticket is escalated.) After each jump the three sweep the same
tickets at once while one at a time is SIGKILLed every few hundred ms — caught inside a
database transaction when possible (worker_chaos.py) — and started again; the survivors finish.
Every deadline is the end of a working day, days away from the jumps, so what each jump must
raise is known exactly.

Then the tickets are closed (on the spot, answered, a satisfied return visit) so that the real
time given back to the stack raises nothing more for them, the extra schedulers stop, the
stack's tickets.work restarts with its own settings, and the suite's invariants are checked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
from lianxin.events.v1 import envelope_pb2, tickets_pb2
from lianxin.kit.devstack.demo.county import DemoCounty, Unit, unit_id
from lianxin.kit.devstack.processes import tail
from lianxin.kit.devstack.stack import DevStack
from observe import connect
from worker_chaos import Chaos, workers

from conftest import FULL, Gql, scaled

CST = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CST)


def end_of(month: int, day: int) -> dt.datetime:
    """A deadline: the end of that day in China."""
    return at(month, day, 0) + dt.timedelta(days=1)


SUBMIT_AB, SUBMIT_C = at(3, 2, 9), at(3, 19, 9)
JUMPS = (at(3, 23, 10), at(3, 31, 10), at(4, 2, 10), at(4, 9, 10))
MAR3, MAR16, MAR20, MAR24, APR1, APR10 = (
    end_of(3, 3),
    end_of(3, 16),
    end_of(3, 20),
    end_of(3, 24),
    end_of(4, 1),
    end_of(4, 10),
)
# Per group: the alarms (clock, level, deadline) and the jump that raises them; the jumps that
# escalate the ticket; the deadline running after each jump.
ALARMS = {
    "A": [
        ("accept", 1, MAR3, 1),
        ("accept", 2, MAR3, 1),
        ("accept", 1, MAR24, 2),
        ("accept", 2, MAR24, 2),
        ("accept", 1, APR1, 3),
        ("accept", 2, APR1, 4),
    ],
    "B": [("handle", 1, MAR16, 1), ("handle", 2, MAR16, 1)],
    "C": [("accept", 1, MAR20, 1), ("accept", 2, MAR20, 2), ("accept", 1, APR1, 3), ("accept", 2, APR1, 4)],
}
ESCALATED = {"A": (1, 2), "B": (), "C": (2, 4)}
RUNNING = {"A": (MAR24, APR1, APR1, APR1), "B": (MAR16,) * 4, "C": (MAR20, APR1, APR1, APR10)}

PER_GROUP = int(scaled(12, 60))
CHAOS_S = scaled(15.0, 60.0)  # at most, per jump; it stops when the jump's work is done
SETTLE_S = scaled(90.0, 180.0)
SCHEDULERS = 3
SWEEP_ENV = {"LIANXIN_SLA_SWEEP_SECONDS": "0.3"}
# What a scheduler's connection was doing when it was killed, told by its last statement.
KINDS = {
    "relay": ("FROM outbox", "UPDATE outbox"),
    "sweep": ("ticket", "sla_", "supervision_notice", "calendar", "dev_clock", "INSERT INTO outbox"),
}
EV = "lianxin.events.v1."
Key = tuple[uuid.UUID, str, int, dt.datetime]  # ticket, clock, level, deadline


@dataclass
class Batch:
    """The scenario's tickets by group, with the village each was submitted at."""

    village: dict[uuid.UUID, Unit] = field(default_factory=dict)
    groups: dict[str, list[uuid.UUID]] = field(default_factory=dict)

    def ids(self) -> list[uuid.UUID]:
        return [t for ids in self.groups.values() for t in ids]

    def alarms(self, jump: int) -> set[Key]:
        """Every alarm raised once the jump's work is done."""
        return {
            (t, clock, level, due)
            for g, ids in self.groups.items()
            for t in ids
            for clock, level, due, first in ALARMS[g]
            if first <= jump
        }

    def standing(self, jump: int) -> set[Key]:
        """The alarms whose notices stay open: those on the deadline still running."""
        group = {t: g for g, ids in self.groups.items() for t in ids}
        return {k for k in self.alarms(jump) if k[3] == RUNNING[group[k[0]]][jump - 1]}

    def units(self, jump: int) -> dict[uuid.UUID, str]:
        """Where each ticket is handled: its village, a level up per escalation so far."""
        out = {}
        for g, ids in self.groups.items():
            up = sum(j <= jump for j in ESCALATED[g])
            for t in ids:
                path = self.village[t].path
                out[t] = unit_id(path[: len(path) - up])
        return out


# --- the gateway --------------------------------------------------------------------------
def set_clock(gql: Gql, when: dt.datetime) -> None:
    result = gql("mutation($at: DateTime!) { setServiceClock(at: $at) { now } }", at=when.isoformat())
    assert "errors" not in result, result


def batched(
    gql: Gql, mutation: str, input_type: str, inputs: list[dict[str, Any]], answer: str
) -> list[dict[str, Any]]:
    """Aliased mutations, 25 to a request; every answer must be a ticket."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(inputs), 25):
        chunk = inputs[start : start + 25]
        args = ", ".join(f"$i{n}: {input_type}!" for n in range(len(chunk)))
        fields = " ".join(
            f"m{n}: {mutation}(input: $i{n}) {{ __typename {answer} ... on UserError {{ code message }} }}"
            for n in range(len(chunk))
        )
        result = gql(f"mutation({args}) {{ {fields} }}", **{f"i{n}": v for n, v in enumerate(chunk)})
        assert "errors" not in result, result
        answers = [result["data"][f"m{n}"] for n in range(len(chunk))]
        assert all(a["__typename"] == "Ticket" for a in answers), answers
        out += answers
    return out


def submit(gql: Gql, batch: Batch, group: str, villages: Iterator[Unit]) -> set[dt.datetime]:
    """PER_GROUP tickets at the next villages; their accept deadlines."""
    inputs = []
    for n in range(PER_GROUP):
        ticket, village = uuid.uuid4(), next(villages)
        batch.village[ticket] = village
        batch.groups.setdefault(group, []).append(ticket)
        inputs.append(
            {
                "id": str(ticket),
                "orgUnitId": village.id,
                "channel": "HOTLINE",
                "category": "water.supply",
                "text": f"故障场景十：{village.name}{group}组第{n}户门前供水管道漏水，请派人查看",
            }
        )
    answers = batched(gql, "submitTicket", "SubmitTicketInput", inputs, "... on Ticket { acceptDue { at } }")
    return {dt.datetime.fromisoformat(a["acceptDue"]["at"]) for a in answers}


def accept(gql: Gql, tickets: list[uuid.UUID]) -> set[dt.datetime]:
    """Accept the tickets; their handle deadlines."""
    answers = batched(
        gql,
        "acceptTicket",
        "AcceptTicketInput",
        [{"ticketId": str(t)} for t in tickets],
        "... on Ticket { handleDue { at } }",
    )
    return {dt.datetime.fromisoformat(a["handleDue"]["at"]) for a in answers}


def close_out(gql: Gql, tickets: list[uuid.UUID]) -> set[str]:
    """Resolve on the spot, answer and record a satisfied return visit (回访): closed, no clock
    of these tickets runs any more, so the real time given back to the stack raises nothing."""
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("resolveOnTheSpot", "ResolveOnTheSpotInput", {"report": "现场抢修，管道已修复"}),
        ("answerTicket", "AnswerTicketInput", {"reply": "管道已修复，感谢反映", "channel": "HOTLINE"}),
        (
            "recordReturnVisit",
            "RecordReturnVisitInput",
            {"solved": True, "satisfaction": "SATISFIED", "channel": "HOTLINE", "note": "回访满意"},
        ),
    ]
    answers: list[dict[str, Any]] = []
    for mutation, input_type, extra in steps:
        answers = batched(
            gql,
            mutation,
            input_type,
            [{"ticketId": str(t), **extra} for t in tickets],
            "... on Ticket { status }",
        )
    return {a["status"] for a in answers}


# --- what the databases hold --------------------------------------------------------------
@dataclass
class Seen:
    """The scenario's tickets as the tickets and assessment databases have them."""

    alerts: Counter[Key]  # sla_alert: the claims
    notices: list[asyncpg.Record]  # supervision_notice
    units: dict[uuid.UUID, str]  # where each ticket is handled
    overdue: Counter[Key]  # TicketOverdue events in the outbox
    opened: Counter[str]  # SupervisionOpened events by notice id
    closed: Counter[str]  # SupervisionClosed events by notice id
    escalated: Counter[uuid.UUID]  # TicketEscalated by policy
    due_soon: int  # TicketDueSoon events (none expected)
    unpublished: int  # outbox rows the relay has yet to publish
    history: Counter[tuple[uuid.UUID, str]]  # the system's history lines by action
    projected: Counter[Key]  # assessment's alarm projection

    def open_notices(self) -> set[Key]:
        return {
            (n["ticket_id"], n["clock"], n["level"], n["due"]) for n in self.notices if n["status"] == "open"
        }


def _clock(value: int) -> str:
    return tickets_pb2.Clock.Name(value).removeprefix("CLOCK_").lower()


async def seen(
    tickets_db: asyncpg.Connection, assessment_db: asyncpg.Connection, ids: list[uuid.UUID]
) -> Seen:
    key = ("ticket_id", "clock", "level", "due")
    alerts = await tickets_db.fetch("SELECT * FROM sla_alert WHERE ticket_id = ANY($1::uuid[])", ids)
    notices = await tickets_db.fetch(
        "SELECT * FROM supervision_notice WHERE ticket_id = ANY($1::uuid[])", ids
    )
    units = await tickets_db.fetch("SELECT id, handling_unit_id FROM ticket WHERE id = ANY($1::uuid[])", ids)
    lines = await tickets_db.fetch(
        "SELECT ticket_id, action FROM ticket_history "
        "WHERE ticket_id = ANY($1::uuid[]) AND actor_role = 'system'",
        ids,
    )
    rows = await tickets_db.fetch(
        "SELECT event_type, envelope, published_at FROM outbox WHERE key = ANY($1::text[]) ORDER BY id",
        [str(t) for t in ids],
    )
    alarms = await assessment_db.fetch("SELECT * FROM proj.alarm WHERE ticket_id = ANY($1::uuid[])", ids)
    out = Seen(
        Counter(tuple(r[k] for k in key) for r in alerts),
        list(notices),
        {r["id"]: str(r["handling_unit_id"]) for r in units},
        Counter(),
        Counter(),
        Counter(),
        Counter(),
        0,
        sum(r["published_at"] is None for r in rows),
        Counter((r["ticket_id"], r["action"]) for r in lines),
        Counter((r["ticket_id"], r["clock"].lower(), r["level"], r["due"]) for r in alarms),
    )
    for r in rows:
        env = envelope_pb2.Envelope.FromString(r["envelope"])
        kind, ticket = r["event_type"].removeprefix(EV), uuid.UUID(env.aggregate_id)
        if kind == "TicketOverdue":
            m = tickets_pb2.TicketOverdue()
            env.payload.Unpack(m)
            out.overdue[(ticket, _clock(m.clock), m.level, dt.datetime.fromisoformat(m.due))] += 1
        elif kind in ("SupervisionOpened", "SupervisionClosed"):
            n = getattr(tickets_pb2, kind)()
            env.payload.Unpack(n)
            (out.opened if kind == "SupervisionOpened" else out.closed)[n.notice_id] += 1
        elif kind == "TicketEscalated":
            e = tickets_pb2.TicketEscalated()
            env.payload.Unpack(e)
            out.escalated[ticket] += e.by_policy
        elif kind == "TicketDueSoon":
            out.due_soon += 1
    return out


def unfinished(s: Seen, batch: Batch, jump: int) -> str:
    """What the jump still lacks ('' when its work is done and projected)."""
    keys, units = batch.alarms(jump), batch.units(jump)
    missing = {
        "alarms": len(keys - set(s.alerts)),
        "escalations": sum(s.units.get(t) != u for t, u in units.items()),
        "stale notices open": len(s.open_notices() - batch.standing(jump)),
        "events unpublished": s.unpublished,
        "alarms not projected": len(keys - set(s.projected)),
    }
    return ", ".join(f"{n} {what}" for what, n in missing.items() if n)


def check_exactly_once(s: Seen, batch: Batch) -> None:
    jump = len(JUMPS)
    keys = Counter(batch.alarms(jump))
    assert s.alerts == keys
    assert s.units == batch.units(jump)
    assert s.overdue == keys, "TicketOverdue missing or doubled"
    assert s.due_soon == 0
    assert Counter((n["ticket_id"], n["clock"], n["level"], n["due"]) for n in s.notices) == keys, (
        "supervision notices (督办) missing or doubled"
    )
    assert s.opened == Counter(str(n["id"]) for n in s.notices)
    assert s.closed == Counter(str(n["id"]) for n in s.notices if n["status"] == "closed")
    assert s.open_notices() == batch.standing(jump)
    escalations = {t: len(ESCALATED[g]) for g, ids in batch.groups.items() for t in ids if ESCALATED[g]}
    assert s.escalated == Counter(escalations), "escalations by policy missing or doubled"
    for t in batch.ids():
        mine = [k for k in keys if k[0] == t]
        assert s.history[(t, "overdue")] == sum(k[2] == 1 for k in mine), t
        assert s.history[(t, "supervise")] == sum(k[2] == 2 for k in mine), t
        assert s.history[(t, "escalate")] == escalations.get(t, 0), t
    assert s.projected == keys, "the assessment projection misses an alarm or counts one twice"


# Run alone (or first), the scenario also waits for the session's stack to start: minutes on a
# busy machine.
@pytest.mark.timeout(900)
async def test_crashed_and_doubled_schedulers_raise_each_alarm_once(
    fault_stack: DevStack, gql: Gql, county: DemoCounty, invariants: Any
) -> None:
    started = time.monotonic()
    batch = Batch()
    villages = itertools.cycle([v for v in county.tree.villages if len(v.path) == 3])
    tickets_db = await connect(fault_stack, "tickets")
    assessment_db = await connect(fault_stack, "assessment")
    schedulers = workers(fault_stack, "tickets", SCHEDULERS, SWEEP_ENV)
    chaos = Chaos(schedulers, "tickets-work", KINDS, fault_stack.postgres.port, random.Random(10))
    fault_stack.processes["tickets.work"].stop()
    fault_stack.processes["tickets.work"] = schedulers[0]
    try:
        # --- the tickets, with no scheduler running -----------------------------------------
        await asyncio.to_thread(set_clock, gql, SUBMIT_C)
        assert await asyncio.to_thread(submit, gql, batch, "C", villages) == {MAR20}
        await asyncio.to_thread(set_clock, gql, SUBMIT_AB)
        assert await asyncio.to_thread(submit, gql, batch, "A", villages) == {MAR3}
        assert await asyncio.to_thread(submit, gql, batch, "B", villages) == {MAR3}
        assert await asyncio.to_thread(accept, gql, batch.groups["B"]) == {MAR16}
        setup_s = time.monotonic() - started

        # --- each jump with three schedulers at work, one killed every few hundred ms --------
        ids = batch.ids()
        for jump, when in enumerate(JUMPS, start=1):
            await chaos.warm()
            await asyncio.to_thread(set_clock, gql, when)

            async def done(jump: int = jump) -> bool:
                return not unfinished(await seen(tickets_db, assessment_db, ids), batch, jump)

            await chaos.run(tickets_db, CHAOS_S, done)
            deadline = time.monotonic() + SETTLE_S
            while lacking := unfinished(await seen(tickets_db, assessment_db, ids), batch, jump):
                if time.monotonic() > deadline:
                    logs = "\n".join(f"--- {p.name}\n{tail(p.log_file, 15)}" for p in schedulers)
                    pytest.fail(f"jump {jump} not done after {SETTLE_S:.0f}s: {lacking}\n{logs}")
                await asyncio.sleep(0.5)
            print(f"jump {jump} done at {time.monotonic() - started:.1f}s, kills {dict(chaos.kills)}")

        check_exactly_once(await seen(tickets_db, assessment_db, ids), batch)
        # The faults were injected: enough kills, some inside a sweep's transaction.
        assert chaos.kills.total() >= (12 if FULL else 4) and chaos.kills["sweep"], chaos.kills
        # Closed, their notices closed and published, before real time comes back.
        assert await asyncio.to_thread(close_out, gql, ids) == {"CLOSED"}
        deadline = time.monotonic() + SETTLE_S
        while (s := await seen(tickets_db, assessment_db, ids)).open_notices() or s.unpublished:
            assert time.monotonic() < deadline, "notices of closed tickets left open"
            await asyncio.sleep(0.5)
        print(
            f"\nSLA scheduler: {len(ids)} tickets, {len(batch.alarms(len(JUMPS)))} alarms, kills "
            f"{dict(chaos.kills)}; set-up {setup_s:.1f}s, total {time.monotonic() - started:.1f}s"
        )
    finally:
        await tickets_db.close()
        await assessment_db.close()
        # SIGKILL, not SIGTERM: a member leaving its group cleanly while tansu 0.6.0 is in the
        # middle of a rebalance can wedge the group for ever (docs/reliability.md, "broker");
        # a crash never does, and crashes are what this scenario is about.
        for proc in schedulers:
            proc.kill()
        # The stack as it was: real time, and tickets.work with its own settings.
        await asyncio.to_thread(set_clock, gql, dt.datetime.now(dt.UTC))
        await asyncio.to_thread(fault_stack.restart, "tickets.work")
    print(await asyncio.to_thread(invariants))  # sync: it runs its own event loops
