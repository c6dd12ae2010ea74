"""Cadres (干部) and party members (党员), and the pairing quotas that depend on rank."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field

from lianxin.people.domain.common import clean_text
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.org import OrgUnit, OrgUnitKind, OrgUnitSubkind

MAX_NAME = 50


class Rank(enum.Enum):
    COUNTY_LEADER = "county_leader"  # 县级领导
    DIVISION = "division"            # 处级
    SECTION = "section"              # 科级
    STAFF = "staff"                  # 一般干部
    VILLAGE_CADRE = "village_cadre"  # 村干部


class DutyPost(enum.Enum):
    """Posts for party members without office (无职党员设岗定责): four groups, ~20 posts."""

    # 政策宣传类 — publicity
    POLICY_PUBLICITY = "policy_publicity"            # 政策宣传岗
    CIVILISED_CUSTOMS = "civilised_customs"          # 文明新风岗
    LEGAL_AWARENESS = "legal_awareness"              # 法律宣传岗
    TECH_DEMONSTRATION = "tech_demonstration"        # 科技示范岗
    # 民情服务类 — people's conditions
    PEOPLE_CONDITIONS = "people_conditions"          # 民情联络岗
    HELPING_THE_NEEDY = "helping_the_needy"          # 帮贫济困岗
    LEFT_BEHIND_CARE = "left_behind_care"            # 留守关爱岗
    ELDERLY_CARE = "elderly_care"                    # 敬老助老岗
    NEIGHBOUR_HELP = "neighbour_help"                # 邻里互助岗
    # 治安维稳类 — order and stability
    DISPUTE_MEDIATION = "dispute_mediation"          # 矛盾调解岗
    SECURITY_PATROL = "security_patrol"              # 治安巡逻岗
    STABILITY_INFO = "stability_info"                # 信访信息岗
    FIRE_AND_FOREST = "fire_and_forest"              # 护林防火岗
    # 公益建设类 — public works
    SANITATION = "sanitation"                        # 环境卫生岗
    WATER_WORKS = "water_works"                      # 水利管护岗
    ROAD_UPKEEP = "road_upkeep"                      # 道路维护岗
    INDUSTRY_LEADER = "industry_leader"              # 产业带富岗
    VILLAGE_AFFAIRS_OVERSIGHT = "village_affairs_oversight"  # 村务监督岗
    PROJECT_OVERSIGHT = "project_oversight"          # 项目监督岗
    DISASTER_WATCH = "disaster_watch"                # 防灾预警岗


# Households a cadre of each rank must be paired with when no campaign says otherwise:
# division level and above 5, section level and below 3 (Qujing); a party member without
# office (rank None) at least 1 (township party representatives, Lu county).
DEFAULT_QUOTA: dict[Rank | None, int] = {
    Rank.COUNTY_LEADER: 5, Rank.DIVISION: 5, Rank.SECTION: 3, Rank.STAFF: 3,
    Rank.VILLAGE_CADRE: 3, None: 1,
}


@dataclass(frozen=True, slots=True)
class Cadre:
    """A cadre, or a party member without office (rank None, with a duty post)."""

    id: uuid.UUID
    name: str
    work_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]
    rank: Rank | None
    party_member: bool
    branch_id: uuid.UUID | None = None
    duty_post: DutyPost | None = None
    phone: str | None = field(default=None, repr=False)
    subject: str | None = None  # the JWT subject the cadre signs in with
    version: int = 1

    def same_content(self, other: object) -> bool:
        return isinstance(other, Cadre) and (
            (self.name, self.work_unit_id, self.rank, self.party_member, self.branch_id,
             self.duty_post, self.phone, self.subject) ==
            (other.name, other.work_unit_id, other.rank, other.party_member, other.branch_id,
             other.duty_post, other.phone, other.subject))


def new_cadre(cadre_id: uuid.UUID, *, name: str, work_unit: OrgUnit, rank: Rank | None,
              party_member: bool, branch: OrgUnit | None, duty_post: DutyPost | None,
              phone: str | None, subject: str | None) -> Cadre:
    if rank is None and not party_member:
        raise InvalidInput("someone without a rank is registered as a party member without "
                           "office: set partyMember true, or give a rank", field="rank")
    if duty_post is not None and rank is not None:
        raise InvalidInput("duty posts (设岗定责) are for party members without office; leave "
                           "dutyPost empty for a cadre with a rank", field="dutyPost")
    if branch is not None:
        if not party_member:
            raise InvalidInput("only party members belong to a branch", field="branchId")
        if branch.kind is not OrgUnitKind.PARTY_ORG:
            raise InvalidInput(f"branchId must be a party organisation, not a {branch.kind.name} "
                               f"({branch.name})", field="branchId")
        if branch.subkind not in (None, OrgUnitSubkind.BRANCH, OrgUnitSubkind.GENERAL_BRANCH,
                                  OrgUnitSubkind.COMMITTEE):
            raise InvalidInput("branchId must be a party organisation", field="branchId")
    subject = (subject or "").strip() or None
    return Cadre(id=cadre_id, name=clean_text(name, "name", max_length=MAX_NAME),
                 work_unit_id=work_unit.id, org_path=work_unit.path, rank=rank,
                 party_member=party_member, branch_id=branch.id if branch else None,
                 duty_post=duty_post, phone=phone, subject=subject)
