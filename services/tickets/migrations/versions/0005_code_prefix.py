"""Ticket codes counted per prefix (the county's name) and year instead of per county id: two
counties of one name (朝阳区 in Beijing and in Changchun) or a county renamed to a name another
had would otherwise hand out the same code. The counters are rebuilt from the codes issued.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# <prefix>-<year>-<number>; the prefix may itself contain '-'.
CODE = r"^(.*)-([0-9]{4})-([0-9]+)$"


def upgrade() -> None:
    op.drop_table("ticket_code_counter")
    op.create_table(
        "ticket_code_counter",
        sa.Column("prefix", sa.Text(), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.execute(f"""
        INSERT INTO ticket_code_counter (prefix, year, last)
        SELECT m[1], m[2]::int, max(m[3]::int)
        FROM (SELECT regexp_match(code, '{CODE}') AS m FROM ticket) AS codes
        WHERE m IS NOT NULL
        GROUP BY m[1], m[2]
    """)


def downgrade() -> None:
    # Which county a prefix's numbers belonged to is not recorded, so per-county counters
    # cannot be rebuilt; going back would risk handing out codes twice. Refuse, saying why.
    raise NotImplementedError("0005 cannot be downgraded: ticket codes are counted per prefix now, "
                              "and per-county counters cannot be rebuilt from them")
