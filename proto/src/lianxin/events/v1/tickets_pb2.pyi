from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_HOME_VISIT: _ClassVar[Channel]
    CHANNEL_HOTLINE: _ClassVar[Channel]
    CHANNEL_WECHAT: _ClassVar[Channel]
    CHANNEL_LETTER: _ClassVar[Channel]
    CHANNEL_SUGGESTION_BOX: _ClassVar[Channel]
    CHANNEL_COURTYARD_MEETING: _ClassVar[Channel]
    CHANNEL_WALK_IN: _ClassVar[Channel]
    CHANNEL_RECEPTION_DAY: _ClassVar[Channel]
    CHANNEL_PETITION: _ClassVar[Channel]
    CHANNEL_APP: _ClassVar[Channel]
    CHANNEL_MINI_PROGRAM: _ClassVar[Channel]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_HOME_VISIT: Channel
CHANNEL_HOTLINE: Channel
CHANNEL_WECHAT: Channel
CHANNEL_LETTER: Channel
CHANNEL_SUGGESTION_BOX: Channel
CHANNEL_COURTYARD_MEETING: Channel
CHANNEL_WALK_IN: Channel
CHANNEL_RECEPTION_DAY: Channel
CHANNEL_PETITION: Channel
CHANNEL_APP: Channel
CHANNEL_MINI_PROGRAM: Channel

class TicketSubmitted(_message.Message):
    __slots__ = ("ticket_id", "org_unit_id", "org_path", "channel", "category", "text_length")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    TEXT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    org_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    channel: Channel
    category: str
    text_length: int
    def __init__(self, ticket_id: _Optional[str] = ..., org_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., channel: _Optional[_Union[Channel, str]] = ..., category: _Optional[str] = ..., text_length: _Optional[int] = ...) -> None: ...
