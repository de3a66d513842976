"""Group agreements: each version of a group's goals, with the meeting day from which it applies.

Revision ID: 0005_group_goals
Revises: 0004_date_source
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_group_goals'
down_revision = '0004_date_source'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'group_goals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('goals', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('group_id', 'version', name='uq_group_goals_version'),
    )
    op.create_index('ix_group_goals_group_id', 'group_goals', ['group_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_group_goals_group_id', table_name='group_goals')
    op.drop_table('group_goals')
