"""The work of the demo's cadres: cadres of every rank and party members with duty posts,
two campaigns, pairings (some cadres meet their quota, some miss it, some households stay
unpaired) and visits — home visits, courtyard meetings (院坝会), forums and reception days."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from lianxin.kit.devstack.demo import names
from lianxin.kit.devstack.demo.county import DEMO_TODAY, Op, Tree, Unit, demo_id
from lianxin.kit.devstack.demo.register import Home, Identities, Register

# "万名干部下基层": division level and above 5 households, section level and below 3 (Qujing).
CAMPAIGN_QUOTAS = {"COUNTY_LEADER": 5, "DIVISION": 5, "SECTION": 3, "STAFF": 3,
                   "VILLAGE_CADRE": 3}
WITHOUT_OFFICE_QUOTA = 1  # the default for a party member without office (rank None)
LU_MINIMUM = 20           # "at least 20 households per cadre" (Lu county)
CAMPAIGN = ("万名干部下基层", dt.date(2026, 3, 1), dt.date(2026, 12, 31))
LU_CAMPAIGN = ("干部联户全覆盖行动", dt.date(2026, 4, 1), dt.date(2026, 12, 31))
# Households each Lu-rule cadre gets: two meet the minimum of 20, one falls short.
LU_PAIRED = (22, 20, 12)
DUTY_POSTS = ("POLICY_PUBLICITY", "CIVILISED_CUSTOMS", "LEGAL_AWARENESS", "TECH_DEMONSTRATION",
              "PEOPLE_CONDITIONS", "HELPING_THE_NEEDY", "LEFT_BEHIND_CARE", "ELDERLY_CARE",
              "NEIGHBOUR_HELP", "DISPUTE_MEDIATION", "SECURITY_PATROL", "STABILITY_INFO",
              "FIRE_AND_FOREST", "SANITATION", "WATER_WORKS", "ROAD_UPKEEP", "INDUSTRY_LEADER",
              "VILLAGE_AFFAIRS_OVERSIGHT", "PROJECT_OVERSIGHT", "DISASTER_WATCH")


@dataclass
class Cadre:
    id: str
    key: str
    rank: str | None
    work_unit: Unit
    area: list[Home]  # the households this cadre is paired from
    quota: int
    contact_point: Unit | None = None


@dataclass
class Work:
    cadres: list[Op] = field(default_factory=list)
    campaigns: list[Op] = field(default_factory=list)
    pairings: list[Op] = field(default_factory=list)
    visits: list[Op] = field(default_factory=list)


def build_work(rng: random.Random, tree: Tree, register: Register) -> Work:
    work = Work()
    ids = register.ids
    homes_in = _areas(register.homes)
    staff = _cadres(rng, tree, homes_in, ids, work)
    lu = [c for c in staff if c.quota == LU_MINIMUM]
    regular = [c for c in staff if c.quota != LU_MINIMUM]
    campaign_id, lu_id = demo_id("campaign", CAMPAIGN[0]), demo_id("campaign", LU_CAMPAIGN[0])
    work.campaigns = [
        _campaign(campaign_id, CAMPAIGN, tree.county, quotas=CAMPAIGN_QUOTAS, minimum=None,
                  cadres=regular),
        _campaign(lu_id, LU_CAMPAIGN, tree.county, quotas={}, minimum=LU_MINIMUM, cadres=lu)]
    paired: set[str] = set()
    # Village cadres first (their own village), then townships, then the county: the county's
    # cadres fill the gaps the villages leave, as 挂钩联系 intends, but not all of them.
    for cadre in sorted(staff, key=_pairing_order):
        in_lu = cadre in lu
        target = LU_PAIRED[lu.index(cadre)] if in_lu else _paired_count(rng, cadre.quota)
        pool = [h for h in cadre.area if h.id not in paired]
        rng.shuffle(pool)
        campaign, period = (lu_id, LU_CAMPAIGN) if in_lu else (campaign_id, CAMPAIGN)
        for home in pool[:target]:
            paired.add(home.id)
            started = period[1] + dt.timedelta(days=rng.randint(0, 75))
            key = f"{cadre.key}/{home.key}"
            work.pairings.append(Op("createPairing", {
                "id": demo_id("pairing", key), "cadreId": cadre.id, "householdId": home.id,
                "campaignId": campaign, "startedOn": started.isoformat()}, f"pairing {key}"))
            work.visits.extend(_home_visits(rng, cadre, home, key, started, campaign))
        if cadre.contact_point is not None:
            key = f"{cadre.key}/{cadre.contact_point.key}"
            work.pairings.append(Op("createPairing", {
                "id": demo_id("pairing", key), "cadreId": cadre.id,
                "contactPointId": cadre.contact_point.id, "campaignId": campaign_id,
                "startedOn": CAMPAIGN[1].isoformat()}, f"contact point {key}"))
    work.visits.extend(_meetings(rng, tree, staff, homes_in, campaign_id))
    return work


def _areas(homes: list[Home]) -> dict[str, list[Home]]:
    """Households by the key of their village and of their township."""
    areas: dict[str, list[Home]] = {}
    for home in homes:
        areas.setdefault(home.village.key, []).append(home)
        areas.setdefault(home.township.key, []).append(home)
    return areas


def _cadres(rng: random.Random, tree: Tree, homes_in: dict[str, list[Home]], ids: Identities,
            work: Work) -> list[Cadre]:
    """Cadres of every rank at the county, its departments, townships and villages."""
    staff: list[Cadre] = []

    def add(key: str, rank: str | None, unit: Unit, branch: Unit | None, area: list[Home],
            quota: int, **extra: str) -> Cadre:
        gender = "MALE" if rng.random() < 0.75 else "FEMALE"
        cadre = Cadre(demo_id("cadre", key), key, rank, unit, area, quota)
        work.cadres.append(Op("registerCadre", {
            "id": cadre.id, "name": ids.name(gender), "workUnitId": unit.id, "rank": rank,
            "partyMember": branch is not None, "branchId": branch.id if branch else None,
            "phone": ids.phone(), **extra}, f"cadre {key} ({rank or 'party member'})"))
        staff.append(cadre)
        return cadre

    townships = tree.townships
    for i, post in enumerate(names.COUNTY_LEADER_POSTS):
        township = townships[i % len(townships)]
        leader = add(f"{tree.county.key}/{post}", "COUNTY_LEADER", tree.county, tree.leaders_branch,
                     homes_in[township.key], CAMPAIGN_QUOTAS["COUNTY_LEADER"])
        leader.contact_point = [v for v in tree.villages if v.path[:2] == township.path][-1]
    for i, department in enumerate(tree.departments):
        township, branch = townships[i % len(townships)], tree.party[department.key]
        head = "DIVISION" if i < 4 else "SECTION"
        add(f"{department.key}/局长", head, department, branch, homes_in[township.key],
            CAMPAIGN_QUOTAS[head])
        add(f"{department.key}/干部", "STAFF", department, branch if rng.random() < 0.8 else None,
            homes_in[township.key], CAMPAIGN_QUOTAS["STAFF"])
    for i, name in enumerate(("县民政局", "县住房和城乡建设局", "县水务局")):  # the Lu-rule three
        department = next(d for d in tree.departments if d.name == name)
        add(f"{department.key}/联户干部", "STAFF", department, tree.party[department.key],
            homes_in[townships[i].key], LU_MINIMUM)
    for township in townships:
        committee, centre = tree.party[township.key], tree.service_centres[township.key]
        area = homes_in[township.key]
        for post in ("党委书记", "镇长"):
            add(f"{township.key}/{post}", "SECTION", township, committee, area,
                CAMPAIGN_QUOTAS["SECTION"])
        for n in (1, 2):
            add(f"{centre.key}/干部{n}", "STAFF", centre, committee if n == 1 else None, area,
                CAMPAIGN_QUOTAS["STAFF"])
    for v, village in enumerate(tree.villages):
        branch, area = tree.party[village.key], homes_in[village.key]
        for post in ("书记", "主任"):
            add(f"{village.key}/{post}", "VILLAGE_CADRE", village,
                branch if post == "书记" or rng.random() < 0.7 else None, area,
                CAMPAIGN_QUOTAS["VILLAGE_CADRE"])
        for n in range(1 if v % 3 else 2):
            add(f"{village.key}/党员{n + 1}", None, village, branch, area, WITHOUT_OFFICE_QUOTA,
                dutyPost=DUTY_POSTS[(v * 2 + n) % len(DUTY_POSTS)])
    return staff


def _pairing_order(cadre: Cadre) -> int:
    order = {"VILLAGE_CADRE": 0, None: 0, "SECTION": 1, "STAFF": 1, "DIVISION": 3,
             "COUNTY_LEADER": 3}
    return 2 if cadre.quota == LU_MINIMUM else order[cadre.rank]


def _paired_count(rng: random.Random, quota: int) -> int:
    """Most cadres meet their quota exactly; about one in five misses it, a few exceed it."""
    roll = rng.random()
    if roll < 0.2:
        return rng.randrange(quota)
    return quota + 1 if roll > 0.92 else quota


def _campaign(campaign_id: str, spec: tuple[str, dt.date, dt.date], organiser: Unit, *,
              quotas: dict[str, int], minimum: int | None, cadres: list[Cadre]) -> Op:
    name, starts, ends = spec
    return Op("createCampaign", {
        "id": campaign_id, "name": name, "orgUnitId": organiser.id,
        "startsOn": starts.isoformat(), "endsOn": ends.isoformat(), "minHouseholds": minimum,
        "quotaByRank": [{"rank": rank, "households": n} for rank, n in quotas.items()],
        "coverageTarget": 1.0, "orgUnitIds": [organiser.id],
        "cadreIds": [c.id for c in cadres]}, f"campaign {name}")


def _visit(key: str, kind: str, cadre: Cadre, unit: Unit, day: dt.date, place: str, notes: str,
           households: list[Home], campaign: str | None, participants: Sequence[Cadre] = ()) -> Op:
    return Op("logVisit", {
        "id": demo_id("visit", key), "kind": kind, "cadreId": cadre.id, "orgUnitId": unit.id,
        "visitedOn": day.isoformat(), "place": place, "notes": notes,
        "participantCadreIds": [p.id for p in participants],
        "householdIds": [h.id for h in households], "campaignId": campaign}, f"visit {key}")


def _day_after(rng: random.Random, start: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(1, (DEMO_TODAY - start).days - 1))


def _home_visits(rng: random.Random, cadre: Cadre, home: Home, key: str, started: dt.date,
                 campaign: str) -> list[Op]:
    """None to two home visits (入户走访) since the pairing started."""
    return [_visit(f"{key}/{n}", "HOME_VISIT", cadre, home.unit, _day_after(rng, started),
                   home.place, rng.choice(names.HOME_VISIT_NOTES), [home], campaign)
            for n in range(rng.choice((0, 0, 1, 1, 1, 2, 2)))]


def _meetings(rng: random.Random, tree: Tree, staff: list[Cadre],
              homes_in: dict[str, list[Home]], campaign: str) -> list[Op]:
    """Courtyard meetings in villages, forums at contact points and townships, reception days."""
    by_key = {c.key: c for c in staff}
    ops = []
    for village in tree.villages[::2]:
        secretary, director = by_key[f"{village.key}/书记"], by_key[f"{village.key}/主任"]
        homes = rng.sample(homes_in[village.key], rng.randint(6, 10))
        ops.append(_visit(f"{village.key}/院坝会", "COURTYARD_MEETING", secretary, village,
                          _day_after(rng, CAMPAIGN[1]), f"{homes[0].place}院坝",
                          rng.choice(names.COURTYARD_NOTES), homes, campaign, [director]))
    for leader in (c for c in staff if c.contact_point is not None):
        point = leader.contact_point
        assert point is not None
        for month in range(6, 11):  # county leaders visit their contact point monthly (Mojiang)
            day = dt.date(2026, month, rng.randint(3, 26))
            ops.append(_visit(f"{leader.key}/联系点/{month}", "FORUM", leader, point, day,
                              f"{point.name}村委会", rng.choice(names.FORUM_NOTES), [], campaign,
                              [by_key[f"{point.key}/书记"]]))
    for township in tree.townships:
        heads = [by_key[f"{d.key}/局长"] for d in tree.departments[:2]]
        ops.append(_visit(f"{township.key}/座谈会", "FORUM", by_key[f"{township.key}/党委书记"],
                          township, _day_after(rng, CAMPAIGN[1]), f"{township.name}党委会议室",
                          rng.choice(names.FORUM_NOTES), [], campaign, heads))
    petitions = next(d for d in tree.departments if d.name == "县信访局")
    for post in names.COUNTY_LEADER_POSTS[:2]:
        leader = by_key[f"{tree.county.key}/{post}"]
        ops.append(_visit(f"{leader.key}/接待日", "RECEPTION_DAY", leader, petitions,
                          _day_after(rng, CAMPAIGN[1]), "县信访局接待室",
                          names.RECEPTION_NOTES[0], rng.sample(leader.area, 2), None))
    return ops
