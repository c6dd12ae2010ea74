"""Tables of the assessment database.

Two kinds, in two PostgreSQL schemas:
- `proj`: everything computed from events — facts, rollups ("cubes"), read models of the other
  services, the log of projected events. Replay rebuilds it into a fresh schema and swaps the
  two in one transaction (see app/replay.py), so code must reach these tables through the
  SQLAlchemy objects below, never through SQL text naming `proj.` (a replay session renames
  the schema with `schema_translate_map`).
- `public`: what people decide and replay must never wipe — vanguard-index rules per
  campaign, published ranking snapshots; plus the kit's outbox and processed-event tables.

No personal data: ids, codes, dimensions and counts only.
"""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.assessment.domain.cubes import CUBES, Cube
from lianxin.assessment.domain.measures import COUNTERS, FLOAT_COUNTERS
from lianxin.kit.tables import add_kit_tables
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

PROJ = "proj"
metadata = sa.MetaData()        # public: configuration, snapshots, kit tables
proj_metadata = sa.MetaData(schema=PROJ)

_uuid = UUID(as_uuid=True)
_tz = sa.DateTime(timezone=True)


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, _tz, nullable=nullable)


# --- the projected-event log: dedupe, per-aggregate fold, replay equality -------------------
# Every event the projections applied (or dead-lettered), with its envelope. A ticket's fact
# is the fold of its events in version order, so events that arrive out of order or twice
# still give the fact the in-order delivery would.
event = sa.Table(
    "event", proj_metadata,
    sa.Column("event_id", _uuid, primary_key=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("aggregate_type", sa.Text, nullable=False),
    sa.Column("aggregate_id", sa.Text, nullable=False),
    sa.Column("aggregate_version", sa.BigInteger, nullable=False),
    _ts("occurred_at", False),
    # "applied", or "dead_lettered" (the kit's DLQ marker; such an event has no effect).
    sa.Column("outcome", sa.Text, nullable=False, server_default="applied"),
    sa.Column("envelope", sa.LargeBinary, nullable=True),
    sa.Index("ix_event_aggregate", "aggregate_id", "aggregate_version"),
)

# --- facts -----------------------------------------------------------------------------------
ticket_fact = sa.Table(
    "ticket_fact", proj_metadata,
    sa.Column("ticket_id", _uuid, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, server_default=""),
    sa.Column("org_unit_id", _uuid),
    sa.Column("org_path", ARRAY(_uuid), nullable=False, server_default="{}"),
    sa.Column("handling_unit_id", _uuid),
    sa.Column("department_id", _uuid),       # lead department now (None before dispatch)
    sa.Column("cadre_id", _uuid),            # responsible cadre of the lead assignment
    sa.Column("category", sa.Text, nullable=False, server_default=""),
    sa.Column("kind", sa.Text, nullable=False, server_default=""),
    sa.Column("channel", sa.Text, nullable=False, server_default=""),
    sa.Column("ledger", sa.Text, nullable=False, server_default=""),
    sa.Column("urgency", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False, server_default=""),
    sa.Column("outcome", sa.Text),
    sa.Column("klass", sa.Text, nullable=False, server_default="normal"),
    sa.Column("day", sa.Date),               # China date of submission: the cohort
    _ts("submitted_at"), _ts("accepted_at"), _ts("resolved_at"), _ts("closed_at"),
    _ts("accept_due"), _ts("handle_due"), _ts("rated_at"),
    sa.Column("accepted_on_time", sa.Boolean),
    sa.Column("resolved_on_time", sa.Boolean),
    sa.Column("handling_days", sa.Float),
    sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("overdue_now", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("solved", sa.Boolean),
    sa.Column("satisfaction", sa.Text),
    sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("master_id", _uuid),
    sa.Column("imported", sa.Boolean, nullable=False, server_default=sa.false()),
    # The fold's full state (assignments, clocks …) so the next event needs no re-fold
    # when it arrives in order; facts' columns above are what queries and BI read.
    sa.Column("state", JSONB, nullable=False, server_default="{}"),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
    _ts("updated_at"),
    sa.Index("ix_ticket_fact_path", "org_path", postgresql_using="gin"),
    sa.Index("ix_ticket_fact_day", "day"),
    sa.Index("ix_ticket_fact_cadre", "cadre_id"),
    sa.Index("ix_ticket_fact_department", "department_id"),
)

whistle_task_fact = sa.Table(
    "whistle_task_fact", proj_metadata,
    sa.Column("task_id", _uuid, primary_key=True),
    sa.Column("whistle_id", _uuid, nullable=False),
    sa.Column("ticket_id", _uuid, nullable=False),
    sa.Column("department_id", _uuid, nullable=False),
    sa.Column("blower_unit_id", _uuid, nullable=False),
    sa.Column("blower_path", ARRAY(_uuid), nullable=False),
    sa.Column("day", sa.Date, nullable=False),   # China date the whistle was blown
    _ts("blown_at", False), _ts("report_in_due"), _ts("reported_at"), _ts("completed_at"),
    sa.Column("reported_by", sa.Text),           # token subject of who reported in (→ cadre)
    sa.Column("late", sa.Boolean),
    sa.Column("late_seconds", sa.BigInteger),
    _ts("updated_at"),
    sa.Index("ix_whistle_task_whistle", "whistle_id"),
    sa.Index("ix_whistle_task_subject", "reported_by"),
)

# Overdue alarms for screens and desks (from TicketOverdue), newest first per subtree.
alarm = sa.Table(
    "alarm", proj_metadata,
    sa.Column("event_id", _uuid, primary_key=True),
    sa.Column("ticket_id", _uuid, nullable=False),
    sa.Column("code", sa.Text, nullable=False, server_default=""),
    sa.Column("clock", sa.Text, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    _ts("due"),
    sa.Column("org_path", ARRAY(_uuid), nullable=False),
    _ts("occurred_at", False),
    sa.Index("ix_alarm_path", "org_path", postgresql_using="gin"),
    sa.Index("ix_alarm_occurred", "occurred_at"),
)


# --- cubes: additive counters per point of a few dimensions ----------------------------------
def _cube_table(cube: Cube) -> sa.Table:
    dims: list[sa.Column[object]] = []
    for name in cube.dims:
        if name in ("unit_id", "department_id", "cadre_id"):
            dims.append(sa.Column(name, _uuid, primary_key=True))
        elif name in ("day", "month"):
            dims.append(sa.Column(name, sa.Date, primary_key=True))
        elif name == "own":
            dims.append(sa.Column(name, sa.Boolean, primary_key=True))
        else:
            dims.append(sa.Column(name, sa.Text, primary_key=True))
    counters = [sa.Column(c, sa.Float if c in FLOAT_COUNTERS else sa.BigInteger,
                          nullable=False, server_default="0") for c in COUNTERS]
    return sa.Table(cube.table, proj_metadata, *dims, *counters,
                    # the latest event (its occurred_at) that changed this row: a period's
                    # figures never change silently.
                    _ts("updated_at"))


cube_tables: dict[str, sa.Table] = {c.name: _cube_table(c) for c in CUBES}

# --- read models of the people service (coverage, vanguard index, names for rankings) ----------
org_unit = sa.Table(
    "org_unit", proj_metadata,
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("parent_id", _uuid),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),          # county, township, village, …
    sa.Column("path", ARRAY(_uuid), nullable=False),
    sa.Index("ix_org_unit_parent", "parent_id"),
    sa.Index("ix_org_unit_path", "path", postgresql_using="gin"),
)

household = sa.Table(
    "household", proj_metadata,
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("org_unit_id", _uuid, nullable=False),
    sa.Column("org_path", ARRAY(_uuid), nullable=False),
    _ts("registered_at"),
    sa.Index("ix_household_path", "org_path", postgresql_using="gin"),
)

cadre = sa.Table(
    "cadre", proj_metadata,
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("subject", sa.Text),
    sa.Column("work_unit_id", _uuid),
    sa.Column("org_path", ARRAY(_uuid), nullable=False),
    sa.Column("rank", sa.Text, nullable=False, server_default=""),
    sa.Column("party_member", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("branch_id", _uuid),
    sa.Index("ix_cadre_subject", "subject"),
    sa.Index("ix_cadre_path", "org_path", postgresql_using="gin"),
)

pairing = sa.Table(
    "pairing", proj_metadata,
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("cadre_id", _uuid, nullable=False),
    sa.Column("household_id", _uuid),
    sa.Column("contact_point_id", _uuid),
    sa.Column("campaign_id", _uuid),
    sa.Column("org_path", ARRAY(_uuid), nullable=False),
    sa.Column("started_on", sa.Date),
    sa.Column("ended_on", sa.Date),
    sa.Column("card_no", sa.Text),
    sa.Index("ix_pairing_cadre", "cadre_id"),
    sa.Index("ix_pairing_campaign", "campaign_id"),
)

visit = sa.Table(
    "visit", proj_metadata,
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("cadre_id", _uuid, nullable=False),
    sa.Column("participant_ids", ARRAY(_uuid), nullable=False, server_default="{}"),
    sa.Column("household_ids", ARRAY(_uuid), nullable=False, server_default="{}"),
    sa.Column("org_unit_id", _uuid),
    sa.Column("org_path", ARRAY(_uuid), nullable=False),
    sa.Column("visited_on", sa.Date, nullable=False),
    sa.Column("campaign_id", _uuid),
    sa.Index("ix_visit_cadre", "cadre_id"),
    sa.Index("ix_visit_households", "household_ids", postgresql_using="gin"),
    sa.Index("ix_visit_path", "org_path", postgresql_using="gin"),
)

campaign = sa.Table(
    "campaign", proj_metadata,
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("org_unit_id", _uuid),
    sa.Column("org_path", ARRAY(_uuid), nullable=False),
    sa.Column("starts_on", sa.Date),
    sa.Column("ends_on", sa.Date),
    sa.Column("min_households", sa.Integer, nullable=False, server_default="0"),
    sa.Column("quota_by_rank", JSONB, nullable=False, server_default="{}"),
    sa.Column("coverage_target", sa.Float, nullable=False, server_default="0"),
    sa.Column("org_unit_ids", ARRAY(_uuid), nullable=False, server_default="{}"),
    sa.Column("cadre_ids", ARRAY(_uuid), nullable=False, server_default="{}"),
)

# --- public: decisions people make (never rebuilt by replay) -----------------------------------
vanguard_rule = sa.Table(
    "vanguard_rule", metadata,
    sa.Column("campaign_id", _uuid, primary_key=True),   # nil uuid: the deployment default
    sa.Column("item", sa.Text, primary_key=True),
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("cap", sa.Float),                           # None: uncapped
    _ts("updated_at", False),
    sa.Column("updated_by", sa.Text, nullable=False),
)

ranking_snapshot = sa.Table(
    "ranking_snapshot", metadata,
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("scope_unit_id", _uuid, nullable=False),
    sa.Column("level", sa.Text, nullable=False),          # CHILDREN, DEPARTMENTS, CADRES
    sa.Column("period_kind", sa.Text, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    _ts("published_at", False),
    sa.Column("published_by", sa.Text, nullable=False),
    sa.Column("rows", JSONB, nullable=False),
    sa.UniqueConstraint("scope_unit_id", "level", "period_kind", "period_start",
                        name="uq_ranking_snapshot_period"),
)

outbox, processed_event = add_kit_tables(metadata)
