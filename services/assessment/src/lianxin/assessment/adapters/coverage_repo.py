"""SQL of coverage over the people read models: the sets of domain/coverage.py as Core
statements (GIN-indexed paths and visit household lists; county scale — some 10⁵ households,
10⁴ cadres — is answered without loading rows into Python beyond one row per cadre)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from lianxin.assessment.adapters.metrics_repo import SqlMetricsReader
from lianxin.assessment.adapters.tables import cadre, campaign, household, pairing, visit
from lianxin.assessment.domain.coverage import CadreWork, CampaignTerms, UnvisitedHousehold
from sqlalchemy.ext.asyncio import AsyncSession


def terms(r: Any) -> CampaignTerms:
    return CampaignTerms(
        id=r.id, name=r.name, org_unit_id=r.org_unit_id, org_path=tuple(r.org_path),
        starts_on=r.starts_on, ends_on=r.ends_on, min_households=r.min_households,
        quota_by_rank=dict(r.quota_by_rank), coverage_target=r.coverage_target,
        org_unit_ids=tuple(r.org_unit_ids), cadre_ids=tuple(r.cadre_ids))


def _in_dates(c: CampaignTerms) -> list[sa.ColumnElement[bool]]:
    conds: list[sa.ColumnElement[bool]] = []
    if c.starts_on is not None:
        conds.append(visit.c.visited_on >= c.starts_on)
    if c.ends_on is not None:
        conds.append(visit.c.visited_on <= c.ends_on)
    return conds


def _registered(c: CampaignTerms, subtree: uuid.UUID) -> list[sa.ColumnElement[bool]]:
    conds = [household.c.org_path.contains([subtree])]
    if c.area:
        conds.append(household.c.org_path.overlap(list(c.area)))
    return conds


def _seen(c: CampaignTerms) -> sa.CTE:
    """Households named by visits within the campaign's dates, each once. Materialised: one
    pass over the period's visits, then hash joins — a per-household probe of the visits'
    GIN index costs milliseconds each, minutes over a county."""
    hid = sa.func.unnest(visit.c.household_ids).table_valued("id").render_derived("hid")
    return (sa.select(hid.c.id).distinct().select_from(visit).join(hid, sa.true())
            .where(*_in_dates(c)).cte("seen").prefix_with("MATERIALIZED"))


def _done(c: CampaignTerms, cadres: sa.Select[Any]) -> sa.CTE:
    """(cadre, household) pairs where one of `cadres` led or joined a visit naming the
    household within the campaign's dates, each once (materialised, as `_seen`)."""
    who = sa.func.unnest(sa.func.array_prepend(visit.c.cadre_id, visit.c.participant_ids)) \
        .table_valued("k").render_derived("who")
    hid = sa.func.unnest(visit.c.household_ids).table_valued("h").render_derived("hid")
    return (sa.select(who.c.k, hid.c.h).distinct().select_from(visit)
            .join(who, sa.true()).join(hid, sa.true())
            .where(*_in_dates(c), who.c.k.in_(cadres)).cte("done").prefix_with("MATERIALIZED"))


class SqlCoverageReader(SqlMetricsReader):
    """`CoverageReader` on a session (the scope Directory comes with the metrics reader)."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self._session = session

    async def campaign(self, campaign_id: uuid.UUID) -> CampaignTerms | None:
        row = (await self._session.execute(
            sa.select(campaign).where(campaign.c.id == campaign_id))).first()
        return terms(row) if row is not None else None

    async def household_counts(self, c: CampaignTerms, subtree: uuid.UUID) -> tuple[int, int]:
        seen = _seen(c)
        registered = sa.func.count()
        visited = sa.func.count(seen.c.id)
        row = (await self._session.execute(
            sa.select(registered, visited).select_from(household)
            .outerjoin(seen, seen.c.id == household.c.id)
            .where(*_registered(c, subtree)))).one()
        return int(row[0]), int(row[1])

    async def unvisited_households(self, c: CampaignTerms, subtree: uuid.UUID,
                                   after: uuid.UUID | None,
                                   limit: int) -> list[UnvisitedHousehold]:
        seen = _seen(c)
        query = (sa.select(household.c.id, household.c.org_unit_id)
                 .outerjoin(seen, seen.c.id == household.c.id)
                 .where(*_registered(c, subtree), seen.c.id.is_(None)))
        if after is not None:
            query = query.where(household.c.id > after)
        rows = await self._session.execute(query.order_by(household.c.id).limit(limit))
        return [UnvisitedHousehold(r.id, r.org_unit_id) for r in rows]

    async def cadre_work(self, c: CampaignTerms, subtree: uuid.UUID,
                         after: uuid.UUID | None = None) -> list[CadreWork]:
        """One row per taking-part cadre counted in the subtree, in id order."""
        part = sa.select(cadre.c.id, cadre.c.rank).where(cadre.c.org_path.contains([subtree]))
        if c.cadre_ids:
            part = part.where(cadre.c.id.in_(list(c.cadre_ids)))
        else:
            part = part.where(cadre.c.id.in_(
                sa.select(pairing.c.cadre_id).where(pairing.c.campaign_id == c.id)))
        if after is not None:
            part = part.where(cadre.c.id > after)
        part_cte = part.cte("part")
        active = sa.select(pairing.c.cadre_id, pairing.c.household_id, pairing.c.campaign_id,
                           pairing.c.card_no).where(
            pairing.c.cadre_id.in_(sa.select(part_cte.c.id)),
            pairing.c.ended_on.is_(None)).cte("active")
        in_campaign = sa.and_(active.c.household_id.is_not(None), active.c.campaign_id == c.id)
        stats = sa.select(
            active.c.cadre_id,
            sa.func.count().label("pairings"),
            sa.func.count().filter(sa.func.coalesce(active.c.card_no, "") != "").label("cards"),
            sa.func.count(active.c.household_id).label("paired"),
            sa.func.count().filter(in_campaign).label("in_campaign"),
        ).group_by(active.c.cadre_id).cte("stats")
        targets = sa.select(active.c.cadre_id, active.c.household_id).distinct() \
            .join_from(active, stats, stats.c.cadre_id == active.c.cadre_id) \
            .where(active.c.household_id.is_not(None),
                   sa.or_(active.c.campaign_id == c.id, stats.c.in_campaign == 0)).cte("targets")
        done = _done(c, sa.select(part_cte.c.id))
        visits = sa.select(
            targets.c.cadre_id,
            sa.func.count().label("to_visit"),
            sa.func.array_agg(targets.c.household_id).filter(done.c.k.is_(None))
            .label("unvisited"),
        ).select_from(targets).outerjoin(done, sa.and_(
            done.c.k == targets.c.cadre_id, done.c.h == targets.c.household_id,
        )).group_by(targets.c.cadre_id).cte("visits")
        query = (sa.select(part_cte.c.id, part_cte.c.rank, stats.c.paired, stats.c.pairings,
                           stats.c.cards, visits.c.to_visit, visits.c.unvisited)
                 .outerjoin(stats, stats.c.cadre_id == part_cte.c.id)
                 .outerjoin(visits, visits.c.cadre_id == part_cte.c.id)
                 .order_by(part_cte.c.id))
        return [CadreWork(cadre_id=r.id, rank=r.rank, paired=r.paired or 0,
                          to_visit=r.to_visit or 0, unvisited=tuple(sorted(r.unvisited or ())),
                          pairings=r.pairings or 0, cards=r.cards or 0)
                for r in await self._session.execute(query)]
