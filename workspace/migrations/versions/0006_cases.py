"""Marking and case files (issue 18): stars, tags, notes, passage annotations; cases with members,
documents, saved searches and notes.

Revision ID: 0006_cases
Revises: 0004_grading
Create Date: 2026-11-24

Self-contained (only this feature's tables) so it can be chained after parallel revisions at merge.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_cases"
down_revision = "0005_watchlists"  # chained after the watchlist tables (both branched from 0004_grading)
branch_labels = None
depends_on = None

TABLES = ("case_searches", "case_notes", "case_members", "case_documents", "doc_tags", "doc_marks", "annotations",
          "cases")  # children before their parent


def upgrade() -> None:
    op.create_table('annotations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('doc_id', sa.String(length=512), nullable=False),
    sa.Column('field', sa.String(length=16), server_default='body', nullable=False),
    sa.Column('start_offset', sa.Integer(), nullable=False),
    sa.Column('end_offset', sa.Integer(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("field IN ('body', 'title')", name=op.f('ck_annotations_field')),
    sa.CheckConstraint('start_offset >= 0 AND end_offset > start_offset', name=op.f('ck_annotations_offsets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annotations'))
    )
    with op.batch_alter_table('annotations', schema=None) as batch_op:
        batch_op.create_index('ix_annotations_doc', ['doc_id', 'start_offset'], unique=False)
        batch_op.create_index(batch_op.f('ix_annotations_owner'), ['owner'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('classification', sa.String(length=500), server_default='', nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('judgements', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed', 'archived')", name=op.f('ck_cases_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_owner'), ['owner'], unique=False)

    op.create_table('doc_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('doc_id', sa.String(length=512), nullable=False),
    sa.Column('starred', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_marks')),
    sa.UniqueConstraint('owner', 'doc_id', name=op.f('uq_doc_marks_owner_doc_id'))
    )
    with op.batch_alter_table('doc_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_marks_owner'), ['owner'], unique=False)

    op.create_table('doc_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('doc_id', sa.String(length=512), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.Column('tag_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_tags')),
    sa.UniqueConstraint('owner', 'doc_id', 'tag_key', name=op.f('uq_doc_tags_owner_doc_id_tag_key'))
    )
    with op.batch_alter_table('doc_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_tags_doc_id'), ['doc_id'], unique=False)
        batch_op.create_index('ix_doc_tags_owner_tag', ['owner', 'tag_key'], unique=False)

    op.create_table('case_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.String(length=512), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_documents_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_documents')),
    sa.UniqueConstraint('case_id', 'doc_id', name=op.f('uq_case_documents_case_id_doc_id'))
    )
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_documents_doc_id'), ['doc_id'], unique=False)

    op.create_table('case_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('member', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_members_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_members')),
    sa.UniqueConstraint('case_id', 'member', name=op.f('uq_case_members_case_id_member'))
    )
    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_members_member'), ['member'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_notes_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_case_id'), ['case_id'], unique=False)

    op.create_table('case_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_searches_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_searches'))
    )
    with op.batch_alter_table('case_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_searches_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)  # its indexes go with it
