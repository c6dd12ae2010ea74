from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrgUnitKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORG_UNIT_KIND_UNSPECIFIED: _ClassVar[OrgUnitKind]
    ORG_UNIT_KIND_COUNTY: _ClassVar[OrgUnitKind]
    ORG_UNIT_KIND_TOWNSHIP: _ClassVar[OrgUnitKind]
    ORG_UNIT_KIND_VILLAGE: _ClassVar[OrgUnitKind]
    ORG_UNIT_KIND_COMMUNITY: _ClassVar[OrgUnitKind]
    ORG_UNIT_KIND_GRID: _ClassVar[OrgUnitKind]
    ORG_UNIT_KIND_DEPARTMENT: _ClassVar[OrgUnitKind]
    ORG_UNIT_KIND_PARTY_ORG: _ClassVar[OrgUnitKind]

class OrgUnitSubkind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORG_UNIT_SUBKIND_UNSPECIFIED: _ClassVar[OrgUnitSubkind]
    ORG_UNIT_SUBKIND_XIANG: _ClassVar[OrgUnitSubkind]
    ORG_UNIT_SUBKIND_ZHEN: _ClassVar[OrgUnitSubkind]
    ORG_UNIT_SUBKIND_JIEDAO: _ClassVar[OrgUnitSubkind]
    ORG_UNIT_SUBKIND_COMMITTEE: _ClassVar[OrgUnitSubkind]
    ORG_UNIT_SUBKIND_GENERAL_BRANCH: _ClassVar[OrgUnitSubkind]
    ORG_UNIT_SUBKIND_BRANCH: _ClassVar[OrgUnitSubkind]

class CadreRank(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CADRE_RANK_UNSPECIFIED: _ClassVar[CadreRank]
    CADRE_RANK_COUNTY_LEADER: _ClassVar[CadreRank]
    CADRE_RANK_DIVISION: _ClassVar[CadreRank]
    CADRE_RANK_SECTION: _ClassVar[CadreRank]
    CADRE_RANK_STAFF: _ClassVar[CadreRank]
    CADRE_RANK_VILLAGE_CADRE: _ClassVar[CadreRank]

class VisitKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VISIT_KIND_UNSPECIFIED: _ClassVar[VisitKind]
    VISIT_KIND_HOME_VISIT: _ClassVar[VisitKind]
    VISIT_KIND_COURTYARD_MEETING: _ClassVar[VisitKind]
    VISIT_KIND_FORUM: _ClassVar[VisitKind]
    VISIT_KIND_RECEPTION_DAY: _ClassVar[VisitKind]
ORG_UNIT_KIND_UNSPECIFIED: OrgUnitKind
ORG_UNIT_KIND_COUNTY: OrgUnitKind
ORG_UNIT_KIND_TOWNSHIP: OrgUnitKind
ORG_UNIT_KIND_VILLAGE: OrgUnitKind
ORG_UNIT_KIND_COMMUNITY: OrgUnitKind
ORG_UNIT_KIND_GRID: OrgUnitKind
ORG_UNIT_KIND_DEPARTMENT: OrgUnitKind
ORG_UNIT_KIND_PARTY_ORG: OrgUnitKind
ORG_UNIT_SUBKIND_UNSPECIFIED: OrgUnitSubkind
ORG_UNIT_SUBKIND_XIANG: OrgUnitSubkind
ORG_UNIT_SUBKIND_ZHEN: OrgUnitSubkind
ORG_UNIT_SUBKIND_JIEDAO: OrgUnitSubkind
ORG_UNIT_SUBKIND_COMMITTEE: OrgUnitSubkind
ORG_UNIT_SUBKIND_GENERAL_BRANCH: OrgUnitSubkind
ORG_UNIT_SUBKIND_BRANCH: OrgUnitSubkind
CADRE_RANK_UNSPECIFIED: CadreRank
CADRE_RANK_COUNTY_LEADER: CadreRank
CADRE_RANK_DIVISION: CadreRank
CADRE_RANK_SECTION: CadreRank
CADRE_RANK_STAFF: CadreRank
CADRE_RANK_VILLAGE_CADRE: CadreRank
VISIT_KIND_UNSPECIFIED: VisitKind
VISIT_KIND_HOME_VISIT: VisitKind
VISIT_KIND_COURTYARD_MEETING: VisitKind
VISIT_KIND_FORUM: VisitKind
VISIT_KIND_RECEPTION_DAY: VisitKind

class OrgUnitCreated(_message.Message):
    __slots__ = ("org_unit_id", "parent_id", "name", "kind", "path", "subkind")
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    SUBKIND_FIELD_NUMBER: _ClassVar[int]
    org_unit_id: str
    parent_id: str
    name: str
    kind: OrgUnitKind
    path: _containers.RepeatedScalarFieldContainer[str]
    subkind: OrgUnitSubkind
    def __init__(self, org_unit_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[OrgUnitKind, str]] = ..., path: _Optional[_Iterable[str]] = ..., subkind: _Optional[_Union[OrgUnitSubkind, str]] = ...) -> None: ...

class OrgUnitRenamed(_message.Message):
    __slots__ = ("org_unit_id", "name")
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    org_unit_id: str
    name: str
    def __init__(self, org_unit_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class OrgUnitMoved(_message.Message):
    __slots__ = ("org_unit_id", "parent_id", "path", "old_path")
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    OLD_PATH_FIELD_NUMBER: _ClassVar[int]
    org_unit_id: str
    parent_id: str
    path: _containers.RepeatedScalarFieldContainer[str]
    old_path: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, org_unit_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., path: _Optional[_Iterable[str]] = ..., old_path: _Optional[_Iterable[str]] = ...) -> None: ...

class HouseholdRegistered(_message.Message):
    __slots__ = ("household_id", "org_unit_id", "org_path", "address_masked", "household_no")
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_MASKED_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_NO_FIELD_NUMBER: _ClassVar[int]
    household_id: str
    org_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    address_masked: str
    household_no: str
    def __init__(self, household_id: _Optional[str] = ..., org_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., address_masked: _Optional[str] = ..., household_no: _Optional[str] = ...) -> None: ...

class HouseholdChanged(_message.Message):
    __slots__ = ("household_id", "org_unit_id", "org_path", "address_masked", "household_no", "head_resident_id")
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_MASKED_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_NO_FIELD_NUMBER: _ClassVar[int]
    HEAD_RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    household_id: str
    org_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    address_masked: str
    household_no: str
    head_resident_id: str
    def __init__(self, household_id: _Optional[str] = ..., org_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., address_masked: _Optional[str] = ..., household_no: _Optional[str] = ..., head_resident_id: _Optional[str] = ...) -> None: ...

class ResidentRegistered(_message.Message):
    __slots__ = ("resident_id", "household_id", "org_unit_id", "org_path", "phone_masked")
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    PHONE_MASKED_FIELD_NUMBER: _ClassVar[int]
    resident_id: str
    household_id: str
    org_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    phone_masked: str
    def __init__(self, resident_id: _Optional[str] = ..., household_id: _Optional[str] = ..., org_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., phone_masked: _Optional[str] = ...) -> None: ...

class ResidentChanged(_message.Message):
    __slots__ = ("resident_id", "household_id", "org_unit_id", "org_path", "phone_masked")
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    PHONE_MASKED_FIELD_NUMBER: _ClassVar[int]
    resident_id: str
    household_id: str
    org_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    phone_masked: str
    def __init__(self, resident_id: _Optional[str] = ..., household_id: _Optional[str] = ..., org_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., phone_masked: _Optional[str] = ...) -> None: ...

class NeedsTagAdded(_message.Message):
    __slots__ = ("tag_id", "household_id", "org_path", "since", "until")
    TAG_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    tag_id: str
    household_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    since: str
    until: str
    def __init__(self, tag_id: _Optional[str] = ..., household_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., since: _Optional[str] = ..., until: _Optional[str] = ...) -> None: ...

class NeedsTagRemoved(_message.Message):
    __slots__ = ("tag_id", "household_id", "org_path", "until")
    TAG_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    tag_id: str
    household_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    until: str
    def __init__(self, tag_id: _Optional[str] = ..., household_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., until: _Optional[str] = ...) -> None: ...

class CadreRegistered(_message.Message):
    __slots__ = ("cadre_id", "work_unit_id", "org_path", "rank", "party_member", "branch_id", "subject", "duty_post")
    CADRE_ID_FIELD_NUMBER: _ClassVar[int]
    WORK_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    PARTY_MEMBER_FIELD_NUMBER: _ClassVar[int]
    BRANCH_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DUTY_POST_FIELD_NUMBER: _ClassVar[int]
    cadre_id: str
    work_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    rank: CadreRank
    party_member: bool
    branch_id: str
    subject: str
    duty_post: str
    def __init__(self, cadre_id: _Optional[str] = ..., work_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., rank: _Optional[_Union[CadreRank, str]] = ..., party_member: _Optional[bool] = ..., branch_id: _Optional[str] = ..., subject: _Optional[str] = ..., duty_post: _Optional[str] = ...) -> None: ...

class PairingCreated(_message.Message):
    __slots__ = ("pairing_id", "cadre_id", "household_id", "contact_point_id", "campaign_id", "org_path", "started_on", "card_no")
    PAIRING_ID_FIELD_NUMBER: _ClassVar[int]
    CADRE_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    STARTED_ON_FIELD_NUMBER: _ClassVar[int]
    CARD_NO_FIELD_NUMBER: _ClassVar[int]
    pairing_id: str
    cadre_id: str
    household_id: str
    contact_point_id: str
    campaign_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    started_on: str
    card_no: str
    def __init__(self, pairing_id: _Optional[str] = ..., cadre_id: _Optional[str] = ..., household_id: _Optional[str] = ..., contact_point_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., started_on: _Optional[str] = ..., card_no: _Optional[str] = ...) -> None: ...

class PairingEnded(_message.Message):
    __slots__ = ("pairing_id", "cadre_id", "household_id", "contact_point_id", "ended_on", "reason")
    PAIRING_ID_FIELD_NUMBER: _ClassVar[int]
    CADRE_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    ENDED_ON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    pairing_id: str
    cadre_id: str
    household_id: str
    contact_point_id: str
    ended_on: str
    reason: str
    def __init__(self, pairing_id: _Optional[str] = ..., cadre_id: _Optional[str] = ..., household_id: _Optional[str] = ..., contact_point_id: _Optional[str] = ..., ended_on: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class VisitLogged(_message.Message):
    __slots__ = ("visit_id", "kind", "cadre_id", "participant_cadre_ids", "household_ids", "org_unit_id", "org_path", "visited_on", "ticket_ids", "campaign_id")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CADRE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_CADRE_IDS_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_IDS_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    VISITED_ON_FIELD_NUMBER: _ClassVar[int]
    TICKET_IDS_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    kind: VisitKind
    cadre_id: str
    participant_cadre_ids: _containers.RepeatedScalarFieldContainer[str]
    household_ids: _containers.RepeatedScalarFieldContainer[str]
    org_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    visited_on: str
    ticket_ids: _containers.RepeatedScalarFieldContainer[str]
    campaign_id: str
    def __init__(self, visit_id: _Optional[str] = ..., kind: _Optional[_Union[VisitKind, str]] = ..., cadre_id: _Optional[str] = ..., participant_cadre_ids: _Optional[_Iterable[str]] = ..., household_ids: _Optional[_Iterable[str]] = ..., org_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., visited_on: _Optional[str] = ..., ticket_ids: _Optional[_Iterable[str]] = ..., campaign_id: _Optional[str] = ...) -> None: ...

class CampaignCreated(_message.Message):
    __slots__ = ("campaign_id", "name", "org_unit_id", "org_path", "starts_on", "ends_on", "min_households", "quota_by_rank", "coverage_target", "org_unit_ids", "cadre_ids")
    class QuotaByRankEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    STARTS_ON_FIELD_NUMBER: _ClassVar[int]
    ENDS_ON_FIELD_NUMBER: _ClassVar[int]
    MIN_HOUSEHOLDS_FIELD_NUMBER: _ClassVar[int]
    QUOTA_BY_RANK_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_TARGET_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_IDS_FIELD_NUMBER: _ClassVar[int]
    CADRE_IDS_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    name: str
    org_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    starts_on: str
    ends_on: str
    min_households: int
    quota_by_rank: _containers.ScalarMap[str, int]
    coverage_target: float
    org_unit_ids: _containers.RepeatedScalarFieldContainer[str]
    cadre_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, campaign_id: _Optional[str] = ..., name: _Optional[str] = ..., org_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., starts_on: _Optional[str] = ..., ends_on: _Optional[str] = ..., min_households: _Optional[int] = ..., quota_by_rank: _Optional[_Mapping[str, int]] = ..., coverage_target: _Optional[float] = ..., org_unit_ids: _Optional[_Iterable[str]] = ..., cadre_ids: _Optional[_Iterable[str]] = ...) -> None: ...
