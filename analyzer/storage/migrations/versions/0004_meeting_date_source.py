"""Remember where a session's meeting date came from (given, metadata, file name, file modified, upload).

Revision ID: 0004_date_source
Revises: 0003_voiceprints
Create Date: 2026-12-01 09:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_date_source'
down_revision = '0003_voiceprints'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch "move and copy"): on SQLite, recreating `sessions` would DROP it, and with
# foreign keys on that cascades to every row derived from its sessions (as 0003_voiceprints notes).
def upgrade() -> None:
    op.add_column('sessions', sa.Column('date_source', sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column('sessions', 'date_source')  # SQLite >= 3.35 drops a column in place
