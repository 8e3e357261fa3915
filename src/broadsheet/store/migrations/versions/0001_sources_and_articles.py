"""Sources and articles.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("site_url", sa.Text),
        sa.Column("feed_format", sa.Text),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("publishing_mode", sa.Text),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_polled", Time),
        sa.Column("last_success", Time),
        sa.Column("last_unconditional", Time),
        sa.Column("last_error", sa.Text),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_poll", Time),
        sa.Column("pending_redirect", sa.Text),
        sa.Column("created", Time, nullable=False),
        sa.UniqueConstraint("url", name="uq_sources_url"),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer,
                  sa.ForeignKey("sources.id", ondelete="CASCADE",
                                name="fk_articles_source_id_sources"), nullable=False),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("feed_link", sa.Text),
        sa.Column("canonical_url", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("html", sa.Text, nullable=False, server_default=""),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("published", Time, nullable=False),
        sa.Column("published_offset", sa.Integer),
        sa.Column("updated", Time),
        sa.Column("image", sa.Text),
        sa.Column("image_credit", sa.Text),
        sa.Column("image_caption", sa.Text),
        sa.Column("site_name", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("extraction_method", sa.Text, nullable=False, server_default="page"),
        sa.Column("extraction_error", sa.Text),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created", Time, nullable=False),
        sa.UniqueConstraint("source_id", "entry_key", name="uq_articles_source_entry"),
    )
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_index("ix_articles_source_published", "articles", ["source_id", "published"])
    op.create_index("ix_articles_canonical_url", "articles", ["canonical_url"])


def downgrade() -> None:
    op.drop_table("articles")
    op.drop_table("sources")
