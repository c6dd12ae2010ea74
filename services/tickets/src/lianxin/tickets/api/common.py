"""What every tickets resolver needs: the request's unit of work, the caller as an Actor, ids
parsed from the input, references to other subgraphs' entities, and the one result union every
ticket mutation answers with (`run_step` runs a step into it)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Protocol, TypeVar

import strawberry
from lianxin.kit.auth import Principal
from lianxin.kit.gqltypes import (
    ConflictError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    as_transition_result,
)
from lianxin.kit.graphql import RequestContext
from lianxin.kit.ids import parse_id
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.ticket import Ticket
from strawberry.types import Info

if TYPE_CHECKING:
    from lianxin.tickets.api.types import OrgUnitType, TicketType

GqlInfo = Info[RequestContext, None]
STAFF_ROLES = ("cadre", "supervisor", "admin")
C = TypeVar("C")

# Entities of the people subgraph (OrgUnit) and this one (Ticket), for fields of other types.
OrgUnitRef = Annotated["OrgUnitType", strawberry.lazy("lianxin.tickets.api.types")]
TicketRef = Annotated["TicketType", strawberry.lazy("lianxin.tickets.api.types")]


def uow(info: GqlInfo) -> TicketsUnitOfWork:
    """A unit of work acting as the caller (their subject is stamped on events)."""
    ctx = info.context
    assert ctx.resources.pii is not None, "the tickets app is always built with its PII keys"
    return TicketsUnitOfWork(ctx.resources.sessions, ctx.resources.pii, actor=ctx.require())


def as_actor(principal: Principal) -> Actor:
    scope = None if principal.is_admin else frozenset(uuid.UUID(s) for s in principal.org_scope)
    return Actor(subject=principal.subject, role=principal.role, org_scope=scope,
                 permissions=principal.permissions)


def actor(info: GqlInfo, *roles: str) -> Actor:
    """The caller, who must hold one of `roles` (any role when none given)."""
    return as_actor(info.context.require(*roles))


def staff(info: GqlInfo) -> Actor:
    """The caller, who must work tickets (cadre, supervisor or admin)."""
    return actor(info, *STAFF_ROLES)


def optional_id(value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    """`parse_id` of an id the client may leave out."""
    return parse_id(value, field) if value is not None else None


def gql_id(value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


def org_unit(unit_id: uuid.UUID) -> OrgUnitType:
    """The org unit with this id, as a reference the people subgraph resolves."""
    from lianxin.tickets.api.types import OrgUnitType
    return OrgUnitType(id=strawberry.ID(str(unit_id)))


TicketResult = Annotated[
    TicketRef | InvalidInputError | NotFoundError | ConflictError | IllegalTransitionError,
    strawberry.union("TicketResult", description="The ticket after the step, or why nothing "
                                                 "was written")]


async def ticket_result(action: Awaitable[Ticket]) -> TicketResult:
    """Run a ticket use case; expected failures become typed errors in the result union."""
    from lianxin.tickets.api.types import TicketType
    return await as_transition_result(action, TicketType.from_domain)


# --- the steps of a ticket's workflow ------------------------------------------------------------
UseCase = Callable[[C, UnitOfWork, Actor], Awaitable[Ticket]]


class StepInput(Protocol):
    """What the input of every ticket step carries."""

    ticket_id: strawberry.ID
    request_id: strawberry.ID | None


def ticket_id(input: StepInput) -> uuid.UUID:
    return parse_id(input.ticket_id, "ticketId")


def request_id(input: StepInput) -> uuid.UUID | None:
    return optional_id(input.request_id, "requestId")


async def run_step(info: GqlInfo, use_case: UseCase[C], command: Callable[[], C],
                   caller: Actor | None = None) -> TicketResult:
    """Run a ticket step as the caller — staff unless another `caller` is given. The command is
    built inside, so a bad id in the input becomes an InvalidInputError in the result."""
    who = staff(info) if caller is None else caller

    async def run() -> Ticket:
        return await use_case(command(), uow(info), who)
    return await ticket_result(run())
