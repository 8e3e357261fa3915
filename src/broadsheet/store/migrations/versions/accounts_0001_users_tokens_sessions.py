"""Accounts: users, API tokens, sessions, login throttle, audit log, per-user reader state.

Revision ID: accounts_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0001"
down_revision = "0001"
branch_labels = ("accounts",)
depends_on = None

Time = sa.DateTime(timezone=True)


def _user_fk(table: str, ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey("users.id", ondelete=ondelete, name=f"fk_{table}_user_id_users")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("api_password_hash", sa.Text),
        sa.Column("fever_key_hash", sa.Text),
        sa.Column("created", Time, nullable=False),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.UniqueConstraint("fever_key_hash", name="uq_users_fever_key_hash"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, _user_fk("api_tokens"), nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("kind", sa.Text, nullable=False, server_default="api"),
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("prefix", sa.Text, nullable=False),
        sa.Column("created", Time, nullable=False),
        sa.Column("last_used", Time),
        sa.Column("revoked", Time),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Integer, _user_fk("sessions"), nullable=False),
        sa.Column("csrf_token", sa.Text, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("created", Time, nullable=False),
        sa.Column("expires", Time, nullable=False),
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure", Time),
        sa.Column("locked_until", Time),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("time", Time, nullable=False),
        sa.Column("user_id", sa.Integer, _user_fk("audit_log", "SET NULL")),
        sa.Column("user_name", sa.Text, nullable=False, server_default=""),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False, server_default=""),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("address", sa.Text),
    )
    op.create_index("ix_audit_log_time", "audit_log", ["time"])
    op.create_table(
        "reader_state",
        sa.Column("user_id", sa.Integer, _user_fk("reader_state"), nullable=False),
        sa.Column("article_id", sa.Integer,
                  sa.ForeignKey("articles.id", ondelete="CASCADE",
                                name="fk_reader_state_article_id_articles"), nullable=False),
        sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("starred", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("changed", Time, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "article_id", name="pk_reader_state"),
    )
    op.create_index("ix_reader_state_article", "reader_state", ["article_id"])


def downgrade() -> None:
    for table in ("reader_state", "audit_log", "login_throttle", "sessions", "api_tokens",
                  "users"):
        op.drop_table(table)
