"""Importing cadres (干部) and pairings (结对) from the lists counties keep.

Natural keys: a cadre by login subject if the sheet gives one, else by phone (through its blind
index, never the clear number); a pairing by (cadre, household or contact point, start date).
An import adds cadres and pairings but does not change them: a row that contradicts what is
registered is reported, naming the cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lianxin.kit.pii import normalise_phone
from lianxin.people.app.import_cells import (
    CellError,
    Column,
    KindSpec,
    Lookups,
    choice,
    date,
    derived,
    unit_id,
    unit_ref,
    uuid_of,
)
from lianxin.people.app.import_register import household_of
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.app.work import CreatePairing, RegisterCadre, create_pairing_in, register_cadre_in
from lianxin.people.domain.cadre import Cadre, DutyPost, Rank
from lianxin.people.domain.errors import InvalidInput, NotFound

_RANKS = {"县级领导": Rank.COUNTY_LEADER, "处级": Rank.DIVISION, "科级": Rank.SECTION,
          "一般干部": Rank.STAFF, "村干部": Rank.VILLAGE_CADRE}
_NO_OFFICE = {"无职党员", "无"}
_YES_NO = {"是": True, "否": False, "党员": True, "中共党员": True, "群众": False,
           "y": True, "n": False, "yes": True, "no": False, "true": True, "false": False,
           "1": True, "0": False}
_POSTS = {
    "政策宣传岗": DutyPost.POLICY_PUBLICITY, "文明新风岗": DutyPost.CIVILISED_CUSTOMS,
    "法律宣传岗": DutyPost.LEGAL_AWARENESS, "科技示范岗": DutyPost.TECH_DEMONSTRATION,
    "民情联络岗": DutyPost.PEOPLE_CONDITIONS, "帮贫济困岗": DutyPost.HELPING_THE_NEEDY,
    "留守关爱岗": DutyPost.LEFT_BEHIND_CARE, "敬老助老岗": DutyPost.ELDERLY_CARE,
    "邻里互助岗": DutyPost.NEIGHBOUR_HELP, "矛盾调解岗": DutyPost.DISPUTE_MEDIATION,
    "治安巡逻岗": DutyPost.SECURITY_PATROL, "信访信息岗": DutyPost.STABILITY_INFO,
    "护林防火岗": DutyPost.FIRE_AND_FOREST, "环境卫生岗": DutyPost.SANITATION,
    "水利管护岗": DutyPost.WATER_WORKS, "道路维护岗": DutyPost.ROAD_UPKEEP,
    "产业带富岗": DutyPost.INDUSTRY_LEADER, "村务监督岗": DutyPost.VILLAGE_AFFAIRS_OVERSIGHT,
    "项目监督岗": DutyPost.PROJECT_OVERSIGHT, "防灾预警岗": DutyPost.DISASTER_WATCH,
}
_POSTS |= {label.removesuffix("岗"): post for label, post in _POSTS.items()}
_CADRE_API = {"name": "name", "workUnitId": "work_unit_id", "rank": "rank",
              "partyMember": "party_member", "branchId": "branch_id", "dutyPost": "duty_post",
              "phone": "phone", "subject": "subject"}
_PAIRING_API = {"cadreId": "cadre_id", "orgUnitId": "org_unit_id", "householdNo": "household_no",
                "householdId": "household_no", "contactPointId": "contact_point_id",
                "campaignId": "campaign_id", "startedOn": "started_on"}
_rank_label = choice(_RANKS, Rank)


def _rank(text: str, raw: Any) -> Rank | None:
    return None if text in _NO_OFFICE else _rank_label(text, raw)


def _yes_no(text: str, raw: Any) -> bool:
    found = _YES_NO.get(text.lower())
    if found is None:
        raise CellError(f"{text!r} is neither 是 nor 否")
    return found


def _phone(text: str, raw: Any) -> str:
    return normalise_phone(text)


async def _registered_cadre(uow: UnitOfWork, v: Mapping[str, Any]) -> Cadre | None:
    """The cadre this row describes, if registered: by login subject, else by phone."""
    if v["subject"] is not None:
        by_subject = await uow.cadres.by_subjects([v["subject"]])
        if by_subject:
            return by_subject[0]
    if v["phone"] is None:
        return None
    same_phone = await uow.cadres.by_phone(v["phone"])
    if v["subject"] is not None:
        # Imported earlier without a login subject: adding one would be a change, and a second
        # cadre for the same person would be worse.
        if any(c.subject is None and c.name == v["name"] for c in same_phone):
            raise InvalidInput(f"{v['name']} is registered with this phone but without a login "
                               "subject; an import does not change cadres", field="subject")
        return None
    if len(same_phone) > 1:
        raise InvalidInput(f"{len(same_phone)} cadres are registered with this phone: give the "
                           "login subject (登录账号) to say which one", field="phone")
    return same_phone[0] if same_phone else None


def _differences(cmd: RegisterCadre, stored: Cadre) -> list[str]:
    """Fields where the row contradicts the registered cadre (an empty phone or subject
    says nothing: they are how the row is matched, not facts about the cadre)."""
    pairs = {"name": (cmd.name, stored.name), "work_unit_id": (cmd.work_unit_id, stored.work_unit_id),
             "rank": (cmd.rank, stored.rank), "party_member": (cmd.party_member, stored.party_member),
             "branch_id": (cmd.branch_id, stored.branch_id),
             "duty_post": (cmd.duty_post, stored.duty_post),
             "phone": (cmd.phone or stored.phone, stored.phone),
             "subject": (cmd.subject or stored.subject, stored.subject)}
    return [name for name, (given, registered) in pairs.items() if given != registered]


async def _cadre(uow: UnitOfWork, v: Mapping[str, Any], lookups: Lookups) -> str:
    if v["subject"] is None and v["phone"] is None:
        raise InvalidInput("is empty, and so is the phone: a re-import recognises a cadre by "
                           "one of them", field="subject")
    unit = await lookups.unit(uow, v["work_unit_id"], "work_unit_id")
    branch = (await lookups.unit(uow, v["branch_id"], "branch_id")
              if v["branch_id"] is not None else None)
    stored = await _registered_cadre(uow, v)
    key = (("subject", v["subject"]) if v["subject"] is not None
           else ("phone", uow.cadres.phone_key(v["phone"])))
    cmd = RegisterCadre(stored.id if stored else derived("cadre", *key), v["name"], unit.id,
                        v["rank"], v["party_member"], branch.id if branch else None,
                        v["duty_post"], v["phone"], v["subject"])
    if stored is not None:
        differ = _differences(cmd, stored)
        if differ:
            raise InvalidInput(f"differs from the registered cadre {stored.name} "
                               f"({', '.join(differ)}); an import does not change cadres",
                               field=differ[0])
        return "unchanged"
    _, created = await register_cadre_in(cmd, uow, None)
    return "created" if created else "unchanged"


async def _pairing_cadre(uow: UnitOfWork, v: Mapping[str, Any]) -> Cadre:
    """The cadre named by login subject, id or phone; several given must name the same one."""
    found: list[tuple[str, Cadre]] = []
    if v["cadre_subject"] is not None:
        by_subject = await uow.cadres.by_subjects([v["cadre_subject"]])
        if not by_subject:
            raise NotFound(f"no cadre signs in as {v['cadre_subject']!r}; import the cadres "
                           "first", field="cadre_subject")
        found.append(("cadre_subject", by_subject[0]))
    if v["cadre_id"] is not None:
        by_id = await uow.cadres.get_many([v["cadre_id"]])
        if not by_id:
            raise NotFound(f"no cadre has the id {v['cadre_id']}", field="cadre_id")
        found.append(("cadre_id", by_id[0]))
    if v["cadre_phone"] is not None:
        by_phone = await uow.cadres.by_phone(v["cadre_phone"])
        if len(by_phone) != 1:
            raise InvalidInput("no cadre is registered with this phone; import the cadres first"
                               if not by_phone else f"{len(by_phone)} cadres have this phone: "
                               "give the cadre's login subject or id", field="cadre_phone")
        found.append(("cadre_phone", by_phone[0]))
    if not found:
        raise InvalidInput("is empty: give the cadre's login subject, id or phone",
                           field="cadre_subject")
    for name, other in found[1:]:
        if other.id != found[0][1].id:
            raise InvalidInput(f"names {other.name}, another cadre than {found[0][1].name}",
                               field=name)
    return found[0][1]


async def _pairing(uow: UnitOfWork, v: Mapping[str, Any], lookups: Lookups) -> str:
    cadre = await _pairing_cadre(uow, v)
    household_id = contact_point_id = None
    if v["household_no"] is not None:
        if v["contact_point_id"] is not None:
            raise InvalidInput("a pairing is with a household or a contact point: fill in one "
                               "of them, not both", field="contact_point_id")
        if v["org_unit_id"] is None:
            raise InvalidInput("is empty: a household is found by its unit and its number",
                               field="org_unit_id")
        household_id = (await household_of(uow, v)).id
    elif v["contact_point_id"] is not None:
        contact_point_id = (await lookups.unit(uow, v["contact_point_id"], "contact_point_id")).id
    else:
        raise InvalidInput("is empty: give a household (unit and number) or a contact point",
                           field="household_no")
    target = (household_id, contact_point_id, v["started_on"])
    for stored in await uow.pairings.of_cadres([cadre.id], active_only=False):
        if (stored.household_id, stored.contact_point_id, stored.started_on) == target:
            if v["campaign_id"] not in (None, stored.campaign_id):
                raise InvalidInput("this pairing is registered for another campaign (or none); "
                                   "an import does not change pairings", field="campaign_id")
            return "unchanged"
    pairing_id = derived("pairing", cadre.id, "household" if household_id else "contact_point",
                         household_id or contact_point_id, v["started_on"])
    _, created = await create_pairing_in(CreatePairing(
        pairing_id, cadre.id, v["started_on"], household_id=household_id,
        contact_point_id=contact_point_id, campaign_id=v["campaign_id"]), uow, None)
    return "created" if created else "unchanged"


CADRES = KindSpec({
    "name": Column("姓名"), "work_unit_id": Column("工作单位", unit_ref),
    "rank": Column("职级", _rank, optional=True), "party_member": Column("是否党员", _yes_no),
    "branch_id": Column("所在党支部", unit_ref, optional=True),
    "duty_post": Column("设岗定责", choice(_POSTS, DutyPost), optional=True),
    "phone": Column("联系电话", _phone, optional=True),
    "subject": Column("登录账号", optional=True),
}, _cadre, _CADRE_API)
PAIRINGS = KindSpec({
    "cadre_subject": Column("干部登录账号", optional=True),
    "cadre_id": Column("干部 id", uuid_of("a cadre id"), optional=True),
    "cadre_phone": Column("干部联系电话", _phone, optional=True),
    "org_unit_id": Column("村/社区 id", unit_id, optional=True),
    "household_no": Column("户编号", optional=True),
    "contact_point_id": Column("联系点", unit_ref, optional=True),
    "campaign_id": Column("活动 id", uuid_of("a campaign id"), optional=True),
    "started_on": Column("结对日期", date),
}, _pairing, _PAIRING_API, any_of=(("cadre_subject", "cadre_id", "cadre_phone"),
                                   ("household_no", "contact_point_id")))
