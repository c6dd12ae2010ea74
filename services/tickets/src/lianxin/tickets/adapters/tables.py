"""Table definitions of the tickets database (Alembic migrations create them).

Personal data on a ticket (the requester's name and phone, the address) is stored sealed
(`*_enc`, see lianxin.kit.pii); `requester_key` is a blind index for counting repeat requesters
without a clear number. Subtree queries are `reach @> ARRAY[:unit]` on a GIN index: `reach` holds
the ticket's place path, the path of the unit now handling it and every department with a task,
so a department sees what it was sent and a township what lies in it.
"""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.kit.audit import add_audit_table
from lianxin.kit.tables import add_kit_tables
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = sa.MetaData()
Uuid = UUID(as_uuid=True)
Path = ARRAY(Uuid)
Stamp = sa.DateTime(timezone=True)


def _deadline(name: str) -> list[sa.Column]:
    """A deadline and whether it was computed past the known calendar (weekdays only)."""
    return [sa.Column(name, Stamp),
            sa.Column(f"{name}_provisional", sa.Boolean, nullable=False, server_default="false")]


ticket = sa.Table(
    "ticket",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("org_unit_id", Uuid, nullable=False),
    sa.Column("org_path", Path, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("submitted_by", sa.Text, nullable=False),
    sa.Column("submitted_at", Stamp, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # --- intake ---
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False, server_default="demand"),
    sa.Column("ledger", sa.Text, nullable=False, server_default="livelihood"),
    sa.Column("urgency", sa.Text, nullable=False, server_default="routine"),
    sa.Column("recorded_by_staff", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("resident_id", Uuid),
    sa.Column("household_id", Uuid),
    sa.Column("visit_id", Uuid),
    sa.Column("pairing_id", Uuid),
    sa.Column("contact_name_enc", sa.LargeBinary),
    sa.Column("contact_phone_enc", sa.LargeBinary),
    sa.Column("address_enc", sa.LargeBinary),
    sa.Column("requester_key", sa.Text),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("anonymous", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("confidential", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("imported", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("external_ref", sa.Text),
    # Photo references (https:// URLs, WeChat cloud:// fileIDs), in submission order; the
    # images themselves stay in object storage.
    sa.Column("photos", ARRAY(sa.Text), nullable=False, server_default="{}"),
    # --- workflow ---
    sa.Column("handling_unit_id", Uuid, nullable=False),
    sa.Column("handling_path", Path, nullable=False),
    sa.Column("involved_units", Path, nullable=False, server_default="{}"),
    sa.Column("reach", Path, nullable=False),
    *_deadline("accept_due"),
    *_deadline("handle_due"),
    *_deadline("feedback_due"),
    sa.Column("paused_at", Stamp),
    sa.Column("outcome", sa.Text),
    sa.Column("on_the_spot", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("resolution", sa.Text),
    sa.Column("resolved_at", Stamp),
    sa.Column("answer", sa.Text),
    sa.Column("answer_channel", sa.Text),
    sa.Column("answered_at", Stamp),
    sa.Column("solved", sa.Boolean),
    sa.Column("satisfaction", sa.Text),
    sa.Column("rated_at", Stamp),
    sa.Column("rated_by_staff", sa.Boolean),
    sa.Column("closed_at", Stamp),
    sa.Column("close_reason", sa.Text),
    sa.Column("master_id", Uuid),
    sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", Stamp, nullable=False, server_default=sa.func.now()),
    sa.Index("ix_ticket_org_path", "org_path", postgresql_using="gin"),
    sa.Index("ix_ticket_reach", "reach", postgresql_using="gin"),
    sa.Index("ix_ticket_submitted_at", "submitted_at"),
    sa.Index("ix_ticket_household_id", "household_id"),
    sa.Index("ix_ticket_visit_id", "visit_id"),
    sa.Index("ix_ticket_master_id", "master_id"),
    sa.Index("ix_ticket_requester_key", "requester_key"),
    sa.Index("ix_ticket_submitted_by", "submitted_by"),
    sa.Index("ix_ticket_resident_id", "resident_id"),
    sa.Index("uq_ticket_code", "code", unique=True),
    # The scheduler's sweep: open tickets by status.
    sa.Index("ix_ticket_open", "status", postgresql_where=sa.text(
        "status NOT IN ('closed', 'merged')")),
)

# Human-readable codes: one counter per prefix (the county's name) and year
# (墨江县-2026-000042); by name, not county id, so counties of one name never share a code.
ticket_code_counter = sa.Table(
    "ticket_code_counter",
    metadata,
    sa.Column("prefix", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

# The "five haves" (五有): every transition, who, when, from which state to which, and why.
# The id is the client's request id when it sent one, so a retried transition is recognised.
ticket_history = sa.Table(
    "ticket_history",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("ticket_id", Uuid, sa.ForeignKey("ticket.id", name="fk_ticket_history_ticket"),
              nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("at", Stamp, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("actor_role", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("details", JSONB, nullable=False, server_default="{}"),
    sa.UniqueConstraint("ticket_id", "version", name="uq_ticket_history_version"),
)

# Dispatch (派单): the lead department, co-handling departments, or the unit's own handling.
assignment = sa.Table(
    "assignment",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("ticket_id", Uuid, sa.ForeignKey("ticket.id", name="fk_assignment_ticket"),
              nullable=False),
    sa.Column("department_id", Uuid, nullable=False),
    sa.Column("department_path", Path, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("responsible_name", sa.Text, nullable=False),
    sa.Column("responsible_cadre_id", Uuid),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("standard", sa.Text, nullable=False, server_default=""),
    *_deadline("due"),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("assigned_at", Stamp, nullable=False),
    sa.Column("assigned_by", sa.Text, nullable=False),
    sa.Column("started_at", Stamp),
    sa.Column("completed_at", Stamp),
    sa.Column("report", sa.Text),
    sa.Column("returned_at", Stamp),
    sa.Column("return_reason", sa.Text),
    sa.Column("delay_on", sa.Text),
    sa.Column("replaces_id", Uuid),
    sa.Index("ix_assignment_ticket_id", "ticket_id"),
    sa.Index("ix_assignment_department_id", "department_id"),
    sa.Index("ix_assignment_responsible_cadre_id", "responsible_cadre_id"),
)

# Whistle (吹哨报到): one whistle, one task list (一哨一清单).
whistle = sa.Table(
    "whistle",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("ticket_id", Uuid, sa.ForeignKey("ticket.id", name="fk_whistle_ticket"),
              nullable=False),
    sa.Column("blower_unit_id", Uuid, nullable=False),
    sa.Column("blower_path", Path, nullable=False),
    sa.Column("urgency", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("blown_at", Stamp, nullable=False),
    sa.Column("blown_by", sa.Text, nullable=False),
    *_deadline("report_in_due"),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("closed_at", Stamp),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Index("ix_whistle_ticket_id", "ticket_id"),
)

whistle_task = sa.Table(
    "whistle_task",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("whistle_id", Uuid, sa.ForeignKey("whistle.id", name="fk_whistle_task_whistle"),
              nullable=False),
    sa.Column("department_id", Uuid, nullable=False),
    sa.Column("department_path", Path, nullable=False),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("reported_at", Stamp),
    sa.Column("late", sa.Boolean),
    sa.Column("late_seconds", sa.BigInteger),
    sa.Column("started_at", Stamp),
    sa.Column("completed_at", Stamp),
    sa.Column("report", sa.Text),
    sa.Index("ix_whistle_task_whistle_id", "whistle_id"),
    sa.Index("ix_whistle_task_department_id", "department_id"),
    sa.UniqueConstraint("whistle_id", "department_id", name="uq_whistle_task_department"),
)

# Taxonomy of demands; the seeds' categories are loaded by the migration, admins add more.
category = sa.Table(
    "category",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("parent_code", sa.Text, sa.ForeignKey("category.code", name="fk_category_parent")),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("active", sa.Boolean, nullable=False, server_default="true"),
)

# Routing (category × area → department): the most specific rule wins (deepest area, then the
# most specific category); a rule suggests, the dispatcher decides.
routing_rule = sa.Table(
    "routing_rule",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("category_code", sa.Text, sa.ForeignKey("category.code",
              name="fk_routing_rule_category"), nullable=False),
    sa.Column("area_unit_id", Uuid),
    sa.Column("area_depth", sa.Integer, nullable=False, server_default="0"),
    sa.Column("department_id", Uuid, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", Stamp, nullable=False, server_default=sa.func.now()),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.UniqueConstraint("category_code", "area_unit_id", "department_id",
                        name="uq_routing_rule", postgresql_nulls_not_distinct=True),
)

# SLA policies per kind / category / urgency; NULL matches any. The most specific match wins.
sla_policy = sa.Table(
    "sla_policy",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("kind", sa.Text),
    sa.Column("category_code", sa.Text),
    sa.Column("urgency", sa.Text),
    sa.Column("accept_days", sa.Integer, nullable=False),
    sa.Column("handle_days", sa.Integer, nullable=False),
    sa.Column("feedback_days", sa.Integer, nullable=False),
    sa.Column("rating_days", sa.Integer, nullable=False),
    sa.Column("due_soon_hours", sa.Integer, nullable=False),
    sa.Column("escalate_after_days", sa.Integer, nullable=False),
    sa.Column("escalate_on_overdue", sa.Boolean, nullable=False),
    sa.Column("updated_at", Stamp, nullable=False, server_default=sa.func.now()),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.UniqueConstraint("kind", "category_code", "urgency", name="uq_sla_policy_match",
                        postgresql_nulls_not_distinct=True),
)

# The working-day calendar: every day of each loaded year (holidays and make-up days 调休).
calendar_day = sa.Table(
    "calendar_day",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("workday", sa.Boolean, nullable=False),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("source", sa.Text, nullable=False),  # chinese-calendar | admin
    sa.Column("updated_at", Stamp, nullable=False, server_default=sa.func.now()),
    sa.Column("updated_by", sa.Text, nullable=False, server_default="system"),
)

calendar_year = sa.Table(
    "calendar_year",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("loaded_at", Stamp, nullable=False, server_default=sa.func.now()),
)

# Alarms already raised: the primary key makes "exactly once per ticket, clock, level and
# deadline" hold across restarts and two schedulers running at once.
sla_alert = sa.Table(
    "sla_alert",
    metadata,
    sa.Column("ticket_id", Uuid, primary_key=True),
    sa.Column("clock", sa.Text, primary_key=True),
    sa.Column("level", sa.Integer, primary_key=True),  # 0 = due soon, 1.. = overdue levels
    sa.Column("due", Stamp, primary_key=True),
    sa.Column("raised_at", Stamp, nullable=False),
)

# Supervision (督办) notices opened by the scheduler on overdue tickets.
supervision_notice = sa.Table(
    "supervision_notice",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("ticket_id", Uuid, sa.ForeignKey("ticket.id", name="fk_supervision_ticket"),
              nullable=False),
    sa.Column("clock", sa.Text, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("supervising_unit_id", Uuid, nullable=False),
    sa.Column("supervising_path", Path, nullable=False),
    sa.Column("due", Stamp, nullable=False),
    sa.Column("opened_at", Stamp, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("closed_at", Stamp),
    sa.Index("ix_supervision_notice_ticket_id", "ticket_id"),
    sa.Index("ix_supervision_notice_path", "supervising_path", postgresql_using="gin"),
)

# Extension requests (延期) on the handle deadline.
extension = sa.Table(
    "extension",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("ticket_id", Uuid, sa.ForeignKey("ticket.id", name="fk_extension_ticket"),
              nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("requested_at", Stamp, nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # pending | approved | rejected
    sa.Column("decided_at", Stamp),
    sa.Column("decided_by", sa.Text),
    sa.Column("decision_note", sa.Text),
    sa.Index("ix_extension_ticket_id", "ticket_id"),
)

# Local read model of the people service's org tree, built from people.v1 (never a sync call).
org_unit_ref = sa.Table(
    "org_unit_ref",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("parent_id", Uuid),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("path", Path, nullable=False),
)

# Cadres (from CadreRegistered): maps a caller's token subject to a cadre and its work unit.
cadre_ref = sa.Table(
    "cadre_ref",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("subject", sa.Text),
    sa.Column("work_unit_id", Uuid, nullable=False),
    sa.Column("org_path", Path, nullable=False),
    sa.Index("ix_cadre_ref_subject", "subject"),
)

# Pairings (from PairingCreated / PairingEnded): a contact-card QR names a pairing.
pairing_ref = sa.Table(
    "pairing_ref",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("cadre_id", Uuid, nullable=False),
    sa.Column("household_id", Uuid),
    sa.Column("contact_point_id", Uuid),
    sa.Column("org_path", Path, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default="true"),
)

# Time travel for dev and test stacks only (never read in production): how far the services'
# clock runs ahead of the real one, so an end-to-end test can take a ticket past its deadline.
dev_clock = sa.Table(
    "dev_clock",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("offset_seconds", sa.Float, nullable=False),
    sa.Column("set_at", Stamp, nullable=False, server_default=sa.func.now()),
    sa.Column("set_by", sa.Text, nullable=False),
    sa.CheckConstraint("id = 1", name="ck_dev_clock_single_row"),
)

outbox, processed_event = add_kit_tables(metadata)
pii_access = add_audit_table(metadata)
