"""Site: stories recounted and retitled from their visible articles.

From this revision on, hiding or showing an article recounts and retitles its story in
the same transaction (``store.stories.refresh_stories_of``). Stories holding articles
hidden before then are brought in line once here: counts of visible articles only (0
when all are hidden, which every public list leaves out), the title of the first
article while visible, else of the first visible one.

Revision ID: site_0002
Revises: site_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "site_0002"
down_revision = "site_0001"
branch_labels = None
depends_on = None

_VISIBLE_MEMBERS = """FROM article_stories AS m JOIN articles AS a ON a.id = m.article_id
                      WHERE m.story_id = stories.id AND NOT a.hidden"""

RETITLE = f"""
UPDATE stories SET
    article_count = (SELECT count(*) {_VISIBLE_MEMBERS}),
    source_count = (SELECT count(DISTINCT a.source_id) {_VISIBLE_MEMBERS}),
    title = coalesce(
        (SELECT a.title FROM articles AS a WHERE a.id = stories.id AND NOT a.hidden),
        (SELECT a.title {_VISIBLE_MEMBERS} ORDER BY m.published, m.article_id LIMIT 1),
        stories.title)
WHERE stories.id IN (SELECT m.story_id FROM article_stories AS m
                     JOIN articles AS a ON a.id = m.article_id WHERE a.hidden)
"""


def upgrade() -> None:
    # Branches apply in no fixed order: before the stories branch there is nothing to fix
    # (and no depends_on, which would leave the stories head unrecorded).
    if "stories" in sa.inspect(op.get_bind()).get_table_names():
        op.execute(sa.text(RETITLE))


def downgrade() -> None:
    """Nothing to undo: the counts and titles stay valid for the older code."""
