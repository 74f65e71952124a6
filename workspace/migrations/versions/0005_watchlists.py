"""Watchlists (issue 15 item 4): watchlists and watchlist_entries.

Revision ID: 0005_watchlists
Revises: 0004_grading

Self-contained (only this area's tables). A watchlist's alert is a row of saved_searches (set null when
that saved search is deleted).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_watchlists"
down_revision = "0004_grading"
branch_labels = None
depends_on = None


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "watchlists",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("saved_search_id", sa.Integer(), sa.ForeignKey(
            "saved_searches.id", ondelete="SET NULL", name="fk_watchlists_saved_search_id_saved_searches"),
            nullable=True),
        _ts("created_at"), _ts("updated_at"),
        sa.UniqueConstraint("owner", "name", name="uq_watchlists_owner_name"),
    )
    op.create_index("ix_watchlists_owner", "watchlists", ["owner"])
    op.create_table(
        "watchlist_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("watchlist_id", sa.Integer(), sa.ForeignKey(
            "watchlists.id", ondelete="CASCADE", name="fk_watchlist_entries_watchlist_id_watchlists"),
            nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="any"),
        sa.Column("aliases", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("resolved", sa.Text(), nullable=False, server_default="[]"),
        sa.UniqueConstraint("watchlist_id", "position", name="uq_watchlist_entries_watchlist_id_position"),
        sa.CheckConstraint("kind IN ('any', 'person', 'org', 'location', 'vessel', 'keyword')",
                           name="ck_watchlist_entries_kind"),
    )
    op.create_index("ix_watchlist_entries_watchlist_id", "watchlist_entries", ["watchlist_id"])


def downgrade() -> None:
    op.drop_table("watchlist_entries")
    op.drop_table("watchlists")
