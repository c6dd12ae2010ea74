"""The invariants every fault scenario ends by checking, on the whole stack at rest.

1. Every committed event is published and consumed: the ids on each topic equal the ids in its
   service's outbox (set equality; records the suite injected itself are set aside), and each
   consumer group's applied ids equal the outbox ids of the types it reads.
2. No effect applied twice: assessment's ticket facts equal the tickets (count, and per ticket
   its version and status), the cubes' `submitted` counters sum to the number of facts, and the
   people read models hold as many units, households and cadres as people does.
3. Each aggregate's events in version order: in outbox (= publishing) order a ticket's events
   carry versions that start at 1 and never go back, and the assessment fact folded to the
   last event's version and the ticket's status.
4. No ticket without its creation event, and no ticket event without its ticket.
5. No phone or ID number in clear in any table, topic record, log line or error answer.

`settle()` first waits until the relays and consumers have caught up (a fault may have left a
backlog); the checks then compare exact sets, so a lost or doubled event names itself. Before
it, `canary()` commits one event with no effect that the tickets consumer group must apply: a
group that has stopped consuming (no member holds its partitions) fails the check even when
the scenario's load gave it nothing to read.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lianxin.assessment.consumers import INTERESTING
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.auth import Principal
from lianxin.kit.devstack.stack import DevStack
from lianxin.kit.envelope import PendingEvent, wrap
from lianxin.kit.kafka import dlq_topic
from lianxin.tickets.consumers import GROUP_ID as TICKETS_GROUP
from lianxin.tickets.consumers import HANDLERS as TICKETS_READS
from observe import Record, read_topic, sql

TOPICS = {"people": "people.v1", "tickets": "tickets.v1"}
# Runs of digits (an ID number may end in X) long enough to hold a phone, in clear or as hex.
_DIGITS = re.compile(r"[0-9X]{11,}")
_DIGIT_BYTES = re.compile(rb"[0-9X]{11,}")
_BYTEA = re.compile(r"\\x((?:[0-9a-f]{2})+)")
CREATION = {"lianxin.events.v1.TicketSubmitted"}


@dataclass
class Injected:
    """What scenarios put on topics themselves (poison, test events): not in any outbox."""
    event_ids: set[str] = field(default_factory=set)


@dataclass
class Personal:
    """The phone and ID numbers that went into the system: none may appear in clear."""
    values: set[str] = field(default_factory=set)
    answers: list[str] = field(default_factory=list)   # error answers clients received

    def found_in(self, text: str) -> set[str]:
        """The values in `text`, in clear or inside a bytea as PostgreSQL prints it (\\x…)."""
        runs = _DIGITS.findall(text)
        for blob in _BYTEA.findall(text):
            runs += [r.decode() for r in _DIGIT_BYTES.findall(bytes.fromhex(blob))]
        return self._windows(runs)

    def found_in_bytes(self, data: bytes) -> set[str]:
        """The values in raw bytes (a topic record: protobuf keeps strings as UTF-8)."""
        return self._windows([r.decode() for r in _DIGIT_BYTES.findall(data)])

    def _windows(self, runs: list[str]) -> set[str]:
        return {run[i:i + n] for run in runs for n in (11, 18)
                for i in range(len(run) - n + 1)} & self.values


def _outbox(stack: DevStack, service: str) -> list[tuple[str, str, str, bool]]:
    return [(str(r["event_id"]), r["event_type"], r["key"], r["published_at"] is not None)
            for r in sql(stack, service, "SELECT event_id, event_type, key, published_at "
                                        "FROM outbox")]


def _applied(stack: DevStack, service: str, table: str, consumer: str | None) -> dict[str, str]:
    where = "WHERE consumer = $1" if consumer else ""
    rows = sql(stack, service, f"SELECT event_id::text AS id, outcome FROM {table} {where}",
               *([consumer] if consumer else []))
    return {r["id"]: r["outcome"] for r in rows}


def _unpublished(stack: DevStack) -> int:
    return sum(int(sql(stack, s, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
                   [0]["n"]) for s in TOPICS)


def settle(stack: DevStack, timeout_s: float = 120.0) -> dict[str, list[tuple[str, str, str, bool]]]:
    """Wait until every outbox row is published and both consumers have applied every event
    they read; fail with what is still missing. The outboxes as last read (for the checks)."""
    deadline = time.monotonic() + timeout_s
    missing: dict[str, int] = {}
    while time.monotonic() < deadline:
        # A count first: the whole outboxes and claim logs are read once the relays are done.
        missing = {"unpublished": _unpublished(stack)}
        if not missing["unpublished"]:
            outboxes = {s: _outbox(stack, s) for s in TOPICS}
            everything = outboxes["people"] + outboxes["tickets"]
            seen = _applied(stack, "assessment", "proj.event", None)
            read = _applied(stack, "tickets", "processed_event", TICKETS_GROUP)
            missing = {
                "unpublished": sum(not p for *_, p in everything),
                "assessment": sum(e not in seen for e, t, *_ in everything if t in INTERESTING),
                "tickets": sum(e not in read for e, t, *_ in outboxes["people"]
                               if t in TICKETS_READS),
            }
            if not any(missing.values()):
                return outboxes
        time.sleep(0.5)
    raise AssertionError(f"the stack did not catch up within {timeout_s:.0f}s: {missing}")


OUTBOX_INSERT = ("INSERT INTO outbox (event_id, topic, key, event_type, envelope) "
                 "VALUES ($1, 'people.v1', $2, $3, $4) RETURNING id")
RENAMED = people_pb2.OrgUnitRenamed.DESCRIPTOR.full_name


def renamed_to_itself(unit: Any, who: str) -> tuple[str, bytes]:
    """A real event with no effect: an org unit (a row of people's org_unit) renamed to the
    name it has. Its id and envelope, for people's outbox (OUTBOX_INSERT)."""
    env = wrap(PendingEvent("org_unit", str(unit["id"]), unit["version"],
                            people_pb2.OrgUnitRenamed(org_unit_id=str(unit["id"]),
                                                      name=unit["name"])),
               Principal(who, "admin"))
    return env.event_id, env.SerializeToString()


def canary(stack: DevStack) -> str:
    """Commit one no-effect event to people's outbox (its relay publishes it, tickets' people
    read model must apply it); its id."""
    unit = sql(stack, "people", "SELECT id, name, version FROM org_unit ORDER BY id LIMIT 1")[0]
    event_id, body = renamed_to_itself(unit, "faults-canary")
    sql(stack, "people", OUTBOX_INSERT, event_id, str(unit["id"]), RENAMED, body)
    return event_id


def check_all(stack: DevStack, injected: Injected, personal: Personal) -> dict[str, int]:
    """Settle, then check invariants 1–5; return a few counts for the scenario's report."""
    canary(stack)
    outboxes = settle(stack)
    topics = {t: read_topic(stack, t) for t in (*TOPICS.values(), *map(dlq_topic, TOPICS.values()))}
    counts = check_events(stack, injected, topics, outboxes)
    counts.update(check_projection(stack))
    counts.update(check_personal_data(stack, personal, topics))
    return counts


def check_events(stack: DevStack, injected: Injected, topics: dict[str, list[Record]],
                 outboxes: dict[str, list[tuple[str, str, str, bool]]]) -> dict[str, int]:
    """Invariant 1 (`topics`: every record of each topic, `outboxes` each service's outbox,
    both read just before)."""
    for service, topic in TOPICS.items():
        on_topic = {r.headers["event_id"].decode() for r in topics[topic]
                    if "event_id" in r.headers} - injected.event_ids
        committed = {e for e, *_ in outboxes[service]}
        assert on_topic == committed, (
            f"{topic}: {len(committed - on_topic)} committed events never published "
            f"(e.g. {sorted(committed - on_topic)[:3]}), {len(on_topic - committed)} published "
            f"that no outbox holds (e.g. {sorted(on_topic - committed)[:3]})")
    everything = outboxes["people"] + outboxes["tickets"]
    _consumed("assessment", _applied(stack, "assessment", "proj.event", None),
              {e for e, t, *_ in everything if t in INTERESTING})
    _consumed("tickets", _applied(stack, "tickets", "processed_event", TICKETS_GROUP),
              {e for e, t, *_ in outboxes["people"] if t in TICKETS_READS})
    return {"events": len(everything)}


def _consumed(group: str, applied: dict[str, str], expected: set[str]) -> None:
    outcomes = {e: applied.get(e) for e in expected}
    lost = [e for e, o in outcomes.items() if o is None]
    dead = [e for e, o in outcomes.items() if o not in (None, "applied")]
    assert not lost, f"consumer {group} never applied {len(lost)} events, e.g. {lost[:3]}"
    assert not dead, f"consumer {group} dead-lettered {len(dead)} real events, e.g. {dead[:3]}"


def _versions_and_creation(stack: DevStack) -> dict[str, int]:
    """Check invariants 3 and 4 on the tickets outbox; each ticket's last event version."""
    rows = sql(stack, "tickets", "SELECT envelope FROM outbox WHERE event_type LIKE "
                                 "'lianxin.events.v1.Ticket%' ORDER BY id")
    versions: dict[str, list[int]] = defaultdict(list)
    created: set[str] = set()
    for row in rows:
        env = Envelope.FromString(row["envelope"])
        versions[env.aggregate_id].append(env.aggregate_version)
        if env.event_type in CREATION:
            created.add(env.aggregate_id)
    tickets = {str(r["id"]): r["version"] for r in sql(stack, "tickets",
                                                       "SELECT id, version FROM ticket")}
    assert set(tickets) == created, (
        f"tickets without a creation event: {sorted(set(tickets) - created)[:3]}; creation "
        f"events without a ticket: {sorted(created - set(tickets))[:3]}")
    orphans = sorted(set(versions) - set(tickets))
    assert not orphans, f"ticket events whose ticket does not exist: {orphans[:3]}"
    for ticket, seen in versions.items():
        # One step may raise several events of one version (siblings); in outbox order — the
        # order the relay publishes in — versions never go back, and none is skipped.
        # A step without an event (a reflection) moves the row's version, not the events'.
        assert seen == sorted(seen) and seen[0] == 1 and seen[-1] <= tickets[ticket], (
            f"ticket {ticket} is at version {tickets[ticket]}; its events, in outbox order, "
            f"carry {seen}")
    return {t: max(v) for t, v in versions.items()}


def check_projection(stack: DevStack) -> dict[str, int]:
    """Invariants 3, 4 and 2: every fact folded to its ticket's last event and status."""
    last = _versions_and_creation(stack)
    source = {str(r["id"]): (last[str(r["id"])], r["status"])
              for r in sql(stack, "tickets", "SELECT id, status FROM ticket")}
    facts = {str(r["ticket_id"]): (r["version"], r["status"])
             for r in sql(stack, "assessment", "SELECT ticket_id, version, status "
                                               "FROM proj.ticket_fact")}
    assert set(facts) == set(source), (
        f"{len(set(source) - set(facts))} tickets have no fact, "
        f"{len(set(facts) - set(source))} facts no ticket")
    wrong = {t: (source[t], facts[t]) for t in source
             if facts[t][0] != source[t][0] or facts[t][1].upper() != source[t][1].upper()}
    assert not wrong, f"{len(wrong)} facts differ from their tickets (source, fact): " \
                      f"{list(wrong.items())[:3]}"
    for cube in ("cube_unit_day", "cube_unit_month"):
        total = sql(stack, "assessment",
                    f"SELECT coalesce(sum(submitted), 0) AS n FROM proj.{cube} WHERE own")[0]["n"]
        assert total == len(facts), f"{cube} counts {total} submissions for {len(facts)} tickets"
    for table, source_table in (("org_unit", "org_unit"), ("household", "household"),
                                ("cadre", "cadre")):
        ours = sql(stack, "assessment", f"SELECT count(*) AS n FROM proj.{table}")[0]["n"]
        theirs = sql(stack, "people", f"SELECT count(*) AS n FROM {source_table}")[0]["n"]
        assert ours == theirs, f"assessment holds {ours} {table} rows, people {theirs}"
    return {"tickets": len(source)}


def check_personal_data(stack: DevStack, personal: Personal,
                        topics: dict[str, list[Record]]) -> dict[str, int]:
    """Invariant 5: tables of every database, every topic record, every log file, every
    error answer the load received."""
    found: list[str] = []
    for service in ("people", "tickets", "assessment"):
        for table in _tables(stack, service):
            for row in sql(stack, service, f"SELECT t::text AS row FROM {table} t"):
                if hits := personal.found_in(row["row"]):
                    found.append(f"table {service}.{table}: {sorted(hits)[:2]}")
                    break
    for topic, records in topics.items():
        for record in records:
            if hits := personal.found_in_bytes(record.value + b" ".join(record.headers.values())):
                found.append(f"topic {topic}@{record.partition}:{record.offset}: {sorted(hits)[:2]}")
                break
    for path in _logs(stack):
        text = path.read_text("utf-8", "replace")
        if hits := personal.found_in(text):
            found.append(f"log {path.name}: {sorted(hits)[:2]}")
    for answer in personal.answers:
        if hits := personal.found_in(answer):
            found.append(f"an error answer: {sorted(hits)[:2]} in {answer[:200]}")
    assert not found, "personal data in clear:\n" + "\n".join(found[:20])
    return {"personal_values": len(personal.values)}


def _tables(stack: DevStack, service: str) -> Iterable[str]:
    rows = sql(stack, service,
               "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS t "
               "FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
               "AND table_schema NOT IN ('pg_catalog', 'information_schema')")
    return [r["t"] for r in rows]


def _logs(stack: DevStack) -> list[Path]:
    return sorted(p for p in stack.data.root.rglob("*.log") if p.is_file())
