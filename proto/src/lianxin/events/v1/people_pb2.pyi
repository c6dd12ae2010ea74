from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
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
ORG_UNIT_KIND_UNSPECIFIED: OrgUnitKind
ORG_UNIT_KIND_COUNTY: OrgUnitKind
ORG_UNIT_KIND_TOWNSHIP: OrgUnitKind
ORG_UNIT_KIND_VILLAGE: OrgUnitKind
ORG_UNIT_KIND_COMMUNITY: OrgUnitKind
ORG_UNIT_KIND_GRID: OrgUnitKind
ORG_UNIT_KIND_DEPARTMENT: OrgUnitKind
ORG_UNIT_KIND_PARTY_ORG: OrgUnitKind

class OrgUnitCreated(_message.Message):
    __slots__ = ("org_unit_id", "parent_id", "name", "kind", "path")
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    org_unit_id: str
    parent_id: str
    name: str
    kind: OrgUnitKind
    path: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, org_unit_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[OrgUnitKind, str]] = ..., path: _Optional[_Iterable[str]] = ...) -> None: ...
