"""Site: full-text search index, article tags, view counts.

Search is kept in step with ``articles`` by the database itself, so any writer
(``store.articles.add_article`` included) keeps it current without knowing it exists:

- SQLite: an external-content FTS5 table ``articles_fts`` over title, summary and text,
  maintained by triggers;
- PostgreSQL: a generated ``search_vector`` tsvector column with a GIN index.

Tags are copied from ``articles.categories`` into ``article_tags`` (with the article's
publication time, so a tag page is one index range) by a trigger on both engines.

Revision ID: site_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "site_0001"
down_revision = "0001"
branch_labels = ("site",)
depends_on = None

Time = sa.DateTime(timezone=True)

SQLITE_UP = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
           title, summary, text, content='articles', content_rowid='id',
           tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
           INSERT INTO articles_fts(rowid, title, summary, text)
           VALUES (new.id, new.title, new.summary, new.text);
       END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
           INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
           VALUES ('delete', old.id, old.title, old.summary, old.text);
       END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, text ON articles
       BEGIN
           INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
           VALUES ('delete', old.id, old.title, old.summary, old.text);
           INSERT INTO articles_fts(rowid, title, summary, text)
           VALUES (new.id, new.title, new.summary, new.text);
       END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    """CREATE TRIGGER article_tags_insert AFTER INSERT ON articles BEGIN
           INSERT OR IGNORE INTO article_tags(article_id, tag, published)
           SELECT new.id, lower(trim(value)), new.published FROM json_each(new.categories)
           WHERE json_valid(new.categories) AND trim(value) != '';
       END""",
    """CREATE TRIGGER article_tags_update AFTER UPDATE OF categories, published ON articles
       BEGIN
           DELETE FROM article_tags WHERE article_id = new.id;
           INSERT OR IGNORE INTO article_tags(article_id, tag, published)
           SELECT new.id, lower(trim(value)), new.published FROM json_each(new.categories)
           WHERE json_valid(new.categories) AND trim(value) != '';
       END""",
    """INSERT OR IGNORE INTO article_tags(article_id, tag, published)
       SELECT articles.id, lower(trim(value)), articles.published
       FROM articles, json_each(articles.categories)
       WHERE json_valid(articles.categories) AND trim(value) != ''""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS article_tags_update",
    "DROP TRIGGER IF EXISTS article_tags_insert",
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
]

POSTGRES_UP = [
    """ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
           setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
           setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
           setweight(to_tsvector('english', coalesce(text, '')), 'C')) STORED""",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    """CREATE FUNCTION article_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           DELETE FROM article_tags WHERE article_id = NEW.id;
           INSERT INTO article_tags(article_id, tag, published)
           SELECT DISTINCT NEW.id, lower(btrim(value)), NEW.published
           FROM json_array_elements_text(
               CASE WHEN json_typeof(NEW.categories) = 'array' THEN NEW.categories
                    ELSE '[]'::json END) AS value
           WHERE btrim(value) <> ''
           ON CONFLICT DO NOTHING;
           RETURN NEW;
       END $$""",
    """CREATE TRIGGER article_tags_sync
       AFTER INSERT OR UPDATE OF categories, published ON articles FOR EACH ROW EXECUTE FUNCTION article_tags_sync()""",
    """INSERT INTO article_tags(article_id, tag, published)
       SELECT DISTINCT articles.id, lower(btrim(value)), articles.published
       FROM articles, json_array_elements_text(articles.categories) AS value
       WHERE json_typeof(articles.categories) = 'array' AND btrim(value) <> ''
       ON CONFLICT DO NOTHING""",
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS article_tags_sync ON articles",
    "DROP FUNCTION IF EXISTS article_tags_sync()",
    "DROP INDEX IF EXISTS ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Integer,
                  sa.ForeignKey("articles.id", ondelete="CASCADE",
                                name="fk_article_tags_article_id_articles"), nullable=False),
        sa.Column("tag", sa.Text, nullable=False),
        sa.Column("published", Time, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "tag", name="pk_article_tags"),
    )
    op.create_index("ix_article_tags_tag", "article_tags", ["tag", "published", "article_id"])
    op.create_table(
        "article_views",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("mark", sa.Text, nullable=False),
        sa.Column("article_id", sa.Integer,
                  sa.ForeignKey("articles.id", ondelete="CASCADE",
                                name="fk_article_views_article_id_articles"), nullable=False),
        sa.PrimaryKeyConstraint("day", "mark", name="pk_article_views"),
    )
    op.create_index("ix_article_views_day_article", "article_views", ["day", "article_id"])
    op.create_table(
        "view_salts",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("salt", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_view_salts"),
    )
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
    op.drop_table("view_salts")
    op.drop_table("article_views")
    op.drop_table("article_tags")
