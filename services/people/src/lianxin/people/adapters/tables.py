"""Table definitions of the people database (Alembic migrations create them).

Personal data is stored sealed (`*_enc`, see lianxin.kit.pii) with a blind index (`*_bi`) for
exact lookup; nothing in these tables holds a phone number, ID number, address or hardship in
clear. Every subtree query is `org_path @> ARRAY[:unit]`, served by a GIN index.
"""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.kit.audit import add_audit_table
from lianxin.kit.tables import add_kit_tables
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = sa.MetaData()
Uuid = UUID(as_uuid=True)
Path = ARRAY(Uuid)


def _stamps() -> list[sa.Column]:
    return [sa.Column("version", sa.Integer, nullable=False, server_default="1"),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                      server_default=sa.func.now())]


org_unit = sa.Table(
    "org_unit",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("parent_id", Uuid, sa.ForeignKey("org_unit.id", name="fk_org_unit_parent")),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    # Materialised path root → self: a subtree is `path @> ARRAY[id]`, served by the GIN index.
    sa.Column("path", Path, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("subkind", sa.Text),
    sa.Index("ix_org_unit_parent_id", "parent_id"),
    sa.Index("ix_org_unit_path", "path", postgresql_using="gin"),
)

# Every version of every unit: renames and moves keep their history (who, when, what).
org_unit_change = sa.Table(
    "org_unit_change",
    metadata,
    sa.Column("org_unit_id", Uuid, sa.ForeignKey("org_unit.id", name="fk_org_unit_change_unit"),
              primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("change", sa.Text, nullable=False),  # created | renamed | moved
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("parent_id", Uuid),
    sa.Column("path", Path, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
)

household = sa.Table(
    "household",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("org_unit_id", Uuid, sa.ForeignKey("org_unit.id", name="fk_household_org_unit"),
              nullable=False),
    sa.Column("org_path", Path, nullable=False),
    sa.Column("household_no", sa.Text, nullable=False),
    sa.Column("address_enc", sa.LargeBinary, nullable=False),
    sa.Column("head_resident_id", Uuid),
    *_stamps(),
    sa.UniqueConstraint("org_unit_id", "household_no", name="uq_household_unit_no"),
    sa.Index("ix_household_org_path", "org_path", postgresql_using="gin"),
)

resident = sa.Table(
    "resident",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("household_id", Uuid, sa.ForeignKey("household.id", name="fk_resident_household"),
              nullable=False),
    sa.Column("org_unit_id", Uuid, nullable=False),
    sa.Column("org_path", Path, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("gender", sa.Text, nullable=False),
    sa.Column("birth_year", sa.Integer, nullable=False),
    sa.Column("relation", sa.Text, nullable=False),
    sa.Column("phone_enc", sa.LargeBinary),
    sa.Column("phone_bi", sa.LargeBinary),
    sa.Column("id_number_enc", sa.LargeBinary),
    sa.Column("id_number_bi", sa.LargeBinary),
    *_stamps(),
    sa.Index("ix_resident_household_id", "household_id"),
    sa.Index("ix_resident_org_path", "org_path", postgresql_using="gin"),
    sa.Index("ix_resident_name", "name"),
    sa.Index("ix_resident_phone_bi", "phone_bi"),
    # One person, one record: the same ID number cannot be registered twice.
    sa.Index("uq_resident_id_number_bi", "id_number_bi", unique=True),
)

needs_tag = sa.Table(
    "needs_tag",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("household_id", Uuid, sa.ForeignKey("household.id", name="fk_needs_tag_household"),
              nullable=False),
    sa.Column("kind_enc", sa.LargeBinary, nullable=False),
    sa.Column("kind_bi", sa.LargeBinary, nullable=False),
    sa.Column("since", sa.Date, nullable=False),
    sa.Column("until", sa.Date),
    *_stamps(),
    sa.Index("ix_needs_tag_household_id", "household_id"),
    sa.Index("ix_needs_tag_kind_bi", "kind_bi"),
)

cadre = sa.Table(
    "cadre",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("work_unit_id", Uuid, sa.ForeignKey("org_unit.id", name="fk_cadre_work_unit"),
              nullable=False),
    sa.Column("org_path", Path, nullable=False),
    sa.Column("rank", sa.Text),  # NULL: a party member without office
    sa.Column("party_member", sa.Boolean, nullable=False),
    sa.Column("branch_id", Uuid, sa.ForeignKey("org_unit.id", name="fk_cadre_branch")),
    sa.Column("duty_post", sa.Text),
    sa.Column("phone_enc", sa.LargeBinary),
    sa.Column("phone_bi", sa.LargeBinary),
    sa.Column("subject", sa.Text),
    *_stamps(),
    sa.Index("ix_cadre_org_path", "org_path", postgresql_using="gin"),
    sa.Index("ix_cadre_phone_bi", "phone_bi"),
    sa.Index("uq_cadre_subject", "subject", unique=True),
)

campaign = sa.Table(
    "campaign",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("org_unit_id", Uuid, sa.ForeignKey("org_unit.id", name="fk_campaign_org_unit"),
              nullable=False),
    sa.Column("org_path", Path, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("min_households", sa.Integer),
    sa.Column("quota_by_rank", JSONB, nullable=False, server_default="{}"),
    sa.Column("coverage_target", sa.Float, nullable=False),
    sa.Column("org_unit_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    sa.Column("cadre_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    *_stamps(),
    sa.Index("ix_campaign_org_path", "org_path", postgresql_using="gin"),
)

# Card numbers (连心卡编号) come from one sequence, so they are unique and never reused.
card_no_seq = sa.Sequence("contact_card_no_seq", metadata=metadata)

pairing = sa.Table(
    "pairing",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("cadre_id", Uuid, sa.ForeignKey("cadre.id", name="fk_pairing_cadre"), nullable=False),
    sa.Column("household_id", Uuid, sa.ForeignKey("household.id", name="fk_pairing_household")),
    sa.Column("contact_point_id", Uuid,
              sa.ForeignKey("org_unit.id", name="fk_pairing_contact_point")),
    sa.Column("campaign_id", Uuid, sa.ForeignKey("campaign.id", name="fk_pairing_campaign")),
    sa.Column("org_path", Path, nullable=False),
    sa.Column("started_on", sa.Date, nullable=False),
    sa.Column("ended_on", sa.Date),
    sa.Column("end_reason", sa.Text),
    sa.Column("card_no", sa.Text, nullable=False),
    *_stamps(),
    sa.CheckConstraint("(household_id IS NULL) <> (contact_point_id IS NULL)",
                       name="ck_pairing_one_target"),
    sa.UniqueConstraint("card_no", name="uq_pairing_card_no"),
    sa.Index("ix_pairing_cadre_id", "cadre_id"),
    sa.Index("ix_pairing_household_id", "household_id"),
    sa.Index("ix_pairing_org_path", "org_path", postgresql_using="gin"),
    # A cadre is paired with a household (or contact point) at most once at a time.
    sa.Index("uq_pairing_active_household", "cadre_id", "household_id", unique=True,
             postgresql_where=sa.text("ended_on IS NULL AND household_id IS NOT NULL")),
    sa.Index("uq_pairing_active_contact_point", "cadre_id", "contact_point_id", unique=True,
             postgresql_where=sa.text("ended_on IS NULL AND contact_point_id IS NOT NULL")),
)

visit = sa.Table(
    "visit",
    metadata,
    sa.Column("id", Uuid, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("cadre_id", Uuid, sa.ForeignKey("cadre.id", name="fk_visit_cadre"), nullable=False),
    sa.Column("org_unit_id", Uuid, sa.ForeignKey("org_unit.id", name="fk_visit_org_unit"),
              nullable=False),
    sa.Column("org_path", Path, nullable=False),
    sa.Column("visited_on", sa.Date, nullable=False),
    sa.Column("place", sa.Text, nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
    sa.Column("participant_cadre_ids", ARRAY(Uuid), nullable=False),
    sa.Column("household_ids", ARRAY(Uuid), nullable=False),
    sa.Column("ticket_ids", ARRAY(Uuid), nullable=False),
    sa.Column("campaign_id", Uuid, sa.ForeignKey("campaign.id", name="fk_visit_campaign")),
    sa.Column("recorded_by", sa.Text, nullable=False),
    *_stamps(),
    sa.Index("ix_visit_org_path", "org_path", postgresql_using="gin"),
    sa.Index("ix_visit_cadre_id", "cadre_id", "visited_on"),
    sa.Index("ix_visit_household_ids", "household_ids", postgresql_using="gin"),
)

outbox, processed_event = add_kit_tables(metadata)
pii_access = add_audit_table(metadata)
