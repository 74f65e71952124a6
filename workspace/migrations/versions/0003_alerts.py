"""Saved searches and alerts (issue 15): saved_searches, alert_matches, alert_deliveries, alert_locks,
batch_searches.

Revision ID: 0003_alerts
Revises: 0001

Self-contained (only this area's tables). The unique (saved_search_id, doc_id) of alert_matches and
(saved_search_id, doc_id, channel) of alert_deliveries are what make an alert deliver each document once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_alerts"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("visibility", sa.String(16), nullable=False, server_default="private"),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("query_error", sa.Text(), nullable=True),
        sa.Column("watch", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("interval_s", sa.Integer(), nullable=False, server_default="300"),
        sa.Column("feed_token", sa.String(64), nullable=False),
        sa.Column("webhook_url", sa.String(2000), nullable=True),
        sa.Column("webhook_secret", sa.String(128), nullable=True),
        sa.Column("email_to", sa.String(320), nullable=True),
        _ts("created_at"), _ts("updated_at"), _ts("seen_at"),
        _ts("checked_until", nullable=True), _ts("last_run_at", nullable=True),
        sa.UniqueConstraint("owner", "name", name="uq_saved_searches_owner_name"),
        sa.CheckConstraint("visibility IN ('private', 'shared')", name="ck_saved_searches_visibility"),
        sa.CheckConstraint("interval_s >= 60", name="ck_saved_searches_interval"),
    )
    op.create_index("ix_saved_searches_owner", "saved_searches", ["owner"])
    op.create_table(
        "alert_matches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("saved_search_id", sa.Integer(), sa.ForeignKey(
            "saved_searches.id", ondelete="CASCADE", name="fk_alert_matches_saved_search_id_saved_searches"),
            nullable=False),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.String(40), nullable=True),
        _ts("matched_at"),
        sa.UniqueConstraint("saved_search_id", "doc_id", name="uq_alert_matches_saved_search_id_doc_id"),
    )
    op.create_index("ix_alert_matches_saved_search_id", "alert_matches", ["saved_search_id"])
    op.create_index("ix_alert_matches_matched_at", "alert_matches", ["matched_at"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("saved_search_id", sa.Integer(), sa.ForeignKey(
            "saved_searches.id", ondelete="CASCADE", name="fk_alert_deliveries_saved_search_id_saved_searches"),
            nullable=False),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("delivery_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("created_at"), _ts("sent_at", nullable=True),
        sa.UniqueConstraint("saved_search_id", "doc_id", "channel",
                            name="uq_alert_deliveries_saved_search_id_doc_id_channel"),
        sa.UniqueConstraint("delivery_id", name="uq_alert_deliveries_delivery_id"),
        sa.CheckConstraint("channel IN ('webhook', 'email')", name="ck_alert_deliveries_channel"),
        sa.CheckConstraint("state IN ('pending', 'sent', 'dead')", name="ck_alert_deliveries_state"),
    )
    op.create_index("ix_alert_deliveries_saved_search_id", "alert_deliveries", ["saved_search_id"])
    op.create_index("ix_alert_deliveries_state", "alert_deliveries", ["state"])
    op.create_table(
        "alert_locks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        _ts("expires_at"),
    )
    op.create_table(
        "batch_searches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("rows", sa.Text(), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_batch_searches_owner", "batch_searches", ["owner"])


def downgrade() -> None:
    for table in ("batch_searches", "alert_locks", "alert_deliveries", "alert_matches", "saved_searches"):
        op.drop_table(table)
