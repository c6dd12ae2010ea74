"""The demo register (群众 / 户): households with their members, and the needy register's
needs tags (困难群众台账) on about 15% of them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from lianxin.kit.devstack.demo import names
from lianxin.kit.devstack.demo.county import DEMO_TODAY, Op, Tree, Unit, demo_id
from lianxin.kit.pii import id_check_digit

HOUSEHOLDS_PER_VILLAGE = (16, 22)
NEEDS_SHARE = 0.15
NEEDS_KINDS = ("ILLNESS", "DISASTER", "DISABILITY", "FAMILY_CHANGE", "LOW_INCOME",
               "LEFT_BEHIND_CHILD", "EMPTY_NEST_ELDERLY", "MIGRANT_WORKER_AWAY")


class Identities:
    """Names, mobile numbers and ID numbers, each number unique within the demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._phones: set[str] = set()
        self._ids: set[str] = set()

    def given(self, gender: str) -> str:
        chars = names.MALE_CHARS if gender == "MALE" else names.FEMALE_CHARS
        return "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2))))

    def name(self, gender: str, surname: str | None = None) -> str:
        return (surname or self.rng.choice(names.SURNAMES)) + self.given(gender)

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def id_number(self, birth_year: int, gender: str) -> str:
        """18 characters: region 530822, birth date, sequence (odd for men), check digit."""
        while True:
            born = dt.date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28))
            sequence = self.rng.randrange(500) * 2 + (1 if gender == "MALE" else 0)
            first17 = f"{names.REGION_CODE}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number


@dataclass(frozen=True)
class Home:
    """A registered household, as the work of cadres needs it."""

    id: str
    key: str
    unit: Unit      # where it is registered: a village, community or grid
    village: Unit   # its village or community
    township: Unit
    place: str      # 村民小组 or street, for visit places (not the full address)


@dataclass
class Register:
    ids: Identities  # shared with the cadres, so no two people get the same number
    homes: list[Home] = field(default_factory=list)
    households: list[Op] = field(default_factory=list)
    residents: list[Op] = field(default_factory=list)
    needs_tags: list[Op] = field(default_factory=list)


def build_register(rng: random.Random, tree: Tree) -> Register:
    register = Register(Identities(rng))
    ids = register.ids
    for village in tree.villages:
        township = tree.township_of(village)
        community = village.kind == "COMMUNITY"
        grids = tree.grids.get(village.key, [])
        for n in range(1, rng.randint(*HOUSEHOLDS_PER_VILLAGE) + 1):
            if community:
                place, number = rng.choice(names.STREETS), rng.randint(1, 200)
            else:
                place, number = rng.choice(names.GROUPS[:rng.randint(4, 8)]), rng.randint(1, 60)
            unit = grids[n % len(grids)] if grids else village
            key = f"{village.key}/{n}"
            home = Home(demo_id("household", key), key, unit, village, township,
                        f"{village.name}{place}")
            register.homes.append(home)
            address = f"{names.COUNTY_SHORT}{township.name}{village.name}{place}{number}号"
            register.households.append(Op("registerHousehold", {
                "id": home.id, "orgUnitId": unit.id,
                "householdNo": f"{names.REGION_CODE}{tree.townships.index(township) + 1:03d}"
                               f"{tree.villages.index(village) + 1:03d}{n:04d}",
                "address": address}, f"household {key}"))
            register.residents.extend(_family(rng, ids, home))
    register.needs_tags = _needs_tags(rng, register.homes)
    return register


def _family(rng: random.Random, ids: Identities, home: Home) -> list[Op]:
    """Head of household first, then spouse, children, a parent, grandchildren."""
    head_gender = "MALE" if rng.random() < 0.8 else "FEMALE"
    head_year = rng.randint(1948, 1995)
    surname = rng.choice(names.SURNAMES)
    members: list[tuple[str, str, int, str | None]] = [("HEAD", head_gender, head_year, surname)]
    if rng.random() < 0.85:
        spouse = "FEMALE" if head_gender == "MALE" else "MALE"
        members.append(("SPOUSE", spouse, head_year + rng.randint(-4, 4), None))
    for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3))):
        year = head_year + rng.randint(22, 34)
        if year <= DEMO_TODAY.year:
            members.append(("CHILD", rng.choice(("MALE", "FEMALE")), year, surname))
    if head_year > 1965 and rng.random() < 0.2:
        members.append(("PARENT", rng.choice(("MALE", "FEMALE")), head_year - rng.randint(22, 30),
                        None))
    if head_year < 1970 and rng.random() < 0.3:
        year = head_year + rng.randint(45, 55)
        if year <= DEMO_TODAY.year:
            members.append(("GRANDCHILD", rng.choice(("MALE", "FEMALE")), year, surname))
    ops = []
    for i, (relation, gender, year, family_name) in enumerate(members):
        age = DEMO_TODAY.year - year
        has_phone = age >= 16 and rng.random() < (0.9 if age < 70 else 0.4)
        ops.append(Op("registerResident", {
            "id": demo_id("resident", f"{home.key}/{i}"), "householdId": home.id,
            "name": ids.name(gender, family_name), "gender": gender, "birthYear": year,
            "relation": relation, "phone": ids.phone() if has_phone or relation == "HEAD" else None,
            "idNumber": ids.id_number(year, gender)}, f"resident {home.key}/{i} ({relation})"))
    return ops


def _needs_tags(rng: random.Random, homes: list[Home]) -> list[Op]:
    """About 15% of households, every kind at least once; about a quarter of tags ended."""
    chosen = rng.sample(homes, round(len(homes) * NEEDS_SHARE))
    ops = []
    for i, home in enumerate(chosen):
        kinds = [NEEDS_KINDS[i] if i < len(NEEDS_KINDS) else rng.choice(NEEDS_KINDS)]
        if rng.random() < 0.15:
            kinds.append(rng.choice([k for k in NEEDS_KINDS if k != kinds[0]]))
        for kind in kinds:
            since = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1300))
            until = None
            if rng.random() < 0.25 or i == 0:
                until = since + dt.timedelta(days=rng.randint(60, (DEMO_TODAY - since).days - 1))
            ops.append(Op("addNeedsTag", {
                "id": demo_id("needs_tag", f"{home.key}/{kind}"), "householdId": home.id,
                "kind": kind, "since": since.isoformat(),
                "until": until.isoformat() if until else None}, f"needs tag {kind} of {home.key}"))
    return ops
