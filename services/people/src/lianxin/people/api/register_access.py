"""Who sees what of the register: scope-filtered loaders and masked personal data.

Staff who work with people (cadres, supervisors, admins) see households and residents inside
their org scope — analysts and screens none, they get figures only; a resident (token role "resident",
subject = their resident id) sees their own Resident and Household only. Phone, ID number and
address are masked unless asked for `unmasked` with a `reason` by someone holding `pii:read`
(or an admin) — and only after one audit row per entity has committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from lianxin.kit.audit import check_unmask, reveal
from lianxin.kit.auth import Principal
from lianxin.kit.graphql import loader
from lianxin.people.api.common import GqlInfo, load_visible, sees_register, uow
from lianxin.people.app import register_queries as rq
from lianxin.people.domain.register import Household, Resident

UNMASKED = "Give the clear value (needs the pii:read permission and a reason; the read is audited)"


def _resident_loader(info: GqlInfo) -> Any:
    async def batch(keys: list[uuid.UUID]) -> list[Resident | None]:
        return await rq.residents_by_id(uow(info), keys)
    return loader(info.context, "resident", batch)


async def load_me(info: GqlInfo, principal: Principal) -> Resident | None:
    """The signed-in resident's own record (None for other roles or an unknown subject)."""
    if principal.role != "resident":
        return None
    try:
        me_id = uuid.UUID(principal.subject)
    except ValueError:
        return None
    found: Resident | None = await _resident_loader(info).load(me_id)
    return found


async def load_households(info: GqlInfo, ids: list[uuid.UUID]) -> list[Household | None]:
    """Households by id through the request's DataLoader; None where unknown or not visible."""
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[Household | None]:
        return await rq.households_by_id(uow(info), keys)

    found: list[Household | None] = await loader(info.context, "household", batch).load_many(ids)
    me = await load_me(info, principal)
    return [h if h is not None and (sees_register(principal, h.org_path) or (me and me.household_id == h.id))
            else None for h in found]


async def load_residents(info: GqlInfo, ids: list[uuid.UUID]) -> list[Resident | None]:
    """Residents by id; None where unknown or not visible (a resident sees only themself)."""
    principal = info.context.require()

    def visible(r: Resident) -> bool:
        return sees_register(principal, r.org_path) or (principal.role == "resident"
                                               and str(r.id) == principal.subject)

    return await load_visible(info, "resident", rq.residents_by_id, ids, visible)


async def clear_or_masked(info: GqlInfo, value: str | None, mask: Callable[[str], str],
                          unmasked: bool, reason: str | None, entity: tuple[str, uuid.UUID],
                          field: str) -> str | None:
    """The masked value, or (`unmasked`, allowed, audited) the clear one."""
    if not unmasked:
        return None if value is None else mask(value)
    if value is None:
        check_unmask(info.context.require(), reason)  # same answer whether or not a value exists
        return None
    await reveal(info.context, entity[0], entity[1], field, reason)
    return value
