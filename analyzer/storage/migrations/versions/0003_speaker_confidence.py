"""Per-speaker confidence that the diarization found a distinct person (issue 14).

Revision ID: 0003_speaker_confidence
Revises: 0002
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0003_speaker_confidence'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('session_speakers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('confidence_detail', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('session_speakers', schema=None) as batch_op:
        batch_op.drop_column('confidence_detail')
        batch_op.drop_column('confidence')
