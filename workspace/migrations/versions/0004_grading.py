"""Source grading (issue 16): source registry, grade history, per-document credibility overrides.

Revision ID: 0004_grading
Revises: 0001
Create Date: 2026-11-24

Self-contained (only this feature's tables) so it can be chained after parallel revisions at merge.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_grading"
down_revision = "0003_alerts"  # chained after the alerts tables (both branched from 0001)
branch_labels = None
depends_on = None

RELIABILITY = "reliability IN ('A', 'B', 'C', 'D', 'E', 'F')"


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _text(name: str, length: int | None = None) -> sa.Column:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False, unique=True),
        sa.Column("name_key", sa.String(256), nullable=False, unique=True),
        _text("type", 32), _text("home_url", 500), _text("country", 64), _text("language", 16),
        _text("owner", 200), _text("affiliation", 200), _text("description"),
        sa.Column("reliability", sa.String(1), nullable=False, server_default="F"),
        _text("rationale"), _text("graded_by", 200), _ts("graded_at"),
        sa.Column("auto_registered", sa.Boolean(), nullable=False, server_default=sa.false()),
        _ts("created_at"),
        sa.CheckConstraint(RELIABILITY, name="reliability"),
    )
    op.create_table(
        "source_grades",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("graded_by", sa.String(200), nullable=False),
        _ts("graded_at"),
        sa.CheckConstraint(RELIABILITY, name="reliability"),
    )
    op.create_index("ix_source_grades_source", "source_grades", ["source_id", "id"])
    op.create_table(
        "credibility_overrides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("credibility", sa.String(1), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        _ts("created_at"),
        sa.CheckConstraint("credibility IS NULL OR credibility IN ('1', '2', '3', '4', '5', '6')",
                           name="credibility"),
    )
    op.create_index("ix_credibility_overrides_doc", "credibility_overrides", ["doc_id", "id"])


def downgrade() -> None:
    op.drop_table("credibility_overrides")
    op.drop_table("source_grades")
    op.drop_table("sources")
