"""What every people resolver needs: the unit of work for this request and the scope rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from lianxin.kit.auth import Principal
from lianxin.kit.errors import Forbidden
from lianxin.kit.graphql import RequestContext
from lianxin.people.adapters.uow import PeopleUnitOfWork
from strawberry.types import Info

GqlInfo = Info[RequestContext, None]


def uow(info: GqlInfo) -> PeopleUnitOfWork:
    """A unit of work acting as the caller (their subject is stamped on events and history)."""
    ctx = info.context
    assert ctx.resources.pii is not None, "the people app is always built with its PII keys"
    return PeopleUnitOfWork(ctx.resources.sessions, ctx.resources.pii, actor=ctx.require())


def sees(principal: Principal, path: Sequence[uuid.UUID]) -> bool:
    """Whether a row at this org path is inside the caller's org scope (admins see all).
    Residents have no org scope: what they may see is decided per entity (their own record)."""
    return principal.role != "resident" and principal.sees_path([str(p) for p in path])


def require_scope(principal: Principal, path: Sequence[uuid.UUID], what: str) -> None:
    """Raise FORBIDDEN unless the caller may write at this org path."""
    if not sees(principal, path):
        raise Forbidden(f"{what} lies outside your org scope")


def staff(info: GqlInfo) -> Principal:
    """The caller, who must work with the register (not a resident, analyst or screen)."""
    return info.context.require("cadre", "supervisor", "admin")
