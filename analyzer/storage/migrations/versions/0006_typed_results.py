"""Typed results (schema 2): every stored person's stats in the typed shape, totals by one rule.

Stored sessions move to ``schema_version`` 2. Each speaker's ``stats`` JSON gets every
interruption type (missing ones count 0, keys that are not a type are dropped) and a directive
summary with every key, its ``total`` being the sum of its categories; the speakers' total
columns are computed again from them with that one rule. Downgrade marks the sessions as
schema 1 again (the JSON shape is one that schema 1 reads).

Revision ID: 0006_typed_results
Revises: 0005_group_goals
Create Date: 2026-12-01 09:50:00
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0006_typed_results'
down_revision = '0005_group_goals'
branch_labels = None
depends_on = None

INTERRUPTION_TYPES = ("successful", "unsuccessful", "cooperative", "silent")
_speakers = sa.table("session_speakers", sa.column("id", sa.Integer), sa.column("stats", sa.JSON),
                     sa.column("interruptions_made", sa.Integer), sa.column("interruptions_received", sa.Integer),
                     sa.column("directives", sa.Integer))
_sessions = sa.table("sessions", sa.column("schema_version", sa.Integer))


def _counts(value: Any) -> dict[str, int]:
    value = value if isinstance(value, dict) else {}
    return {kind: int(value.get(kind) or 0) for kind in INTERRUPTION_TYPES}


def _directives(value: Any) -> dict[str, Any]:
    value = value if isinstance(value, dict) else {}
    by_category = {str(k): int(v) for k, v in (value.get("by_category") or {}).items()}
    return {"total": sum(by_category.values()), "by_category": by_category,
            "per_100_words": float(value.get("per_100_words") or 0.0),
            "per_minute": float(value.get("per_minute") or 0.0), "share": float(value.get("share") or 0.0),
            "examples": list(value.get("examples") or [])}


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_speakers.c.id, _speakers.c.stats).where(_speakers.c.stats.isnot(None))).all()
    for speaker_id, stats in rows:
        stats = dict(stats)
        made, received = _counts(stats.get("interruptions_made")), _counts(stats.get("interruptions_received"))
        directives = _directives(stats.get("directives"))
        stats.update(interruptions_made=made, interruptions_received=received, directives=directives)
        bind.execute(sa.update(_speakers).where(_speakers.c.id == speaker_id).values(
            stats=stats, interruptions_made=sum(made.values()), interruptions_received=sum(received.values()),
            directives=directives["total"]))
    bind.execute(sa.update(_sessions).where(_sessions.c.schema_version < 2).values(schema_version=2))


def downgrade() -> None:
    op.get_bind().execute(sa.update(_sessions).where(_sessions.c.schema_version == 2).values(schema_version=1))
