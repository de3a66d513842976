"""A group's history: balance indices and verdict per session, each person's numbers over sessions.

Only speakers linked to a person (``floorshare speakers rename``) appear in the per-person
series: diarization labels are not the same human from one recording to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from analyzer.core.schema import GroupIndices
from analyzer.storage.models import GroupRow, PersonRow, SessionRow, SpeakerRow


@dataclass(frozen=True, slots=True)
class SessionPoint:
    """One session of the group: when, its verdict and group indices (None without metrics)."""

    session_id: int
    title: str
    recorded_at: str
    duration: float
    verdict: str | None
    indices: GroupIndices | None


@dataclass(frozen=True, slots=True)
class PersonPoint:
    """One person's numbers in one session (``share`` of attributed speech, 0..1)."""

    session_id: int
    recorded_at: str
    label: str
    share: float | None
    speaking_time: float | None
    turns: int | None
    interruptions_made: int | None
    interruptions_received: int | None
    directives: int | None


@dataclass(frozen=True, slots=True)
class PersonTrend:
    name: str
    points: tuple[PersonPoint, ...]


@dataclass(frozen=True, slots=True)
class GroupTrends:
    """Everything the dashboard and ``floorshare trends`` show for a group, oldest session first."""

    group: str
    sessions: tuple[SessionPoint, ...]
    people: tuple[PersonTrend, ...]

    def to_dict(self) -> dict:
        """A JSON-ready mapping (``floorshare trends --json``)."""
        return {
            "group": self.group,
            "sessions": [{"id": s.session_id, "title": s.title, "recorded_at": s.recorded_at,
                          "duration": s.duration, "verdict": s.verdict,
                          "indices": _indices_dict(s.indices)} for s in self.sessions],
            "people": [{"name": p.name, "sessions": [
                {"id": q.session_id, "recorded_at": q.recorded_at, "label": q.label, "share": q.share,
                 "speaking_time": q.speaking_time, "turns": q.turns, "interruptions_made": q.interruptions_made,
                 "interruptions_received": q.interruptions_received, "directives": q.directives}
                for q in p.points]} for p in self.people],
        }


def _indices_dict(indices: GroupIndices | None) -> dict | None:
    if indices is None:
        return None
    return {f.name: getattr(indices, f.name) for f in fields(GroupIndices)}


def _indices(data: dict | None) -> GroupIndices | None:
    if not data:
        return None
    names = {f.name for f in fields(GroupIndices)}
    try:
        return GroupIndices(**{k: v for k, v in data.items() if k in names})
    except TypeError:  # stored by a version with other indices
        return None


def build_trends(session: Session, group: GroupRow) -> GroupTrends:
    """Read the group's sessions and linked speakers in two queries."""
    rows = session.scalars(select(SessionRow).where(SessionRow.group_id == group.id)
                           .order_by(SessionRow.recorded_at, SessionRow.id)).all()
    points = tuple(SessionPoint(r.id, r.title, r.recorded_at, r.duration, r.verdict, _indices(r.group_indices))
                   for r in rows)
    order = {r.id: i for i, r in enumerate(rows)}
    when = {r.id: r.recorded_at for r in rows}
    linked = session.execute(
        select(PersonRow.name, SpeakerRow).join(SpeakerRow, SpeakerRow.person_id == PersonRow.id)
        .where(PersonRow.group_id == group.id)).all()
    series: dict[str, dict[int, PersonPoint]] = {}
    for name, s in linked:
        if s.session_id not in order:
            continue
        point = PersonPoint(s.session_id, when[s.session_id], s.label, s.share, s.speaking_time, s.turns,
                            s.interruptions_made, s.interruptions_received, s.directives)
        by_session = series.setdefault(name, {})
        previous = by_session.get(s.session_id)
        by_session[s.session_id] = point if previous is None else _merge(previous, point)
    people = tuple(PersonTrend(name, tuple(sorted(pts.values(), key=lambda p: order[p.session_id])))
                   for name, pts in sorted(series.items()))
    return GroupTrends(group.name, points, people)


def _merge(a: PersonPoint, b: PersonPoint) -> PersonPoint:
    """One person under two labels of one session (diarization split them): add the numbers up."""
    def add(x: float | None, y: float | None) -> float | None:
        return None if x is None and y is None else (x or 0) + (y or 0)

    first, second = sorted((a, b), key=lambda p: p.label)
    return PersonPoint(a.session_id, a.recorded_at, f"{first.label}+{second.label}", add(a.share, b.share),
                       add(a.speaking_time, b.speaking_time), add(a.turns, b.turns),
                       add(a.interruptions_made, b.interruptions_made),
                       add(a.interruptions_received, b.interruptions_received), add(a.directives, b.directives))
