"""Poll log: one row per poll of a source (when, outcome, fetch seconds, new articles).

Revision ID: scale_0002
Revises: scale_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "scale_0002"
down_revision = "scale_0001"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "poll_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("seconds", sa.Float),
        sa.Column("new_articles", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_poll_log_source_at", "poll_log", ["source_id", "at"])
    op.create_index("ix_poll_log_at", "poll_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_poll_log_at", "poll_log")
    op.drop_index("ix_poll_log_source_at", "poll_log")
    op.drop_table("poll_log")
