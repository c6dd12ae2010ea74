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

class TicketKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_KIND_UNSPECIFIED: _ClassVar[TicketKind]
    TICKET_KIND_DEMAND: _ClassVar[TicketKind]
    TICKET_KIND_SUGGESTION: _ClassVar[TicketKind]
    TICKET_KIND_HELP: _ClassVar[TicketKind]
    TICKET_KIND_COMPLAINT: _ClassVar[TicketKind]
    TICKET_KIND_CONSULTATION: _ClassVar[TicketKind]
    TICKET_KIND_DISPUTE: _ClassVar[TicketKind]
    TICKET_KIND_STABILITY_RISK: _ClassVar[TicketKind]

class Ledger(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEDGER_UNSPECIFIED: _ClassVar[Ledger]
    LEDGER_LIVELIHOOD: _ClassVar[Ledger]
    LEDGER_NEEDY: _ClassVar[Ledger]
    LEDGER_STABILITY_RISK: _ClassVar[Ledger]
    LEDGER_DEPARTMENT_KEY: _ClassVar[Ledger]

class Urgency(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    URGENCY_UNSPECIFIED: _ClassVar[Urgency]
    URGENCY_ROUTINE: _ClassVar[Urgency]
    URGENCY_URGENT: _ClassVar[Urgency]
    URGENCY_EMERGENCY: _ClassVar[Urgency]

class TicketStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_STATUS_UNSPECIFIED: _ClassVar[TicketStatus]
    TICKET_STATUS_RECEIVED: _ClassVar[TicketStatus]
    TICKET_STATUS_ACCEPTED: _ClassVar[TicketStatus]
    TICKET_STATUS_ASSIGNED: _ClassVar[TicketStatus]
    TICKET_STATUS_IN_PROGRESS: _ClassVar[TicketStatus]
    TICKET_STATUS_RESOLVED: _ClassVar[TicketStatus]
    TICKET_STATUS_CLOSED: _ClassVar[TicketStatus]
    TICKET_STATUS_MERGED: _ClassVar[TicketStatus]

class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTCOME_UNSPECIFIED: _ClassVar[Outcome]
    OUTCOME_SOLVED: _ClassVar[Outcome]
    OUTCOME_PARTIALLY_SOLVED: _ClassVar[Outcome]
    OUTCOME_EXPLAINED: _ClassVar[Outcome]

class Satisfaction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SATISFACTION_UNSPECIFIED: _ClassVar[Satisfaction]
    SATISFACTION_SATISFIED: _ClassVar[Satisfaction]
    SATISFACTION_BASICALLY_SATISFIED: _ClassVar[Satisfaction]
    SATISFACTION_DISSATISFIED: _ClassVar[Satisfaction]

class Clock(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOCK_UNSPECIFIED: _ClassVar[Clock]
    CLOCK_ACCEPT: _ClassVar[Clock]
    CLOCK_HANDLE: _ClassVar[Clock]
    CLOCK_FEEDBACK: _ClassVar[Clock]

class AssignmentRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNMENT_ROLE_UNSPECIFIED: _ClassVar[AssignmentRole]
    ASSIGNMENT_ROLE_LEAD: _ClassVar[AssignmentRole]
    ASSIGNMENT_ROLE_CO: _ClassVar[AssignmentRole]
    ASSIGNMENT_ROLE_LOCAL: _ClassVar[AssignmentRole]

class DelayOn(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELAY_ON_UNSPECIFIED: _ClassVar[DelayOn]
    DELAY_ON_DISPATCHER: _ClassVar[DelayOn]
    DELAY_ON_DEPARTMENT: _ClassVar[DelayOn]

class CloseReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOSE_REASON_UNSPECIFIED: _ClassVar[CloseReason]
    CLOSE_REASON_RATED: _ClassVar[CloseReason]
    CLOSE_REASON_NO_RATING: _ClassVar[CloseReason]
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
TICKET_KIND_UNSPECIFIED: TicketKind
TICKET_KIND_DEMAND: TicketKind
TICKET_KIND_SUGGESTION: TicketKind
TICKET_KIND_HELP: TicketKind
TICKET_KIND_COMPLAINT: TicketKind
TICKET_KIND_CONSULTATION: TicketKind
TICKET_KIND_DISPUTE: TicketKind
TICKET_KIND_STABILITY_RISK: TicketKind
LEDGER_UNSPECIFIED: Ledger
LEDGER_LIVELIHOOD: Ledger
LEDGER_NEEDY: Ledger
LEDGER_STABILITY_RISK: Ledger
LEDGER_DEPARTMENT_KEY: Ledger
URGENCY_UNSPECIFIED: Urgency
URGENCY_ROUTINE: Urgency
URGENCY_URGENT: Urgency
URGENCY_EMERGENCY: Urgency
TICKET_STATUS_UNSPECIFIED: TicketStatus
TICKET_STATUS_RECEIVED: TicketStatus
TICKET_STATUS_ACCEPTED: TicketStatus
TICKET_STATUS_ASSIGNED: TicketStatus
TICKET_STATUS_IN_PROGRESS: TicketStatus
TICKET_STATUS_RESOLVED: TicketStatus
TICKET_STATUS_CLOSED: TicketStatus
TICKET_STATUS_MERGED: TicketStatus
OUTCOME_UNSPECIFIED: Outcome
OUTCOME_SOLVED: Outcome
OUTCOME_PARTIALLY_SOLVED: Outcome
OUTCOME_EXPLAINED: Outcome
SATISFACTION_UNSPECIFIED: Satisfaction
SATISFACTION_SATISFIED: Satisfaction
SATISFACTION_BASICALLY_SATISFIED: Satisfaction
SATISFACTION_DISSATISFIED: Satisfaction
CLOCK_UNSPECIFIED: Clock
CLOCK_ACCEPT: Clock
CLOCK_HANDLE: Clock
CLOCK_FEEDBACK: Clock
ASSIGNMENT_ROLE_UNSPECIFIED: AssignmentRole
ASSIGNMENT_ROLE_LEAD: AssignmentRole
ASSIGNMENT_ROLE_CO: AssignmentRole
ASSIGNMENT_ROLE_LOCAL: AssignmentRole
DELAY_ON_UNSPECIFIED: DelayOn
DELAY_ON_DISPATCHER: DelayOn
DELAY_ON_DEPARTMENT: DelayOn
CLOSE_REASON_UNSPECIFIED: CloseReason
CLOSE_REASON_RATED: CloseReason
CLOSE_REASON_NO_RATING: CloseReason

class TicketSubmitted(_message.Message):
    __slots__ = ("ticket_id", "org_unit_id", "org_path", "channel", "category", "text_length", "kind", "ledger", "urgency", "code", "resident_id", "household_id", "visit_id", "pairing_id", "anonymous", "confidential", "accept_due", "accept_due_provisional", "imported", "submitted_at", "handling_unit_id", "photo_count")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    TEXT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LEDGER_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    PAIRING_ID_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DUE_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DUE_PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    IMPORTED_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    HANDLING_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    PHOTO_COUNT_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    org_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    channel: Channel
    category: str
    text_length: int
    kind: TicketKind
    ledger: Ledger
    urgency: Urgency
    code: str
    resident_id: str
    household_id: str
    visit_id: str
    pairing_id: str
    anonymous: bool
    confidential: bool
    accept_due: str
    accept_due_provisional: bool
    imported: bool
    submitted_at: str
    handling_unit_id: str
    photo_count: int
    def __init__(self, ticket_id: _Optional[str] = ..., org_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ..., channel: _Optional[_Union[Channel, str]] = ..., category: _Optional[str] = ..., text_length: _Optional[int] = ..., kind: _Optional[_Union[TicketKind, str]] = ..., ledger: _Optional[_Union[Ledger, str]] = ..., urgency: _Optional[_Union[Urgency, str]] = ..., code: _Optional[str] = ..., resident_id: _Optional[str] = ..., household_id: _Optional[str] = ..., visit_id: _Optional[str] = ..., pairing_id: _Optional[str] = ..., anonymous: _Optional[bool] = ..., confidential: _Optional[bool] = ..., accept_due: _Optional[str] = ..., accept_due_provisional: _Optional[bool] = ..., imported: _Optional[bool] = ..., submitted_at: _Optional[str] = ..., handling_unit_id: _Optional[str] = ..., photo_count: _Optional[int] = ...) -> None: ...

class TicketAccepted(_message.Message):
    __slots__ = ("ticket_id", "handling_unit_id", "status", "handle_due", "handle_due_provisional", "on_time")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    HANDLING_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    handling_unit_id: str
    status: TicketStatus
    handle_due: str
    handle_due_provisional: bool
    on_time: bool
    def __init__(self, ticket_id: _Optional[str] = ..., handling_unit_id: _Optional[str] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., handle_due: _Optional[str] = ..., handle_due_provisional: _Optional[bool] = ..., on_time: _Optional[bool] = ...) -> None: ...

class TicketEscalated(_message.Message):
    __slots__ = ("ticket_id", "from_unit_id", "to_unit_id", "to_path", "status", "by_policy", "accept_due", "handle_due", "due_provisional")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    TO_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    TO_PATH_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BY_POLICY_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DUE_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_FIELD_NUMBER: _ClassVar[int]
    DUE_PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    from_unit_id: str
    to_unit_id: str
    to_path: _containers.RepeatedScalarFieldContainer[str]
    status: TicketStatus
    by_policy: bool
    accept_due: str
    handle_due: str
    due_provisional: bool
    def __init__(self, ticket_id: _Optional[str] = ..., from_unit_id: _Optional[str] = ..., to_unit_id: _Optional[str] = ..., to_path: _Optional[_Iterable[str]] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., by_policy: _Optional[bool] = ..., accept_due: _Optional[str] = ..., handle_due: _Optional[str] = ..., due_provisional: _Optional[bool] = ...) -> None: ...

class TicketDispatched(_message.Message):
    __slots__ = ("ticket_id", "assignment_id", "department_id", "department_path", "role", "due", "due_provisional", "responsible_cadre_id", "status", "replaces_assignment_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_PATH_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    DUE_PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_CADRE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REPLACES_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    assignment_id: str
    department_id: str
    department_path: _containers.RepeatedScalarFieldContainer[str]
    role: AssignmentRole
    due: str
    due_provisional: bool
    responsible_cadre_id: str
    status: TicketStatus
    replaces_assignment_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., department_id: _Optional[str] = ..., department_path: _Optional[_Iterable[str]] = ..., role: _Optional[_Union[AssignmentRole, str]] = ..., due: _Optional[str] = ..., due_provisional: _Optional[bool] = ..., responsible_cadre_id: _Optional[str] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., replaces_assignment_id: _Optional[str] = ...) -> None: ...

class TicketDispatchReturned(_message.Message):
    __slots__ = ("ticket_id", "assignment_id", "department_id", "status", "held_working_days")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HELD_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    assignment_id: str
    department_id: str
    status: TicketStatus
    held_working_days: float
    def __init__(self, ticket_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., department_id: _Optional[str] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., held_working_days: _Optional[float] = ...) -> None: ...

class TicketReassigned(_message.Message):
    __slots__ = ("ticket_id", "returned_assignment_id", "delay_on")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    RETURNED_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DELAY_ON_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    returned_assignment_id: str
    delay_on: DelayOn
    def __init__(self, ticket_id: _Optional[str] = ..., returned_assignment_id: _Optional[str] = ..., delay_on: _Optional[_Union[DelayOn, str]] = ...) -> None: ...

class TicketStarted(_message.Message):
    __slots__ = ("ticket_id", "assignment_id", "status")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    assignment_id: str
    status: TicketStatus
    def __init__(self, ticket_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., status: _Optional[_Union[TicketStatus, str]] = ...) -> None: ...

class AssignmentCompleted(_message.Message):
    __slots__ = ("ticket_id", "assignment_id", "department_id", "on_time")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    assignment_id: str
    department_id: str
    on_time: bool
    def __init__(self, ticket_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., department_id: _Optional[str] = ..., on_time: _Optional[bool] = ...) -> None: ...

class TicketResolved(_message.Message):
    __slots__ = ("ticket_id", "outcome", "on_the_spot", "status", "feedback_due", "feedback_due_provisional", "on_time", "handling_working_days")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ON_THE_SPOT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_DUE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_DUE_PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    HANDLING_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    outcome: Outcome
    on_the_spot: bool
    status: TicketStatus
    feedback_due: str
    feedback_due_provisional: bool
    on_time: bool
    handling_working_days: float
    def __init__(self, ticket_id: _Optional[str] = ..., outcome: _Optional[_Union[Outcome, str]] = ..., on_the_spot: _Optional[bool] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., feedback_due: _Optional[str] = ..., feedback_due_provisional: _Optional[bool] = ..., on_time: _Optional[bool] = ..., handling_working_days: _Optional[float] = ...) -> None: ...

class TicketAnswered(_message.Message):
    __slots__ = ("ticket_id", "channel", "reply_length", "on_time")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REPLY_LENGTH_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    channel: Channel
    reply_length: int
    on_time: bool
    def __init__(self, ticket_id: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., reply_length: _Optional[int] = ..., on_time: _Optional[bool] = ...) -> None: ...

class TicketRated(_message.Message):
    __slots__ = ("ticket_id", "solved", "satisfaction", "by_staff")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    SOLVED_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    BY_STAFF_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    solved: bool
    satisfaction: Satisfaction
    by_staff: bool
    def __init__(self, ticket_id: _Optional[str] = ..., solved: _Optional[bool] = ..., satisfaction: _Optional[_Union[Satisfaction, str]] = ..., by_staff: _Optional[bool] = ...) -> None: ...

class TicketReopened(_message.Message):
    __slots__ = ("ticket_id", "reopen_count", "status", "handle_due", "handle_due_provisional")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    REOPEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    reopen_count: int
    status: TicketStatus
    handle_due: str
    handle_due_provisional: bool
    def __init__(self, ticket_id: _Optional[str] = ..., reopen_count: _Optional[int] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., handle_due: _Optional[str] = ..., handle_due_provisional: _Optional[bool] = ...) -> None: ...

class TicketClosed(_message.Message):
    __slots__ = ("ticket_id", "reason", "satisfaction")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    reason: CloseReason
    satisfaction: Satisfaction
    def __init__(self, ticket_id: _Optional[str] = ..., reason: _Optional[_Union[CloseReason, str]] = ..., satisfaction: _Optional[_Union[Satisfaction, str]] = ...) -> None: ...

class TicketMerged(_message.Message):
    __slots__ = ("ticket_id", "master_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    MASTER_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    master_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., master_id: _Optional[str] = ...) -> None: ...

class TicketPaused(_message.Message):
    __slots__ = ("ticket_id",)
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    def __init__(self, ticket_id: _Optional[str] = ...) -> None: ...

class TicketResumed(_message.Message):
    __slots__ = ("ticket_id", "paused_hours", "handle_due")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    PAUSED_HOURS_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    paused_hours: float
    handle_due: str
    def __init__(self, ticket_id: _Optional[str] = ..., paused_hours: _Optional[float] = ..., handle_due: _Optional[str] = ...) -> None: ...

class TicketExtensionRequested(_message.Message):
    __slots__ = ("ticket_id", "extension_id", "working_days")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    extension_id: str
    working_days: int
    def __init__(self, ticket_id: _Optional[str] = ..., extension_id: _Optional[str] = ..., working_days: _Optional[int] = ...) -> None: ...

class TicketExtensionDecided(_message.Message):
    __slots__ = ("ticket_id", "extension_id", "approved", "handle_due", "handle_due_provisional")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    extension_id: str
    approved: bool
    handle_due: str
    handle_due_provisional: bool
    def __init__(self, ticket_id: _Optional[str] = ..., extension_id: _Optional[str] = ..., approved: _Optional[bool] = ..., handle_due: _Optional[str] = ..., handle_due_provisional: _Optional[bool] = ...) -> None: ...

class TicketDeadlinesRecomputed(_message.Message):
    __slots__ = ("ticket_id", "accept_due", "handle_due", "feedback_due", "provisional")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DUE_FIELD_NUMBER: _ClassVar[int]
    HANDLE_DUE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_DUE_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    accept_due: str
    handle_due: str
    feedback_due: str
    provisional: bool
    def __init__(self, ticket_id: _Optional[str] = ..., accept_due: _Optional[str] = ..., handle_due: _Optional[str] = ..., feedback_due: _Optional[str] = ..., provisional: _Optional[bool] = ...) -> None: ...

class TicketDueSoon(_message.Message):
    __slots__ = ("ticket_id", "clock", "due", "org_path")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    clock: Clock
    due: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ticket_id: _Optional[str] = ..., clock: _Optional[_Union[Clock, str]] = ..., due: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ...) -> None: ...

class TicketOverdue(_message.Message):
    __slots__ = ("ticket_id", "clock", "due", "level", "org_path", "handling_unit_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    HANDLING_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    clock: Clock
    due: str
    level: int
    org_path: _containers.RepeatedScalarFieldContainer[str]
    handling_unit_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., clock: _Optional[_Union[Clock, str]] = ..., due: _Optional[str] = ..., level: _Optional[int] = ..., org_path: _Optional[_Iterable[str]] = ..., handling_unit_id: _Optional[str] = ...) -> None: ...

class SupervisionOpened(_message.Message):
    __slots__ = ("notice_id", "ticket_id", "clock", "level", "supervising_unit_id", "org_path")
    NOTICE_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SUPERVISING_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_PATH_FIELD_NUMBER: _ClassVar[int]
    notice_id: str
    ticket_id: str
    clock: Clock
    level: int
    supervising_unit_id: str
    org_path: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, notice_id: _Optional[str] = ..., ticket_id: _Optional[str] = ..., clock: _Optional[_Union[Clock, str]] = ..., level: _Optional[int] = ..., supervising_unit_id: _Optional[str] = ..., org_path: _Optional[_Iterable[str]] = ...) -> None: ...

class SupervisionClosed(_message.Message):
    __slots__ = ("notice_id", "ticket_id")
    NOTICE_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    notice_id: str
    ticket_id: str
    def __init__(self, notice_id: _Optional[str] = ..., ticket_id: _Optional[str] = ...) -> None: ...

class WhistleBlown(_message.Message):
    __slots__ = ("whistle_id", "ticket_id", "blower_unit_id", "blower_path", "urgency", "report_in_due", "task_ids", "department_ids")
    WHISTLE_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    BLOWER_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    BLOWER_PATH_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    REPORT_IN_DUE_FIELD_NUMBER: _ClassVar[int]
    TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    whistle_id: str
    ticket_id: str
    blower_unit_id: str
    blower_path: _containers.RepeatedScalarFieldContainer[str]
    urgency: Urgency
    report_in_due: str
    task_ids: _containers.RepeatedScalarFieldContainer[str]
    department_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, whistle_id: _Optional[str] = ..., ticket_id: _Optional[str] = ..., blower_unit_id: _Optional[str] = ..., blower_path: _Optional[_Iterable[str]] = ..., urgency: _Optional[_Union[Urgency, str]] = ..., report_in_due: _Optional[str] = ..., task_ids: _Optional[_Iterable[str]] = ..., department_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class WhistleReportedIn(_message.Message):
    __slots__ = ("whistle_id", "task_id", "department_id", "late", "late_seconds")
    WHISTLE_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    LATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    whistle_id: str
    task_id: str
    department_id: str
    late: bool
    late_seconds: int
    def __init__(self, whistle_id: _Optional[str] = ..., task_id: _Optional[str] = ..., department_id: _Optional[str] = ..., late: _Optional[bool] = ..., late_seconds: _Optional[int] = ...) -> None: ...

class WhistleTaskStarted(_message.Message):
    __slots__ = ("whistle_id", "task_id", "department_id")
    WHISTLE_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    whistle_id: str
    task_id: str
    department_id: str
    def __init__(self, whistle_id: _Optional[str] = ..., task_id: _Optional[str] = ..., department_id: _Optional[str] = ...) -> None: ...

class WhistleTaskCompleted(_message.Message):
    __slots__ = ("whistle_id", "task_id", "department_id")
    WHISTLE_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    whistle_id: str
    task_id: str
    department_id: str
    def __init__(self, whistle_id: _Optional[str] = ..., task_id: _Optional[str] = ..., department_id: _Optional[str] = ...) -> None: ...

class WhistleClosed(_message.Message):
    __slots__ = ("whistle_id", "ticket_id")
    WHISTLE_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    whistle_id: str
    ticket_id: str
    def __init__(self, whistle_id: _Optional[str] = ..., ticket_id: _Optional[str] = ...) -> None: ...
