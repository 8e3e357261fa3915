"""Ingest: the placement queue, articles stored but not yet placed in a story.

The database itself queues every new article, in the transaction that stores it (a
trigger on ``articles``, like the search index), so no writer can forget to and a
crash between storing and queueing cannot happen. The stories step takes articles off
the queue in the transaction that writes their placement. Articles already stored
without a story are queued here once. (No ``depends_on`` the stories branch: a
dependency between branch heads leaves ``db upgrade`` reporting the schema as not
current, since Alembic then records only the dependent head.)

Revision ID: ingest_0002
Revises: ingest_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "ingest_0002"
down_revision = "ingest_0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE TRIGGER placement_queue_insert AFTER INSERT ON articles BEGIN
           INSERT OR IGNORE INTO placement_queue(article_id) VALUES (new.id);
       END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS placement_queue_insert"]

# One statement-level trigger: a batch of 5,000 articles queues them in one INSERT.
POSTGRES_UP = [
    """CREATE FUNCTION placement_queue_add() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           INSERT INTO placement_queue(article_id) SELECT id FROM new_articles
           ON CONFLICT DO NOTHING;
           RETURN NULL;
       END $$""",
    """CREATE TRIGGER placement_queue_add AFTER INSERT ON articles
       REFERENCING NEW TABLE AS new_articles
       FOR EACH STATEMENT EXECUTE FUNCTION placement_queue_add()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS placement_queue_add ON articles",
    "DROP FUNCTION IF EXISTS placement_queue_add()",
]


def upgrade() -> None:
    op.create_table(
        "placement_queue",
        sa.Column("article_id", sa.Integer,
                  sa.ForeignKey("articles.id", ondelete="CASCADE",
                                name="fk_placement_queue_article_id_articles"),
                  primary_key=True),
    )
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)
    # The stories branch may not have run yet (branches have no order between them);
    # without its tables no article has a story, so every article is queued.
    placed = "article_stories" in sa.inspect(op.get_bind()).get_table_names()
    op.execute("INSERT INTO placement_queue(article_id) SELECT id FROM articles"
               + (" WHERE NOT EXISTS (SELECT 1 FROM article_stories"
                  " WHERE article_stories.article_id = articles.id)" if placed else ""))


def downgrade() -> None:
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_table("placement_queue")
