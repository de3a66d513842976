"""A group's agreements in the database: versions of its goals, and sessions judged by them.

Goals are versioned: every change makes a new version, in force for meetings on or after its
``valid_from`` day, so an old session is always judged by the goals the group had agreed at
that meeting. The judging itself is :mod:`analyzer.metrics.agreements` (pure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from analyzer.metrics.agreements import (
    Goal, GoalCheck, GoalVersion, SessionAgreements, goals_from_json, goals_to_json, in_force, judge, movements,
)
from analyzer.storage.convert import metrics_from_row
from analyzer.storage.models import GroupGoalsRow, GroupRow, SessionRow


@dataclass(frozen=True, slots=True)
class AgreementPoint:
    """One session of a group judged by the goals in force at its meeting (for trends)."""

    session_id: int
    title: str
    recorded_at: str
    version: int | None
    checks: tuple[GoalCheck, ...]


def _version(row: GroupGoalsRow) -> GoalVersion:
    return GoalVersion(row.version, row.valid_from, row.created_at, goals_from_json(row.goals or ()))


def versions(session: Session, group: GroupRow) -> list[GoalVersion]:
    rows = session.scalars(select(GroupGoalsRow).where(GroupGoalsRow.group_id == group.id)
                           .order_by(GroupGoalsRow.version)).all()
    return [_version(r) for r in rows]


def add_version(session: Session, group: GroupRow, goals: tuple[Goal, ...], valid_from: str | None,
                now: str) -> GoalVersion:
    """Store ``goals`` as the group's next version (``valid_from`` YYYY-MM-DD, default today)."""
    day = date.fromisoformat(valid_from[:10]).isoformat() if valid_from else now[:10]
    latest = session.scalar(select(func.max(GroupGoalsRow.version)).where(GroupGoalsRow.group_id == group.id))
    row = GroupGoalsRow(group_id=group.id, version=(latest or 0) + 1, valid_from=day, created_at=now,
                        goals=goals_to_json(goals))
    session.add(row)
    session.flush()
    return _version(row)


def _session_row(session: Session, session_id: int) -> SessionRow | None:
    return session.scalar(select(SessionRow).where(SessionRow.id == session_id).options(
        selectinload(SessionRow.speakers), selectinload(SessionRow.interruptions)))


def _previous(session: Session, row: SessionRow) -> SessionRow | None:
    earlier = (SessionRow.recorded_at < row.recorded_at) | (
        (SessionRow.recorded_at == row.recorded_at) & (SessionRow.id < row.id))
    previous_id = session.scalar(select(SessionRow.id).where(SessionRow.group_id == row.group_id, earlier)
                                 .order_by(SessionRow.recorded_at.desc(), SessionRow.id.desc()).limit(1))
    return _session_row(session, previous_id) if previous_id is not None else None


def session_agreements(session: Session, row: SessionRow) -> SessionAgreements:
    """``row`` judged by the goals in force at its meeting, with what moved since the previous one."""
    history = versions(session, row.group)
    version = in_force(history, row.recorded_at)
    if version is None:
        return SessionAgreements(row.id, None, (), first_valid_from=min((v.valid_from for v in history),
                                                                        default=None))
    checks = judge(metrics_from_row(row), version.goals)
    previous = _previous(session, row)
    if previous is None:
        return SessionAgreements(row.id, version, checks)
    before = judge(metrics_from_row(previous), version.goals)
    return SessionAgreements(row.id, version, checks, previous.id, previous.recorded_at, movements(checks, before))


def group_points(session: Session, group: GroupRow) -> list[AgreementPoint]:
    """Every session of the group, oldest meeting first, judged by the goals in force at it."""
    history = versions(session, group)
    rows = session.scalars(select(SessionRow).where(SessionRow.group_id == group.id)
                           .order_by(SessionRow.recorded_at, SessionRow.id)
                           .options(selectinload(SessionRow.speakers), selectinload(SessionRow.interruptions))).all()
    points = []
    for row in rows:
        version = in_force(history, row.recorded_at)
        checks = judge(metrics_from_row(row), version.goals) if version is not None else ()
        points.append(AgreementPoint(row.id, row.title, row.recorded_at,
                                     version.version if version else None, checks))
    return points
