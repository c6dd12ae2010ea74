"""The demo's demands (民情诉求): sixty tickets over the villages and communities, recorded by
cadres from every channel — some on the demo's home visits, courtyard meetings and reception
days, most with the resident's name and phone — and taken through the workflow so that a cadre
sees every state: received, accepted, escalated to the township, handled at the village,
dispatched to departments (some with a co-handler), in progress (one paused), resolved,
answered, explained, closed after a return visit (one reopened first), solved on the spot, a
duplicate merged and a whistle blown.

`PLAN` is the whole of it, one line per ticket: its category and its steps. Every step carries
a fixed request id, so loading again is answered with the tickets as they are. Ids the API
chooses — the whistle's, a co-handling assignment's — are read from the answer of the step that
made them (`Kept`). Ratings are staff return visits (回访): the loader holds one admin token,
and only the resident themself may rate."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lianxin.kit.devstack.demo import names
from lianxin.kit.devstack.demo.county import Kept, Op, Tree, Unit, demo_id
from lianxin.kit.devstack.demo.register import Home, Register
from lianxin.kit.devstack.demo.work import Work

# One line per ticket: (category, steps). The steps, in order after the submit:
#   accept, escalate (to the township), here (handled at its own level), dispatch, dispatch+co
#   (a township centre or the civil affairs bureau co-handles), start, complete (the co-handler's
#   task), resolve, partial (PARTIALLY_SOLVED), explain, spot (solved on the spot), answer,
#   pause, satisfied / basically / dissatisfied (a return visit), duplicate (a second resident
#   reports it; merged into this one), whistle (two departments summoned, report in, handle
#   and complete their tasks). An empty line of steps leaves the ticket RECEIVED.
PLAN: tuple[tuple[str, str], ...] = (
    # received (13), and received at the township after an escalation (2)
    ("water.supply", ""), ("road.light", ""), ("housing.dilapidated", ""),
    ("social_security.subsistence", ""), ("employment.wages", ""), ("dispute.neighbour", ""),
    ("environment.waste", ""), ("power.outage", ""), ("schooling", ""), ("agriculture", ""),
    ("road.village", ""), ("medical.insurance", ""), ("other", ""),
    ("water.irrigation", "escalate"), ("road.bridge", "escalate"),
    # accepted (4), and accepted at the township after an escalation (2)
    ("water.quality", "accept"), ("social_security.pension", "accept"),
    ("environment.noise", "accept"), ("dispute.land", "accept"),
    ("housing.property", "accept escalate"), ("employment.wages", "accept escalate"),
    # assigned: handled at the village (3), dispatched (4), dispatched by the township (2)
    ("dispute.neighbour", "accept here"), ("environment.waste", "accept here"),
    ("public_order", "accept here"),
    ("road.village", "accept dispatch"), ("power.line", "accept dispatch"),
    ("housing.dilapidated", "accept dispatch+co"), ("water.irrigation", "accept dispatch+co"),
    ("water.supply", "accept escalate dispatch"), ("road.village", "accept escalate dispatch"),
    # in progress (5), one of them paused waiting for the resident (1)
    ("power.outage", "accept dispatch start"), ("medical.insurance", "accept dispatch start"),
    ("agriculture", "accept dispatch start"),
    ("social_security.subsistence", "accept dispatch+co start"),
    ("road.transit", "escalate accept dispatch start"),
    ("social_security.subsistence", "accept dispatch start pause"),
    # resolved, not yet answered (3); answered, waiting for the rating (3); explained (3)
    ("water.supply", "accept dispatch start resolve"),
    ("dispute.land", "accept here start partial"),
    ("agriculture", "accept dispatch start partial"),
    ("water.drainage", "accept dispatch start resolve answer"),
    ("social_security.pension", "accept dispatch start resolve answer"),
    ("employment.wages", "accept dispatch start resolve answer"),
    ("social_security.subsistence", "accept explain"), ("housing.dilapidated", "accept explain"),
    ("road.village", "accept explain"),
    # closed: solved on the spot (3), handled and rated on a return visit (8), reopened once (1)
    ("other", "spot answer satisfied"), ("employment", "spot answer satisfied"),
    ("water.supply", "spot answer basically"),
    ("water.supply", "accept dispatch start resolve answer satisfied"),
    ("power.line", "accept dispatch start resolve answer satisfied"),
    ("road.light", "accept dispatch start resolve answer satisfied"),
    ("dispute.neighbour", "accept here start resolve answer satisfied"),
    ("environment.waste", "accept here start resolve answer basically"),
    ("housing.dilapidated", "accept dispatch+co start complete resolve answer satisfied"),
    ("road.village", "accept escalate dispatch start resolve answer basically"),
    ("schooling", "accept dispatch start partial answer basically"),
    ("water.quality", "accept dispatch start resolve answer dissatisfied start resolve answer "
                      "satisfied"),
    # the whistle (1), and a duplicate merged into its master (2)
    ("water.supply", "escalate accept whistle dispatch start resolve answer"),
    ("road.light", "duplicate accept dispatch start"),
)

# The lead department by category (the longest matching code wins); None: the township's
# service centre (为民服务中心).
LEADS: dict[str, str | None] = {
    "water": "县水务局", "power": "墨江供电局", "road": "县交通运输局",
    "road.light": "县住房和城乡建设局", "housing": "县住房和城乡建设局", "medical": "县卫生健康局",
    "schooling": "县教育体育局", "social_security": "县民政局",
    "social_security.pension": "县人力资源和社会保障局", "employment": "县人力资源和社会保障局",
    "environment": None, "public_order": None, "dispute": None, "agriculture": None, "other": None,
}
# Where tickets come from when not raised on a visit; complaints also by petition and letter.
CHANNELS = ("HOTLINE", "WECHAT", "WALK_IN", "MINI_PROGRAM", "HOTLINE", "APP", "WECHAT",
            "SUGGESTION_BOX", "WALK_IN")
COMPLAINT_CHANNELS = ("HOTLINE", "PETITION", "LETTER", "WECHAT")
NEEDY = ("social_security.subsistence", "housing.dilapidated")  # the needy register's ledger
# Words that place a demand in a community (streets, blocks of flats) or in a village.
COMMUNITY_WORDS = ("小区", "街边", "楼下", "人民路")
VILLAGE_WORDS = ("组", "村", "田", "茶", "山林", "坝塘", "玉米", "猪", "牛", "承包地", "瓦房", "土坯")
RATINGS = {"satisfied": "SATISFIED", "basically": "BASICALLY_SATISFIED",
           "dissatisfied": "DISSATISFIED"}


@dataclass(frozen=True)
class _Person:
    """Who raised a demand: a registered resident (the head of their household)."""

    resident_id: str
    household_id: str
    name: str
    phone: str | None


@dataclass
class _Context:
    """What the tickets need from the rest of the demo."""

    rng: random.Random
    tree: Tree
    cadre_names: dict[str, str]                    # cadre id -> name
    homes_in: dict[str, list[Home]]                # village key -> its households
    heads: dict[str, _Person]                      # household id -> its head
    visits: dict[str, list[dict[str, Any]]]        # visit kind -> inputs of those visits
    texts: dict[str, Iterator[tuple[str, str]]] = field(default_factory=dict)
    placed: Counter[str] = field(default_factory=Counter)  # village key -> tickets so far
    homes: dict[str, Home] = field(init=False)     # household id -> it

    def __post_init__(self) -> None:
        self.homes = {h.id: h for homes in self.homes_in.values() for h in homes}

    def department(self, name: str) -> Unit:
        return next(d for d in self.tree.departments if d.name == name)

    def centre(self, unit: Unit) -> Unit:
        """The service centre of the township `unit` lies in (or is)."""
        return self.tree.service_centres["/".join(unit.path[:2])]

    def lead(self, category: str, place: Unit) -> Unit:
        code = max((c for c in LEADS if category == c or category.startswith(f"{c}.")), key=len)
        name = LEADS[code]
        return self.department(name) if name else self.centre(place)

    def responsible(self, unit: Unit) -> tuple[str, str]:
        """(name, cadre id) of who answers for work at `unit`: a bureau's head, a service
        centre's first cadre, a village's or township's party secretary."""
        post = {"DEPARTMENT": "局长", "VILLAGE": "书记", "COMMUNITY": "书记",
                "TOWNSHIP": "党委书记"}[unit.kind]
        if unit in self.tree.service_centres.values():
            post = "干部1"
        cadre = demo_id("cadre", f"{unit.key}/{post}")
        return self.cadre_names[cadre], cadre

    def text(self, category: str) -> tuple[str, str]:
        """The next unused (kind, text) of the category."""
        if category not in self.texts:
            self.texts[category] = iter(names.DEMANDS.get(category, ()))
        found = next(self.texts[category], None)
        if found is None:
            raise ValueError(f"PLAN has more {category} tickets than names.DEMANDS has texts")
        return found


class _Ticket:
    """One ticket's ops: its submit, then each step with a fixed request id."""

    def __init__(self, key: str, place: Unit, category: str) -> None:
        self.key, self.place, self.category = key, place, category
        self.id = demo_id("ticket", key)
        self.handler = place  # the unit handling it: the place, or the township after escalation
        self.channel = ""
        self.ops: list[Op] = []
        self._steps: Counter[str] = Counter()

    def submit(self, data: dict[str, Any]) -> None:
        self.channel = data["channel"]
        self.ops.append(Op("submitTicket", {"id": self.id, **data},
                           f"ticket {self.key} ({self.category})"))

    def step(self, mutation: str, data: dict[str, Any], *, on_ticket: bool = True,
             keep: str | None = None, answer: str = "", what: str = "") -> None:
        """A step; its request id is fixed by the ticket, the mutation and how many times
        this ticket had it before (a reopened ticket is resolved twice)."""
        self._steps[mutation] += 1
        n = self._steps[mutation]
        request = demo_id("ticket_step", f"{self.key}/{mutation}/{n}")
        target = {"ticketId": self.id} if on_ticket else {}
        self.ops.append(Op(mutation, {**target, **data, "requestId": request},
                           f"{mutation} #{n}{what} of ticket {self.key}", keep, answer))


def build_tickets(rng: random.Random, tree: Tree, register: Register, work: Work
                  ) -> list[list[Op]]:
    """Every ticket's ops in PLAN's order, a duplicate with its master."""
    homes_in: dict[str, list[Home]] = {}
    for home in register.homes:
        homes_in.setdefault(home.village.key, []).append(home)
    heads = {}
    for op in register.residents:
        r = op.input
        if r["relation"] == "HEAD":
            heads[r["householdId"]] = _Person(r["id"], r["householdId"], r["name"], r["phone"])
    visits: dict[str, list[dict[str, Any]]] = {}
    for op in work.visits:
        if op.input["householdIds"]:
            visits.setdefault(op.input["kind"], []).append(op.input)
    ctx = _Context(rng, tree, {op.input["id"]: op.input["name"] for op in work.cadres},
                   homes_in, heads, visits)
    return [_story(ctx, n, category, steps.split())
            for n, (category, steps) in enumerate(PLAN, start=1)]


def fits(unit: Unit, text: str) -> bool:
    """Whether a demand in these words can come from this village or community."""
    if any(w in text for w in COMMUNITY_WORDS):
        return unit.kind == "COMMUNITY"
    return unit.kind == "VILLAGE" or not any(w in text for w in VILLAGE_WORDS)


def _story(ctx: _Context, n: int, category: str, steps: list[str]) -> list[Op]:
    """The ops of PLAN's `n`th ticket (and of its duplicate)."""
    if "whistle" in steps:
        _, kind, text, *_ = names.WHISTLE
        reply = None
    elif "explain" in steps:
        kind, text, reply = names.EXPLANATIONS[category]
    elif "duplicate" in steps:
        kind, text, reply = "DEMAND", names.DUPLICATE[1], None
    else:
        (kind, text), reply = ctx.text(category), None
    rated = any(w in RATINGS for w in steps)
    # The whistle's landslide and the duplicate's lights are news, not old visits' findings.
    visited = not {"whistle", "duplicate"} & set(steps)
    place, data = _raised(ctx, category, kind, text, rated=rated, visited=visited)
    ctx.placed[place.key] += 1
    ticket = _Ticket(f"{place.key}/{n:02d}", place, category)
    ticket.submit(data)
    for word in steps:
        _step(ctx, ticket, word, reply)
    return ticket.ops


def _raised(ctx: _Context, category: str, kind: str, text: str, *, rated: bool, visited: bool
            ) -> tuple[Unit, dict[str, Any]]:
    """Where the demand belongs, and the submit's input. About a quarter were raised on a
    visit (at the home, a courtyard meeting or a reception day), placed at the visited
    household's village; the others go to the village or community with the fewest demands
    so far. Of those most give their name and phone, a few stay anonymous (never one rated on
    a return visit), disputes and stability risks are sometimes confidential."""
    rng = ctx.rng
    data: dict[str, Any] = {
        "category": category, "text": text, "kind": kind,
        "urgency": "URGENT" if kind == "HELP" and rng.random() < 0.5 else "ROUTINE"}
    if category in NEEDY:
        data["ledger"] = "NEEDY"
    roll = rng.random()
    if roll < 0.28 and visited and kind != "STABILITY_RISK":
        kind_of_visit = ("HOME_VISIT" if roll < 0.2 else
                         "COURTYARD_MEETING" if roll < 0.25 else "RECEPTION_DAY")
        homes = [(visit, ctx.homes[h]) for visit in ctx.visits[kind_of_visit]
                 for h in visit["householdIds"] if fits(ctx.homes[h].village, text)]
        visit, home = rng.choice(homes)
        data.update(orgUnitId=home.village.id, channel=visit["kind"], visitId=visit["id"],
                    contact=_contact(ctx.heads[home.id]))
        return home.village, data
    place = min((v for v in ctx.tree.villages if fits(v, text)), key=lambda v: ctx.placed[v.key])
    data.update(orgUnitId=place.id, channel=rng.choice(
        COMPLAINT_CHANNELS if kind in ("COMPLAINT", "STABILITY_RISK") else CHANNELS))
    person = ctx.heads[rng.choice(ctx.homes_in[place.key]).id]
    if not rated and data["channel"] in ("SUGGESTION_BOX", "HOTLINE") and roll > 0.85:
        data["anonymous"] = True
    elif kind == "STABILITY_RISK" or (category.startswith("dispute") and roll > 0.7):
        data.update(contact=_contact(person), confidential=True)
    elif roll > 0.4:
        data["contact"] = _contact(person)
    else:  # a caller who gives a name and a phone only
        data["contact"] = {"name": person.name, "phone": person.phone}
    return place, data


def _contact(person: _Person) -> dict[str, Any]:
    return {"residentId": person.resident_id, "householdId": person.household_id,
            "name": person.name, "phone": person.phone}


def _order(ctx: _Context, unit: Unit, task: str, standard: str | None, days: int | None
           ) -> dict[str, Any]:
    name, cadre = ctx.responsible(unit)
    return {"departmentId": unit.id, "responsibleName": name, "responsibleCadreId": cadre,
            "task": task, "standard": standard, "dueWorkingDays": days}


def _step(ctx: _Context, t: _Ticket, word: str, reply: str | None) -> None:
    rng = ctx.rng
    top = t.category.split(".")[0]
    task, standard, days, report, answer = names.HANDLING[top]
    back = t.channel if t.channel in ("HOME_VISIT", "WECHAT", "HOTLINE", "WALK_IN") else "HOTLINE"
    match word:
        case "accept":
            t.step("acceptTicket", {"note": rng.choice(names.ACCEPT_NOTES)})
        case "escalate":
            t.step("escalateTicket", {"reason": rng.choice(names.ESCALATE_REASONS)})
            t.handler = next(u for u in ctx.tree.townships if u.path == t.place.path[:2])
        case "here":
            name, cadre = ctx.responsible(t.handler)
            t.step("handleTicketHere", {"responsibleName": name, "responsibleCadreId": cadre,
                                        "task": task, "standard": standard,
                                        "dueWorkingDays": days})
        case "dispatch" | "dispatch+co":
            lead = ctx.lead(t.category, t.place)
            co = []
            if word == "dispatch+co":
                helper = (ctx.department("县民政局") if lead == ctx.centre(t.place)
                          else ctx.centre(t.place))
                co = [_order(ctx, helper, names.CO_TASK, None, days)]
            t.step("dispatchTicket", {"lead": _order(ctx, lead, task, standard, days),
                                      "coHandlers": co},
                   keep=f"{t.key}/dispatch" if co else None,
                   answer="... on Ticket { assignments { id role } }" if co else "")
        case "start":
            t.step("startTicket", {})
        case "complete":
            t.step("completeTask", {
                "assignmentId": Kept(f"{t.key}/dispatch", ("assignments", "role=CO", "id")),
                "report": names.CO_REPORT})
        case "resolve" | "partial":
            partial = word == "partial"
            t.step("resolveTicket", {"outcome": "PARTIALLY_SOLVED" if partial else "SOLVED",
                                     "report": report + names.PARTIAL_REPORT if partial
                                     else report})
        case "explain":
            assert reply is not None
            t.step("explainTicket", {"reply": reply, "channel": back})
        case "spot":
            t.step("resolveOnTheSpot", {"report": rng.choice(names.SPOT_REPORTS),
                                        "outcome": "SOLVED"})
        case "answer":
            t.step("answerTicket", {"reply": answer, "channel": back})
        case "satisfied" | "basically" | "dissatisfied":
            satisfaction = RATINGS[word]
            solved, note = names.RETURN_VISITS[satisfaction]
            t.step("recordReturnVisit", {
                "solved": solved, "satisfaction": satisfaction, "note": note,
                "channel": "HOTLINE" if satisfaction == "SATISFIED" else "HOME_VISIT"})
        case "pause":
            t.step("pauseTicket", {"reason": names.PAUSE_REASON})
        case "duplicate":
            _duplicate(ctx, t)
        case "whistle":
            _whistle(ctx, t)
        case _:
            raise ValueError(f"unknown step {word!r} in the plan of ticket {t.key}")


def _duplicate(ctx: _Context, master: _Ticket) -> None:
    """A second resident reports the master's problem in other words, on the mini-program,
    and the handling unit merges it into the master (并单)."""
    person = ctx.heads[ctx.rng.choice(ctx.homes_in[master.place.key]).id]
    key = f"{master.key}/重复"
    duplicate = _Ticket(key, master.place, master.category)
    duplicate.submit({"orgUnitId": master.place.id, "category": master.category,
                      "text": names.DUPLICATE[2], "kind": "DEMAND", "channel": "MINI_PROGRAM",
                      "contact": _contact(person)})
    duplicate.step("mergeTicket", {"masterId": master.id, "note": names.MERGE_NOTE})
    master.ops.extend(duplicate.ops)


def _whistle(ctx: _Context, t: _Ticket) -> None:
    """The handling unit blows a whistle (吹哨) summoning two departments, which report in
    (报到), start and complete their tasks; the last completion closes it."""
    _, _, _, reason, tasks = names.WHISTLE
    departments = [(ctx.department(name), task, report) for name, task, report in tasks]
    kept = Kept(f"{t.key}/whistle", ("id",))
    t.step("blowWhistle", {"urgency": "URGENT", "reason": reason,
                           "tasks": [{"departmentId": d.id, "task": task}
                                     for d, task, _ in departments]},
           keep=kept.name, answer="... on Whistle { id }")
    for mutation in ("reportIn", "startWhistleTask", "completeWhistleTask"):
        for department, _, report in departments:
            extra = {"report": report} if mutation == "completeWhistleTask" else {}
            t.step(mutation, {"whistleId": kept, "departmentId": department.id, **extra},
                   on_ticket=False, what=f" ({department.name})")
