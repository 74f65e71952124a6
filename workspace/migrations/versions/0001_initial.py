"""Initial schema: users, groups, API keys, sessions, collections and their ACL, login attempts, meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Written for SQLite and PostgreSQL alike: timestamps are ``timestamptz`` on PostgreSQL (SQLite keeps
text, read back as UTC by ``workspace.models.UTCDateTime``), enumerations are CHECK constraints, and
the "one grant per principal" rule uses two partial unique indexes, which both databases support.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)



def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("username_key", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        _ts("created_at"),
        _ts("last_login_at", nullable=True),
        sa.Column("oidc_issuer", sa.String(500), nullable=True),
        sa.Column("oidc_subject", sa.String(255), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'analyst', 'reader', 'integrator')", name="role"),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        _ts("created_at"),
    )
    op.create_table(
        "memberships",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        _ts("created_at"),
    )
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scope", sa.String(8), nullable=False),
        _ts("expires_at", nullable=True),
        _ts("revoked_at", nullable=True),
        _ts("last_used_at", nullable=True),
        _ts("created_at"),
        sa.CheckConstraint("scope IN ('read', 'write')", name="scope"),
    )
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        sa.Column("csrf_secret", sa.String(64), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])
    op.create_index(op.f("ix_sessions_expires_at"), "sessions", ["expires_at"])
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        _ts("created_at"),
    )
    op.create_table(
        "collection_acl",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "collection_id", sa.Integer(), sa.ForeignKey("collections.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=True),
        sa.Column("permission", sa.String(8), nullable=False),
        _ts("created_at"),
        sa.CheckConstraint("permission IN ('read', 'write')", name="permission"),
        sa.CheckConstraint("(user_id IS NULL) <> (group_id IS NULL)", name="one_principal"),
    )
    op.create_index(op.f("ix_collection_acl_user_id"), "collection_acl", ["user_id"])
    op.create_index(op.f("ix_collection_acl_group_id"), "collection_acl", ["group_id"])
    for column in ("user_id", "group_id"):
        op.create_index(
            f"uq_collection_acl_{column.removesuffix('_id')}", "collection_acl", ["collection_id", column],
            unique=True, sqlite_where=sa.text(f"{column} IS NOT NULL"),
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username_key", sa.String(64), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        _ts("at"),
    )
    op.create_index("ix_login_attempts_account", "login_attempts", ["username_key", "at"])
    op.create_index("ix_login_attempts_client", "login_attempts", ["client_address", "at"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        _ts("updated_at"),
    )


def downgrade() -> None:
    # Children before parents (foreign keys); indexes go with their tables.
    for table in (
        "meta", "login_attempts", "collection_acl", "collections", "sessions", "api_keys",
        "memberships", "groups", "users",
    ):
        op.drop_table(table)
