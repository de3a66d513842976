"""Voiceprints (opt-in per group): the voiceprints table, groups.voiceprints, per-speaker match columns.

Revision ID: 0003_voiceprints
Revises: 0002
Create Date: 2026-12-01 09:28:29.647882
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003_voiceprints'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('voiceprints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=100), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('vector', sa.JSON(), nullable=False),
    sa.Column('speech_s', sa.Float(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('voiceprints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voiceprints_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voiceprints_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voiceprints_session_id'), ['session_id'], unique=False)

    # A plain ALTER TABLE ADD COLUMN (no batch "move and copy"): on SQLite, recreating `groups` would
    # DROP it, and with foreign keys on that cascades to every person and session of the database.
    op.add_column('groups', sa.Column('voiceprints', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('session_speakers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('match_confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('placeholder', sa.String(length=100), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('session_speakers', schema=None) as batch_op:
        batch_op.drop_column('placeholder')
        batch_op.drop_column('match_confidence')
        batch_op.drop_column('match_status')

    op.drop_column('groups', 'voiceprints')  # SQLite >= 3.35 drops a column in place (see upgrade)

    with op.batch_alter_table('voiceprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voiceprints_session_id'))
        batch_op.drop_index(batch_op.f('ix_voiceprints_person_id'))
        batch_op.drop_index(batch_op.f('ix_voiceprints_group_id'))

    op.drop_table('voiceprints')
