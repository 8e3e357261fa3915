"""Scale-out: source leases, workers, per-host slots and state, leader locks.

Revision ID: scale_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "scale_0001"
down_revision = "0001"
branch_labels = ("scale",)
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("lease_owner", sa.Text))
        batch.add_column(sa.Column("lease_until", Time))
    op.create_index("ix_sources_next_poll", "sources", ["next_poll"])
    op.create_table(
        "workers",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("hostname", sa.Text, nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started", Time, nullable=False),
        sa.Column("heartbeat", Time, nullable=False),
        sa.Column("polls", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "host_slots",
        sa.Column("host", sa.Text, primary_key=True),
        sa.Column("slot", sa.Integer, primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("lease_until", Time),
    )
    op.create_table(
        "host_state",
        sa.Column("host", sa.Text, primary_key=True),
        sa.Column("not_before", Time),
    )
    op.create_table(
        "leader_locks",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("lease_until", Time, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leader_locks")
    op.drop_table("host_state")
    op.drop_table("host_slots")
    op.drop_table("workers")
    op.drop_index("ix_sources_next_poll", "sources")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
