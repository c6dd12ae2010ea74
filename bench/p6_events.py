"""A synthetic county's event stream for the P6 replay benchmark (p6_replay.py).

people.v1: the org tree (county, townships, villages, departments), cadres, households (and a
few residents, which the projection claims but keeps nothing of), pairings, visits; tickets.v1:
tickets each with a lifecycle as the tickets service emits it — submitted, accepted,
dispatched to a department with a responsible cadre, started, assignment completed, resolved
(or answered), rated, closed; some escalated, returned and re-dispatched, overdue (an alarm),
reopened, merged into another; and a few whistles (吹哨报到). Ticket events are produced in
the order they happened across tickets (interleaved, as live traffic is), each keyed by its
aggregate id. Deterministic for a seed.

`expected` holds what the projection must end with (rows per table, sums at the county row),
so the benchmark checks the replay's result against the stream rather than against itself.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2 as ppb
from lianxin.events.v1 import tickets_pb2 as pb
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.auth import SYSTEM, Principal
from lianxin.kit.envelope import PendingEvent, wrap

CHINA = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 1, 5, 9, tzinfo=CHINA).astimezone(dt.UTC)
CATEGORIES = ["water", "roads", "housing", "sanitation", "power", "social_security",
              "education", "health", "land", "environment", "traffic", "disputes"]
PEOPLE_SHARE = 0.12     # of all events: a county's people data next to a year of tickets
EVENTS_PER_TICKET = 7.25 # the mix below averages about this many events per ticket


_IDS = random.Random(0)


def new_id() -> uuid.UUID:
    """A random (version 4) id from a seeded generator; event ids stay UUIDv7 as in production."""
    return uuid.UUID(int=_IDS.getrandbits(128), version=4)


def iso(at: dt.datetime | None) -> str:
    return at.isoformat() if at is not None else ""


def s(ids: Any) -> list[str]:
    return [str(i) for i in ids]


@dataclass
class Stream:
    """Records per topic as (key, value) bytes, in produce order, plus the expected result."""

    people: list[tuple[bytes, bytes]] = field(default_factory=list)
    tickets: list[tuple[bytes, bytes]] = field(default_factory=list)
    expected: dict[str, float] = field(default_factory=dict)

    @property
    def events(self) -> int:
        return len(self.people) + len(self.tickets)


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[tuple[bytes, bytes]] = []
        self.at = START - dt.timedelta(days=60)

    def emit(self, aggregate: str, agg_id: uuid.UUID, msg: Message, version: int = 1) -> None:
        self.at += dt.timedelta(seconds=7)
        env = wrap(PendingEvent(aggregate, str(agg_id), version, msg), SYSTEM, occurred_at=self.at)
        self.records.append((str(agg_id).encode(), env.SerializeToString()))


@dataclass
class County:
    county: uuid.UUID
    towns: list[uuid.UUID]
    villages: list[tuple[uuid.UUID, ...]]      # paths county → town → village
    departments: list[uuid.UUID]
    cadres_by_department: dict[uuid.UUID, list[uuid.UUID]]


def _people(rng: random.Random, budget: int, stream: Stream) -> County:
    p = _People(rng)
    k = ppb.OrgUnitKind
    county = new_id()
    p.emit("org_unit", county, ppb.OrgUnitCreated(org_unit_id=str(county), name="澜沧县",
                                                   kind=k.ORG_UNIT_KIND_COUNTY, path=[str(county)]))
    n_towns = max(3, min(20, budget // 10_000 + 3))
    towns: list[uuid.UUID] = []
    villages: list[tuple[uuid.UUID, ...]] = []
    departments: list[uuid.UUID] = []
    for t in range(n_towns):
        town = new_id()
        towns.append(town)
        p.emit("org_unit", town, ppb.OrgUnitCreated(
            org_unit_id=str(town), parent_id=str(county), name=f"镇{t}",
            kind=k.ORG_UNIT_KIND_TOWNSHIP, path=s([county, town])))
        for v in range(rng.randint(8, 14)):
            village = new_id()
            villages.append((county, town, village))
            p.emit("org_unit", village, ppb.OrgUnitCreated(
                org_unit_id=str(village), parent_id=str(town), name=f"村{t}-{v}",
                kind=k.ORG_UNIT_KIND_VILLAGE, path=s([county, town, village])))
    for d in range(30):
        dep = new_id()
        departments.append(dep)
        p.emit("org_unit", dep, ppb.OrgUnitCreated(
            org_unit_id=str(dep), parent_id=str(county), name=f"局{d}",
            kind=k.ORG_UNIT_KIND_DEPARTMENT, path=s([county, dep])))
    units = 1 + len(towns) + len(villages) + len(departments)
    left = max(0, budget - units)
    n_cadres = max(60, left // 12)
    n_households = max(100, left * 5 // 12)
    n_residents = left // 12
    n_pairings = left * 2 // 12
    r = ppb.CadreRank
    cadres_by_department: dict[uuid.UUID, list[uuid.UUID]] = {d: [] for d in departments}
    cadres = []
    for c in range(n_cadres):
        cadre = new_id()
        cadres.append(cadre)
        if c % 3 == 0:
            dep = departments[c % len(departments)]
            cadres_by_department[dep].append(cadre)
            where: tuple[uuid.UUID, ...] = (county, dep)
            unit = dep
        else:
            where = rng.choice(villages)
            unit = where[-1]
        p.emit("cadre", cadre, ppb.CadreRegistered(
            cadre_id=str(cadre), work_unit_id=str(unit), org_path=s(where),
            rank=rng.choice([r.CADRE_RANK_STAFF, r.CADRE_RANK_SECTION, r.CADRE_RANK_DIVISION]),
            party_member=rng.random() < 0.7, subject=f"cadre-{c}"))
    households = []
    for h in range(n_households):
        hid = new_id()
        path = rng.choice(villages)
        households.append((hid, path))
        p.emit("household", hid, ppb.HouseholdRegistered(
            household_id=str(hid), org_unit_id=str(path[-1]), org_path=s(path),
            address_masked="某村****", household_no=f"H-{h}"))
    for _ in range(n_residents):
        rid = new_id()
        hid, path = rng.choice(households)
        p.emit("resident", rid, ppb.ResidentRegistered(
            resident_id=str(rid), household_id=str(hid), org_unit_id=str(path[-1]),
            org_path=s(path), phone_masked="138****0000"))
    campaign = new_id()
    p.emit("campaign", campaign, ppb.CampaignCreated(
        campaign_id=str(campaign), name="万名干部进基层", org_unit_id=str(county),
        org_path=[str(county)], starts_on="2026-03-01", ends_on="2026-12-31",
        quota_by_rank={"SECTION": 2}, coverage_target=0.8))
    for i in range(n_pairings):
        pid = new_id()
        hid, path = households[i % len(households)]
        p.emit("pairing", pid, ppb.PairingCreated(
            pairing_id=str(pid), cadre_id=str(rng.choice(cadres)), household_id=str(hid),
            campaign_id=str(campaign), org_path=s(path), started_on="2026-02-01",
            card_no=f"LX-{i}"))
    n_visits = max(0, budget - len(p.records))
    for i in range(n_visits):
        vid = new_id()
        hid, path = rng.choice(households)
        p.emit("visit", vid, ppb.VisitLogged(
            visit_id=str(vid), kind=ppb.VisitKind.VISIT_KIND_HOME_VISIT,
            cadre_id=str(rng.choice(cadres)), household_ids=[str(hid)],
            org_unit_id=str(path[-1]), org_path=s(path),
            visited_on=(START + dt.timedelta(days=i % 300)).date().isoformat()))
    stream.people = p.records
    stream.expected.update(org_unit=units, cadre=n_cadres, household=n_households,
                           pairing=n_pairings, visit=n_visits, campaign=1)
    return County(county, towns, villages, departments, cadres_by_department)


class _Ticket:
    """One ticket's events (Envelope, at), versions counting up as the tickets service's."""

    def __init__(self, out: list[tuple[dt.datetime, bytes, Envelope]], aggregate: str = "ticket"
                 ) -> None:
        self.id = new_id()
        self.key = str(self.id).encode()
        self.version = 0
        self.out = out
        self.aggregate = aggregate

    def emit(self, msg: Message, at: dt.datetime, same: bool = False) -> None:
        self.version += 0 if same else 1
        env = wrap(PendingEvent(self.aggregate, str(self.id), self.version, msg),
                   Principal(subject="cadre-1", role="cadre"), occurred_at=at)
        self.out.append((at, self.key, env))


def _tickets(rng: random.Random, county: County, n: int, stream: Stream) -> None:
    out: list[tuple[dt.datetime, bytes, Envelope]] = []
    exp = {"tickets": 0, "resolved": 0, "rated": 0, "alarms": 0, "merged": 0, "reopened": 0,
           "assignments": 0, "whistle_tasks": 0}
    staffed = [d for d, cs in county.cadres_by_department.items() if cs]
    masters: list[uuid.UUID] = []
    span_s = 330 * 86400
    for i in range(n):
        t = _Ticket(out)
        tid = str(t.id)
        path = rng.choice(county.villages)
        at = START + dt.timedelta(seconds=rng.randrange(span_s))
        exp["tickets"] += 1
        t.emit(pb.TicketSubmitted(
            ticket_id=tid, org_unit_id=str(path[-1]), org_path=s(path),
            channel=rng.choice([pb.CHANNEL_HOTLINE, pb.CHANNEL_HOTLINE, pb.CHANNEL_WECHAT,
                                pb.CHANNEL_HOME_VISIT]),
            category=rng.choice(CATEGORIES), kind=rng.choice(
                [pb.TICKET_KIND_DEMAND, pb.TICKET_KIND_DEMAND, pb.TICKET_KIND_COMPLAINT]),
            ledger=pb.LEDGER_LIVELIHOOD, urgency=pb.URGENCY_ROUTINE, code=f"T-{i:07d}",
            accept_due=iso(at + dt.timedelta(days=1)), submitted_at=iso(at),
            handling_unit_id=str(path[-1])), at)
        if masters and rng.random() < 0.03:   # a duplicate merged into an earlier ticket
            t.emit(pb.TicketMerged(ticket_id=tid, master_id=str(rng.choice(masters))),
                   at + dt.timedelta(hours=1))
            exp["merged"] += 1
            continue
        masters.append(t.id)
        if len(masters) > 500:
            masters.pop(0)
        late_accept = rng.random() < 0.06
        if late_accept:
            t.emit(pb.TicketOverdue(ticket_id=tid, clock=pb.CLOCK_ACCEPT,
                                    due=iso(at + dt.timedelta(days=1)), level=1,
                                    org_path=s(path)), at + dt.timedelta(days=1, minutes=1))
            exp["alarms"] += 1
        at += dt.timedelta(hours=rng.uniform(0.5, 20) + (26 if late_accept else 0))
        if rng.random() < 0.05:   # escalated to the township first
            t.emit(pb.TicketEscalated(
                ticket_id=tid, from_unit_id=str(path[-1]), to_unit_id=str(path[1]),
                to_path=s(path[:2]), status=pb.TICKET_STATUS_RECEIVED,
                accept_due=iso(at + dt.timedelta(days=1))), at)
            at += dt.timedelta(hours=rng.uniform(1, 6))
        handle_due = at + dt.timedelta(days=14)
        t.emit(pb.TicketAccepted(ticket_id=tid, status=pb.TICKET_STATUS_ACCEPTED,
                                 handle_due=iso(handle_due), on_time=not late_accept), at)
        if rng.random() < 0.12:   # answered on the spot, no dispatch
            at += dt.timedelta(hours=rng.uniform(0.1, 3))
            t.emit(pb.TicketResolved(ticket_id=tid, outcome=pb.OUTCOME_SOLVED, on_the_spot=True,
                                     status=pb.TICKET_STATUS_RESOLVED, on_time=True,
                                     handling_working_days=0.1), at)
            t.emit(pb.TicketAnswered(ticket_id=tid, on_time=True), at, same=True)
            exp["resolved"] += 1
            _rate(rng, t, at, exp)
            continue

        def dispatch(dep: Any, at: dt.datetime, tid: str = tid, t: Any = t,
                     handle_due: dt.datetime = handle_due) -> uuid.UUID:
            """`dep` dispatched as the lead with a responsible cadre; the assignment's id."""
            assignment = new_id()
            t.emit(pb.TicketDispatched(
                ticket_id=tid, assignment_id=str(assignment), department_id=str(dep),
                role=pb.ASSIGNMENT_ROLE_LEAD, due=iso(handle_due),
                responsible_cadre_id=str(rng.choice(county.cadres_by_department[dep])),
                status=pb.TICKET_STATUS_ASSIGNED), at)
            exp["assignments"] += 1
            return assignment

        dep = rng.choice(staffed)   # drawn in this order, so a seed gives the same stream
        at += dt.timedelta(hours=rng.uniform(0.5, 8))
        assignment = dispatch(dep, at)
        if rng.random() < 0.06:   # returned, dispatched again elsewhere
            at += dt.timedelta(hours=rng.uniform(2, 30))
            t.emit(pb.TicketDispatchReturned(ticket_id=tid, assignment_id=str(assignment),
                                             department_id=str(dep),
                                             status=pb.TICKET_STATUS_ACCEPTED,
                                             held_working_days=1.0), at)
            dep = rng.choice(staffed)
            at += dt.timedelta(hours=rng.uniform(0.5, 4))
            assignment = dispatch(dep, at)
        if rng.random() < 0.01 and i % 2 == 0:   # a whistle summons two departments
            _whistle(rng, out, t.id, path, staffed, at, exp)
        at += dt.timedelta(hours=rng.uniform(1, 24))
        t.emit(pb.TicketStarted(ticket_id=tid, assignment_id=str(assignment),
                                status=pb.TICKET_STATUS_IN_PROGRESS), at)
        if rng.random() < 0.1 and i % 3 != 0:   # still open at the end of the stream
            continue
        late = rng.random() < 0.08
        days = rng.uniform(15, 30) if late else rng.uniform(0.3, 12)
        if late:
            t.emit(pb.TicketOverdue(ticket_id=tid, clock=pb.CLOCK_HANDLE, due=iso(handle_due),
                                    level=1, org_path=s(path)), handle_due + dt.timedelta(minutes=1))
            exp["alarms"] += 1
        at += dt.timedelta(days=days)
        t.emit(pb.AssignmentCompleted(ticket_id=tid, assignment_id=str(assignment),
                                      department_id=str(dep), on_time=not late), at)
        t.emit(pb.TicketResolved(ticket_id=tid, outcome=pb.OUTCOME_SOLVED, on_the_spot=False,
                                 status=pb.TICKET_STATUS_RESOLVED, on_time=not late,
                                 handling_working_days=round(days, 2)), at, same=True)
        exp["resolved"] += 1
        rated = _rate(rng, t, at, exp)
        if rated is not None and rng.random() < 0.03:
            at = rated + dt.timedelta(hours=2)
            t.emit(pb.TicketReopened(ticket_id=tid, reopen_count=1,
                                     status=pb.TICKET_STATUS_ASSIGNED,
                                     handle_due=iso(at + dt.timedelta(days=14))), at, same=True)
            exp["reopened"] += 1
    out.sort(key=lambda r: r[0])   # as they happened, tickets interleaved
    stream.tickets = [(key, env.SerializeToString()) for _, key, env in out]
    stream.expected.update(exp)


def _rate(rng: random.Random, t: _Ticket, at: dt.datetime, exp: dict[str, int]
          ) -> dt.datetime | None:
    if rng.random() < 0.2:
        return None
    at += dt.timedelta(hours=rng.uniform(2, 72))
    s_ = rng.choice([pb.SATISFACTION_SATISFIED] * 6 + [pb.SATISFACTION_BASICALLY_SATISFIED] * 2
                    + [pb.SATISFACTION_DISSATISFIED])
    t.emit(pb.TicketRated(ticket_id=str(t.id), solved=s_ != pb.SATISFACTION_DISSATISFIED,
                          satisfaction=s_), at)
    t.emit(pb.TicketClosed(ticket_id=str(t.id), reason=pb.CLOSE_REASON_RATED), at, same=True)
    exp["rated"] += 1
    return at


def _whistle(rng: random.Random, out: list[tuple[dt.datetime, bytes, Envelope]],
             ticket: uuid.UUID, path: tuple[uuid.UUID, ...], staffed: list[uuid.UUID],
             at: dt.datetime, exp: dict[str, int]) -> None:
    w = _Ticket(out, "whistle")
    deps = rng.sample(staffed, 2)
    tasks = [new_id() for _ in deps]
    w.emit(pb.WhistleBlown(whistle_id=str(w.id), ticket_id=str(ticket),
                           blower_unit_id=str(path[1]), blower_path=s(path[:2]),
                           urgency=pb.URGENCY_URGENT,
                           report_in_due=iso(at + dt.timedelta(hours=2)), task_ids=s(tasks),
                           department_ids=s(deps)), at)
    for task in tasks:
        at += dt.timedelta(minutes=rng.uniform(10, 200))
        late = rng.random() < 0.2
        w.emit(pb.WhistleReportedIn(whistle_id=str(w.id), task_id=str(task), late=late,
                                    late_seconds=600 if late else 0), at)
    for task in tasks:
        at += dt.timedelta(hours=rng.uniform(2, 48))
        w.emit(pb.WhistleTaskCompleted(whistle_id=str(w.id), task_id=str(task)), at)
    w.emit(pb.WhistleClosed(whistle_id=str(w.id), ticket_id=str(ticket)), at)
    exp["whistle_tasks"] += len(tasks)


def county_stream(events: int, seed: int = 8) -> Stream:
    """About `events` events: PEOPLE_SHARE of them people.v1, the rest tickets.v1."""
    rng = random.Random(seed)
    _IDS.seed(seed + 1)
    stream = Stream()
    county = _people(rng, int(events * PEOPLE_SHARE), stream)
    _tickets(rng, county, int(events * (1 - PEOPLE_SHARE) / EVENTS_PER_TICKET), stream)
    return stream
