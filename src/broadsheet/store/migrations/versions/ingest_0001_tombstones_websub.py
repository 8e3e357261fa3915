"""Ingest: entry tombstones and WebSub subscriptions.

Revision ID: ingest_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "ingest_0001"
down_revision = "0001"
branch_labels = ("ingest",)
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "entry_tombstones",
        sa.Column("source_id", sa.Integer,
                  sa.ForeignKey("sources.id", ondelete="CASCADE",
                                name="fk_entry_tombstones_source_id_sources"),
                  primary_key=True),
        sa.Column("entry_key", sa.Text, primary_key=True),
        sa.Column("created", Time, nullable=False),
    )
    op.create_table(
        "websub_subscriptions",
        sa.Column("source_id", sa.Integer,
                  sa.ForeignKey("sources.id", ondelete="CASCADE",
                                name="fk_websub_subscriptions_source_id_sources"),
                  primary_key=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="requested"),
        sa.Column("lease_expires", Time),
        sa.Column("requested", Time, nullable=False),
        sa.Column("last_push", Time),
        sa.Column("last_error", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("websub_subscriptions")
    op.drop_table("entry_tombstones")
