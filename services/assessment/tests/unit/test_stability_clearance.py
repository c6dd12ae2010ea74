"""Stability-risk items (涉稳) in figures: a row grouped by their kind or ledger, or a query
filtered on it, names the items themselves, so only cleared callers (supervisor, admin, or the
stability:read permission — the tickets service's rule) get them; totals still count them."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from lianxin.assessment.app.metrics import MetricsQuery, MetricsRow
from lianxin.assessment.app.scope import scoped_query, visible_rows
from lianxin.kit.auth import Principal
from lianxin.kit.errors import Forbidden

TOWN = uuid.uuid4()
ROWS = [MetricsRow({"kind": "dispute"}, {}, None), MetricsRow({"kind": "stability_risk"}, {}, None),
        MetricsRow({"ledger": "stability_risk"}, {}, None), MetricsRow({}, {}, None)]


def viewer(role: str, *permissions: str) -> Principal:
    return Principal(subject=role, role=role, org_scope=(str(TOWN),),
                     permissions=frozenset(permissions))


class NoUnits:
    async def units(self, ids: object) -> dict[uuid.UUID, object]:
        return {}

    async def cadres(self, ids: object) -> dict[uuid.UUID, object]:
        return {}


@pytest.mark.parametrize("who", [viewer("cadre"), viewer("analyst"), viewer("screen"),
                                 viewer("analyst", "pii:read")])
def test_uncleared_callers_get_no_stability_risk_group_nor_filter(who: Principal) -> None:
    assert visible_rows(who, ROWS) == [ROWS[0], ROWS[3]]
    for q in (MetricsQuery(kind="stability_risk"), MetricsQuery(ledger="stability_risk")):
        with pytest.raises(Forbidden):
            asyncio.run(scoped_query(NoUnits(), who, q))  # type: ignore[arg-type]


@pytest.mark.parametrize("who", [viewer("supervisor"), viewer("admin"),
                                 viewer("cadre", "stability:read")])
def test_cleared_callers_get_them(who: Principal) -> None:
    assert visible_rows(who, ROWS) == ROWS
    q = MetricsQuery(kind="stability_risk")
    assert asyncio.run(scoped_query(NoUnits(), who, q)).kind == "stability_risk"  # type: ignore[arg-type]
