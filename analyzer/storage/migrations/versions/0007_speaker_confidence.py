"""Per-speaker confidence that the diarization found a distinct person (issue 14).

Revision ID: 0007_speaker_confidence
Revises: 0006_typed_results
Create Date: 2026-12-01 11:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_speaker_confidence'
down_revision = '0006_typed_results'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch "move and copy"), as 0004: rebuilding a table on SQLite could cascade deletes.
def upgrade() -> None:
    op.add_column('session_speakers', sa.Column('confidence', sa.Float(), nullable=True))
    op.add_column('session_speakers', sa.Column('confidence_detail', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('session_speakers', 'confidence_detail')  # SQLite >= 3.35 drops a column in place
    op.drop_column('session_speakers', 'confidence')
