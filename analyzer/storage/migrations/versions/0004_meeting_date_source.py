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


def upgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_source', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('date_source')
