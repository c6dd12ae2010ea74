"""Per-request DataLoaders for cadre work, each filtering by the caller's org scope.

Every entity and list field of Cadre, Pairing, Visit and Campaign goes through one of these,
so a page of 50 cadres with their pairings, quotas and households costs a fixed number of
statements (see tests/api/test_work_api.py, which counts them).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from lianxin.kit.auth import Principal
from lianxin.kit.graphql import loader
from lianxin.people.api.common import GqlInfo, load_visible, sees, sees_register, uow
from lianxin.people.api.types import load_units
from lianxin.people.app import queries
from lianxin.people.app import work_queries as q
from lianxin.people.domain.cadre import Cadre, Rank
from lianxin.people.domain.campaign import Campaign
from lianxin.people.domain.errors import OutOfScope, UnknownOrgUnit
from lianxin.people.domain.org import OrgUnit
from lianxin.people.domain.pairing import Pairing
from lianxin.people.domain.visit import Visit

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _grouped(group: Callable[[K], Hashable],
             fetch: Callable[[Any, list[K]], Awaitable[list[V]]]) -> Callable[[list[K]], Awaitable[list[V]]]:
    """A batch function that fetches once per group of keys sharing the same arguments."""
    async def batch(batch_keys: list[K]) -> list[V]:
        groups: dict[Hashable, list[K]] = defaultdict(list)
        for key in batch_keys:
            groups[group(key)].append(key)
        answers: dict[K, V] = {}
        for shared, members in groups.items():
            answers.update(zip(members, await fetch(shared, members), strict=True))
        return [answers[k] for k in batch_keys]
    return batch


async def unit_in_scope(info: GqlInfo, unit_id: uuid.UUID, field: str) -> OrgUnit:
    """The unit named by an argument: UNKNOWN_ORG_UNIT if it does not exist, FORBIDDEN outside
    the caller's org scope."""
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[OrgUnit | None]:
        return await queries.org_units_by_id(uow(info), keys)

    # The same loader key as api.types.load_units: one batch for every unit of the request.
    unit: OrgUnit | None = await loader(info.context, "org_unit", batch).load(unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"org unit {unit_id} does not exist", field=field)
    if not sees(principal, unit.path):
        raise OutOfScope(f"{unit.name} lies outside your org scope")
    return unit


def cadre_visible(principal: Principal, cadre: Cadre) -> bool:
    """Inside the caller's scope, or the caller's own record."""
    return sees(principal, cadre.org_path) or (cadre.subject is not None
                                               and cadre.subject == principal.subject)


async def load_cadres(info: GqlInfo, ids: Sequence[uuid.UUID]) -> list[Cadre | None]:
    principal = info.context.require()
    return await load_visible(info, "cadre", q.cadres_by_id, ids, lambda c: cadre_visible(principal, c))


async def load_my_cadre(info: GqlInfo) -> Cadre | None:
    principal = info.context.require()
    if principal.role == "resident":
        return None

    async def batch(keys: list[str]) -> list[Cadre | None]:
        return await q.cadres_by_subject(uow(info), keys)

    found: Cadre | None = await loader(info.context, "cadre_by_subject", batch).load(
        principal.subject)
    return found


async def load_pairings(info: GqlInfo, ids: Sequence[uuid.UUID]) -> list[Pairing | None]:
    principal = info.context.require()
    return await load_visible(info, "pairing", q.pairings_by_id, ids,
                              lambda p: sees(principal, p.org_path))


async def load_visits(info: GqlInfo, ids: Sequence[uuid.UUID]) -> list[Visit | None]:
    principal = info.context.require()
    return await load_visible(info, "visit", q.visits_by_id, ids,
                              lambda v: sees_register(principal, v.org_path))


async def scope_ancestors(info: GqlInfo) -> set[uuid.UUID]:
    """Units above (and at) the roots of the caller's scope: campaigns they organise apply to
    the caller's area, so the caller may see them."""
    principal = info.context.require()
    if principal.role == "resident" or not principal.org_scope:
        return set()
    roots = []
    for s in principal.org_scope:
        try:
            roots.append(uuid.UUID(s))
        except ValueError:
            continue
    return {u for unit in await load_units(info, roots) if unit for u in unit.path}


def campaign_visible(principal: Principal, campaign: Campaign, ancestors: set[uuid.UUID]) -> bool:
    return sees(principal, campaign.org_path) or (principal.role != "resident"
                                                  and campaign.org_unit_id in ancestors)


async def load_campaigns(info: GqlInfo, ids: Sequence[uuid.UUID]) -> list[Campaign | None]:
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[Campaign | None]:
        return await q.campaigns_by_id(uow(info), keys)

    found: list[Campaign | None] = await loader(info.context, "campaign", batch).load_many(list(ids))
    ancestors = await scope_ancestors(info) if any(found) else set()
    return [c if c is not None and campaign_visible(principal, c, ancestors) else None
            for c in found]


async def pairings_of_cadres(info: GqlInfo, cadre_id: uuid.UUID, active_only: bool) -> list[Pairing]:
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[list[Pairing]]:
        return await q.pairings_by_cadre(uow(info), keys, active_only)

    found: list[Pairing] = await loader(info.context, f"cadre_pairings:{active_only}", batch).load(
        cadre_id)
    return [p for p in found if sees(principal, p.org_path)]


async def pairings_of_households(info: GqlInfo, household_id: uuid.UUID,
                                 active_only: bool) -> list[Pairing]:
    principal = info.context.require()

    async def batch(keys: list[uuid.UUID]) -> list[list[Pairing]]:
        return await q.pairings_by_household(uow(info), keys, active_only)

    found: list[Pairing] = await loader(info.context, f"household_pairings:{active_only}",
                                        batch).load(household_id)
    return [p for p in found if sees(principal, p.org_path)]


async def quota_of(info: GqlInfo, cadre_id: uuid.UUID,
                   campaign_id: uuid.UUID | None) -> q.QuotaStatus | None:
    async def batch(keys: list[tuple[uuid.UUID, uuid.UUID | None]]) -> list[q.QuotaStatus | None]:
        return await q.quota_statuses(uow(info), keys)

    found: q.QuotaStatus | None = await loader(info.context, "cadre_quota", batch).load(
        (cadre_id, campaign_id))
    return found


CadrePageKey = tuple[uuid.UUID, Rank | None, tuple[str, uuid.UUID] | None, int]


async def cadre_page_of(info: GqlInfo, root: uuid.UUID, rank: Rank | None,
                        after: tuple[str, uuid.UUID] | None, limit: int) -> list[Cadre]:
    """Up to `limit` cadres at or below `root`; one statement per distinct (rank, after, limit)
    in the batch, however many roots ask."""
    async def fetch(shared: Any, keys: list[CadrePageKey]) -> list[list[Cadre]]:
        return await q.cadre_pages(uow(info), [k[0] for k in keys], *shared)

    batch = _grouped(lambda k: k[1:], fetch)
    found: list[Cadre] = await loader(info.context, "cadre_pages", batch).load(
        (root, rank, after, limit))
    return found


VisitPageKey = tuple[uuid.UUID, tuple[Any, uuid.UUID] | None, int]


async def visit_page_of(info: GqlInfo, owner: str, owner_id: uuid.UUID,
                        after: tuple[Any, uuid.UUID] | None, limit: int) -> list[Visit]:
    """Visits of a cadre (owner "cadre") or to a household (owner "household"), newest first;
    not filtered by scope (the caller hides what the principal may not see)."""
    query = q.visit_pages_by_cadre if owner == "cadre" else q.visit_pages_by_household

    async def fetch(shared: Any, keys: list[VisitPageKey]) -> list[list[Visit]]:
        return await query(uow(info), [k[0] for k in keys], *shared)

    batch = _grouped(lambda k: k[1:], fetch)
    found: list[Visit] = await loader(info.context, f"visit_pages:{owner}", batch).load(
        (owner_id, after, limit))
    return found


