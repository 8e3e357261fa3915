"""The database schema, as SQLAlchemy Core tables; Alembic migrations create it."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Time = sa.DateTime(timezone=True)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("site_url", sa.Text),
    sa.Column("feed_format", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),
    sa.Column("publishing_mode", sa.Text),
    sa.Column("settings", sa.JSON, nullable=False, default=dict),
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
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("entry_key", sa.Text, nullable=False),
    sa.Column("feed_link", sa.Text),
    sa.Column("canonical_url", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False, server_default=""),
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("html", sa.Text, nullable=False, server_default=""),
    sa.Column("authors", sa.JSON, nullable=False, default=list),
    sa.Column("categories", sa.JSON, nullable=False, default=list),
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
sa.Index("ix_articles_published", articles.c.published)
sa.Index("ix_articles_source_published", articles.c.source_id, articles.c.published)
sa.Index("ix_articles_canonical_url", articles.c.canonical_url)

# --- site: tags, view counts (migration branch "site") ---------------------------------
# The search index is not here: it is an FTS5 table (SQLite) or a generated tsvector
# column (PostgreSQL) that SQLAlchemy Core need not know; see store/search.py.

article_tags = sa.Table(
    "article_tags",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("tag", sa.Text, primary_key=True),
    sa.Column("published", Time, nullable=False),
)
sa.Index("ix_article_tags_tag", article_tags.c.tag, article_tags.c.published,
         article_tags.c.article_id)

article_views = sa.Table(
    "article_views",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("mark", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              nullable=False),
)
sa.Index("ix_article_views_day_article", article_views.c.day, article_views.c.article_id)

view_salts = sa.Table(
    "view_salts",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("salt", sa.Text, nullable=False),
)

# --- accounts: users, tokens, sessions, login throttle, audit, reader state -------------
# (migration branch "accounts")

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("api_password_hash", sa.Text),
    sa.Column("fever_key_hash", sa.Text, unique=True),
    sa.Column("created", Time, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("kind", sa.Text, nullable=False, server_default="api"),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("prefix", sa.Text, nullable=False),
    sa.Column("created", Time, nullable=False),
    sa.Column("last_used", Time),
    sa.Column("revoked", Time),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id_hash", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("csrf_token", sa.Text, nullable=False),
    sa.Column("address", sa.Text),
    sa.Column("created", Time, nullable=False),
    sa.Column("expires", Time, nullable=False),
)

login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_failure", Time),
    sa.Column("locked_until", Time),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("time", Time, nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("user_name", sa.Text, nullable=False, server_default=""),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=False, server_default=""),
    sa.Column("detail", sa.JSON, nullable=False, default=dict),
    sa.Column("address", sa.Text),
)
sa.Index("ix_audit_log_time", audit_log.c.time)

reader_state = sa.Table(
    "reader_state",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("starred", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("changed", Time, nullable=False),
)
sa.Index("ix_reader_state_article", reader_state.c.article_id)

# --- scale: leases, workers, per-host state (migration branch "scale") -----------------
# A source's lease lives on the source row itself (lease_owner, lease_until); these
# tables hold what the whole cluster shares.

workers = sa.Table(
    "workers",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("hostname", sa.Text, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started", Time, nullable=False),
    sa.Column("heartbeat", Time, nullable=False),
    sa.Column("polls", sa.Integer, nullable=False, server_default="0"),
)

host_slots = sa.Table(
    "host_slots",
    metadata,
    sa.Column("host", sa.Text, primary_key=True),
    sa.Column("slot", sa.Integer, primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("lease_until", Time),
)

host_state = sa.Table(
    "host_state",
    metadata,
    sa.Column("host", sa.Text, primary_key=True),
    sa.Column("not_before", Time),  # from Retry-After: nobody contacts the host before this
)

leader_locks = sa.Table(
    "leader_locks",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("lease_until", Time, nullable=False),
)

sources.append_column(sa.Column("lease_owner", sa.Text))
sources.append_column(sa.Column("lease_until", Time))

# --- ingest: tombstones and WebSub (migration branch "ingest") ---------------------------

entry_tombstones = sa.Table(
    "entry_tombstones",
    metadata,
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("entry_key", sa.Text, primary_key=True),
    sa.Column("created", Time, nullable=False),
)
"""Entry keys of articles deleted on purpose: a feed that still lists them adds nothing."""

placement_queue = sa.Table(
    "placement_queue",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True),
)
"""Articles stored but not yet placed in a story. A trigger on ``articles`` queues each
new article in the transaction that stores it; the stories step deletes the row in the
transaction that writes the placement (see store/placement_queue.py)."""

websub_subscriptions = sa.Table(
    "websub_subscriptions",
    metadata,
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
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

# --- stories: signatures, story membership, stories, outlets (migration branch "stories") -
# Side tables keyed by article id: the articles table itself is never altered (on SQLite a
# batch rebuild of it would drop the search index's triggers).

article_signatures = sa.Table(
    "article_signatures",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("fingerprint", sa.Text),
    sa.Column("minhash", sa.LargeBinary),
    sa.Column("duplicate_of", sa.Integer),
    sa.Column("duplicate_kind", sa.Text),  # "address", "text" or "near"
)
sa.Index("ix_article_signatures_fingerprint", article_signatures.c.fingerprint)
sa.Index("ix_article_signatures_duplicate_of", article_signatures.c.duplicate_of)

article_stories = sa.Table(
    "article_stories",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("story_id", sa.Integer, nullable=False),
    sa.Column("published", Time, nullable=False),
    sa.Column("nearest_story_id", sa.Integer),  # the closest other story when it was placed
    sa.Column("reason", sa.Text),  # why it joined (similarity, shared words); None: it founded it
)
sa.Index("ix_article_stories_story", article_stories.c.story_id, article_stories.c.published)

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # its first article's id
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("first_published", Time, nullable=False),
    sa.Column("last_published", Time, nullable=False),
    sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("source_count", sa.Integer, nullable=False, server_default="0"),
)
sa.Index("ix_stories_last_published", stories.c.last_published)

story_state = sa.Table(
    "story_state",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.Integer, nullable=False, server_default="0"),
)
"""Counters of the stories step: "version" is bumped by every write (a process whose
in-memory clusterer saw another version reloads it). What awaits placement is the
placement queue, not a counter."""

story_edits = sa.Table(
    "story_edits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),  # "merge" or "split"
    # merge: the story founded by article_id went into the one founded by into_article_id;
    # split: article_id was taken out of its story. Article ids, so a rebuild can replay them.
    sa.Column("article_id", sa.Integer, nullable=False),
    sa.Column("into_article_id", sa.Integer),
    sa.Column("at", Time, nullable=False),
)

outlets = sa.Table(
    "outlets",
    metadata,
    sa.Column("slug", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("country", sa.Text),
    sa.Column("language", sa.Text),
    sa.Column("ownership", sa.Text),
    sa.Column("owner", sa.Text),
    sa.Column("citations", sa.JSON, nullable=False, default=dict),
    sa.Column("updated", Time, nullable=False),
)

outlet_domains = sa.Table(
    "outlet_domains",
    metadata,
    sa.Column("domain", sa.Text, primary_key=True),
    sa.Column("outlet_slug", sa.Text, sa.ForeignKey("outlets.slug", ondelete="CASCADE"),
              nullable=False),
)

poll_log = sa.Table(
    "poll_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("at", Time, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # "ok", "not_modified", "error"
    sa.Column("seconds", sa.Float),  # the feed's fetch; None when it never answered
    sa.Column("new_articles", sa.Integer, nullable=False, server_default="0"),
)
"""One row per poll (written by update/pipeline.py), for the feed health plots."""
sa.Index("ix_poll_log_source_at", poll_log.c.source_id, poll_log.c.at)
sa.Index("ix_poll_log_at", poll_log.c.at)
