"""What every people resolver needs: the unit of work for this request, the scope rules and
scope-filtered loading."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from lianxin.kit.auth import Principal
from lianxin.kit.graphql import RequestContext, loader
from lianxin.people.adapters.uow import PeopleUnitOfWork
from lianxin.people.app.common import Scope
from strawberry.types import Info

GqlInfo = Info[RequestContext, None]
T = TypeVar("T")


def uow(info: GqlInfo) -> PeopleUnitOfWork:
    """A unit of work acting as the caller (their subject is stamped on events and history)."""
    ctx = info.context
    assert ctx.resources.pii is not None, "the people app is always built with its PII keys"
    return PeopleUnitOfWork(ctx.resources.sessions, ctx.resources.pii, actor=ctx.require())


def sees(principal: Principal, path: Sequence[uuid.UUID]) -> bool:
    """Whether a row at this org path is inside the caller's org scope (admins see all).
    Residents have no org scope: what they may see is decided per entity (their own record)."""
    return principal.role != "resident" and principal.sees_path([str(p) for p in path])


# Roles that see figures, never people (ARCHITECTURE.md "Security": aggregates without personal
# data): no household, resident, needs tag or visit diary, even inside their org scope.
NO_REGISTER_ROLES = ("analyst", "screen")


def sees_register(principal: Principal, path: Sequence[uuid.UUID]) -> bool:
    """Whether the caller may see register records (households, residents, needs tags) and
    visit diaries at this org path: staff in scope who work with people, not analysts or
    screens. A resident's own record is decided per entity, as in `sees`."""
    return principal.role not in NO_REGISTER_ROLES and sees(principal, path)


def staff(info: GqlInfo) -> Principal:
    """The caller, who must work with the register (not a resident, analyst or screen)."""
    return info.context.require("cadre", "supervisor", "admin")


def writer(info: GqlInfo) -> Scope:
    """The caller's write scope; raises FORBIDDEN for roles that do not register (e.g. residents)."""
    principal = staff(info)
    return lambda path: sees(principal, path)


async def load_visible(info: GqlInfo, key: str,
                       fetch: Callable[[PeopleUnitOfWork, list[uuid.UUID]], Awaitable[list[T | None]]],
                       ids: Sequence[uuid.UUID], visible: Callable[[T], bool]) -> list[T | None]:
    """Entities by id through the request's DataLoader `key` (batched by `fetch`); None where
    unknown or not `visible` to the caller."""
    async def batch(keys: list[uuid.UUID]) -> list[T | None]:
        return await fetch(uow(info), keys)

    found: list[T | None] = await loader(info.context, key, batch).load_many(list(ids))
    return [e if e is not None and visible(e) else None for e in found]
