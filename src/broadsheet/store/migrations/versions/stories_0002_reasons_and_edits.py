"""Stories: why each article joined its story, and the desk's manual merges and splits.

``article_stories.reason`` is the clusterer's short explanation at placement (the
similarity and the shared words); ``story_edits`` records every merge and split an
editor made, so that ``stories rebuild`` can apply them again and the clusterer
never undoes them.

Revision ID: stories_0002
Revises: stories_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "stories_0002"
down_revision = "stories_0001"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("article_stories", sa.Column("reason", sa.Text))
    op.create_table(
        "story_edits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("into_article_id", sa.Integer),
        sa.Column("at", Time, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("story_edits")
    with op.batch_alter_table("article_stories") as batch:
        batch.drop_column("reason")
