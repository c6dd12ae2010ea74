"""Ticket lists in GraphQL: the filter input, page arguments and the connection they answer with
(`OrgUnit.tickets`, `Household.tickets`, `Cadre.assignedTickets`, `Query.myTickets`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import strawberry
from lianxin.kit.errors import InvalidInput
from lianxin.kit.gqltypes import Connection, check_first, decode_keyset, page
from lianxin.kit.ids import parse_id
from lianxin.tickets.api.common import GqlInfo
from lianxin.tickets.api.enums import (
    ChannelEnum,
    KindEnum,
    LedgerEnum,
    StatusEnum,
    UrgencyEnum,
)
from lianxin.tickets.app.queries import ListQuery, TicketFilter, TicketPage
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

if TYPE_CHECKING:
    from lianxin.tickets.api.types import TicketType

MAX_TEXT_QUERY = 100


@strawberry.input(name="TicketFilter", description="Which tickets a list shows; every field "
                  "left out matches all. Fields combine with AND, the values inside one field "
                  "with OR")
class TicketFilterInput:
    statuses: list[StatusEnum] | None = None  # type: ignore[valid-type]
    kinds: list[KindEnum] | None = None  # type: ignore[valid-type]
    categories: list[str] | None = strawberry.field(
        default=None, description="Category codes; a code matches its sub-categories too "
                                  "(water matches water.supply)")
    ledgers: list[LedgerEnum] | None = None  # type: ignore[valid-type]
    channels: list[ChannelEnum] | None = None  # type: ignore[valid-type]
    urgencies: list[UrgencyEnum] | None = None  # type: ignore[valid-type]
    overdue: bool | None = strawberry.field(
        default=None, description="true: the running deadline (accept, handle or feedback) has "
                                  "passed and the ticket is not paused; false: it has not")
    submitted_from: dt.datetime | None = strawberry.field(
        default=None, description="Submitted at or after")
    submitted_to: dt.datetime | None = strawberry.field(
        default=None, description="Submitted before (exclusive)")
    text: str | None = strawberry.field(
        default=None, description="A piece of the verbatim text or of the code")
    involving_department: strawberry.ID | None = strawberry.field(
        default=None, description="Only tickets on which this department has (or had) a task")


def to_filter(f: TicketFilterInput | None) -> TicketFilter:
    """The use cases' filter from the GraphQL input (InvalidInput naming the field to fix)."""
    if f is None:
        return TicketFilter()
    text = " ".join((f.text or "").split()) or None
    if text is not None and len(text) > MAX_TEXT_QUERY:
        raise InvalidInput(f"text must be at most {MAX_TEXT_QUERY} characters", field="text")
    if f.submitted_from and f.submitted_to and f.submitted_to <= f.submitted_from:
        raise InvalidInput("submittedTo must be after submittedFrom", field="submittedTo")
    for name, value in (("submittedFrom", f.submitted_from), ("submittedTo", f.submitted_to)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone, e.g. 2026-10-01T00:00:00+08:00",
                               field=name)
    return TicketFilter(
        statuses=tuple(f.statuses or ()), kinds=tuple(f.kinds or ()),
        categories=tuple(sorted({c.strip() for c in f.categories or () if c.strip()})),
        ledgers=tuple(f.ledgers or ()), channels=tuple(f.channels or ()),
        urgencies=tuple(f.urgencies or ()), overdue=f.overdue,
        submitted_from=f.submitted_from, submitted_to=f.submitted_to, text=text,
        involving_department=parse_id(f.involving_department, "involvingDepartment")
        if f.involving_department else None)


def list_query(info: GqlInfo, first: int, after: str | None,
               filter: TicketFilterInput | None = None) -> ListQuery:
    """A page request: one row more than shown (to know whether another page exists), counted
    only when the query selects totalCount."""
    first = check_first(first)
    return ListQuery(limit=first + 1, filter=to_filter(filter),
                     after=decode_keyset(after, dt.datetime.fromisoformat),
                     count=_selects(info.selected_fields, "totalCount"))


def _selects(selections: Sequence[Selection], name: str) -> bool:
    for s in selections:
        for child in getattr(s, "selections", []):
            if isinstance(child, SelectedField) and child.name == name:
                return True
            if isinstance(child, InlineFragment | FragmentSpread) and _selects([child], name):
                return True
    return False


def connection(found: TicketPage, query: ListQuery) -> Connection[TicketType]:
    """The connection for a fetched page (`query.limit` is one more than shown)."""
    from lianxin.tickets.api.types import TicketType

    return page(found.tickets, query.limit - 1,
                lambda t: (t.submitted_at.isoformat(), str(t.id)), TicketType.from_domain,
                total=found.total)
