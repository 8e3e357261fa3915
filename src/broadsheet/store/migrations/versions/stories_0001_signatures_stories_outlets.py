"""Stories: article signatures and duplicates, story membership, stories, outlet profiles.

Side tables only: ``articles`` is not altered (a SQLite batch rebuild would drop the
search index's triggers).

Revision ID: stories_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "stories_0001"
down_revision = "0001"
branch_labels = ("stories",)
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("fingerprint", sa.Text),
        sa.Column("minhash", sa.LargeBinary),
        sa.Column("duplicate_of", sa.Integer),
        sa.Column("duplicate_kind", sa.Text),
    )
    op.create_index("ix_article_signatures_fingerprint", "article_signatures", ["fingerprint"])
    op.create_index("ix_article_signatures_duplicate_of", "article_signatures", ["duplicate_of"])
    op.create_table(
        "article_stories",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("published", Time, nullable=False),
        sa.Column("nearest_story_id", sa.Integer),
    )
    op.create_index("ix_article_stories_story", "article_stories", ["story_id", "published"])
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("first_published", Time, nullable=False),
        sa.Column("last_published", Time, nullable=False),
        sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("source_count", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_stories_last_published", "stories", ["last_published"])
    op.create_table(
        "story_state",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "outlets",
        sa.Column("slug", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("country", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("ownership", sa.Text),
        sa.Column("owner", sa.Text),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("updated", Time, nullable=False),
    )
    op.create_table(
        "outlet_domains",
        sa.Column("domain", sa.Text, primary_key=True),
        sa.Column("outlet_slug", sa.Text, sa.ForeignKey("outlets.slug", ondelete="CASCADE"),
                  nullable=False),
    )


def downgrade() -> None:
    for name in ("outlet_domains", "outlets", "story_state", "stories", "article_stories",
                 "article_signatures"):
        op.drop_table(name)
