"""Group agreements: goals a group sets for how it shares the floor, judged on a session's metrics.

Pure Python over :class:`analyzer.core.schema.SessionMetrics` (no ML imports). A goal is a kind
and a target; :func:`judge` measures it on one session and says whether it was kept and by
how much; :func:`movement` compares a measure with the group's previous meeting. The kinds,
their definitions and the reason for each starting target are in docs/metrics.md ("Group
agreements").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from analyzer.core.errors import ConfigError
from analyzer.core.schema import InterruptionType, SessionMetrics, WindowLabel

MAX_SHARE, MIN_SHARE, MAX_MONOLOGUE = "max_share", "min_share", "max_monologue_s"
MAX_INTERRUPTIONS, MIN_MANY_TO_MANY = "max_interruptions_per_hour", "min_many_to_many_share"
KINDS = (MAX_SHARE, MIN_SHARE, MAX_MONOLOGUE, MAX_INTERRUPTIONS, MIN_MANY_TO_MANY)
FLOOR_TAKING = (InterruptionType.SUCCESSFUL, InterruptionType.SILENT)  # interruption types after which the interrupter holds the floor
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Goal:
    """One agreement: ``kind`` (one of :data:`KINDS`) and its ``target``.

    Shares are fractions (0.35 = 35 %), the monologue limit is seconds, the interruption limit
    a count per hour of meeting.
    """

    kind: str
    target: float

    def __post_init__(self) -> None:
        check_goal(self.kind, self.target)


@dataclass(frozen=True, slots=True)
class GoalCheck:
    """A goal measured on one session.

    ``measured`` is None when the session cannot show it (no metrics, no speech, too short for
    a timeline); then ``kept`` is None too. ``margin`` is how far the measure is inside the
    target (positive: kept with room to spare; negative: missed by that much), in the goal's
    unit. ``who`` is the speaker label the measure is about (the largest or smallest share,
    the longest stretch), when there is one.
    """

    goal: Goal
    measured: float | None
    kept: bool | None
    margin: float | None
    who: str | None = None


@dataclass(frozen=True, slots=True)
class GoalVersion:
    """The goals a group agreed, in force for meetings on or after ``valid_from`` (YYYY-MM-DD)
    until a later version; ``version`` counts from 1 per group."""

    version: int
    valid_from: str
    created_at: str
    goals: tuple[Goal, ...]


@dataclass(frozen=True, slots=True)
class Movement:
    """How one goal's measure changed since the group's previous meeting."""

    kind: str
    previous: float
    current: float
    previous_kept: bool | None

    @property
    def change(self) -> float:
        return self.current - self.previous

    @property
    def towards_goal(self) -> bool | None:
        """True when the change moved the measure in the direction the goal asks for."""
        if abs(self.change) < EPSILON:
            return None
        return (self.change < 0) if _is_upper_limit(self.kind) else (self.change > 0)


@dataclass(frozen=True, slots=True)
class SessionAgreements:
    """A session judged by the goals in force at its meeting date, and what moved since the
    group's previous meeting (judged by the same goals, so the two are comparable)."""

    session_id: int
    version: GoalVersion | None
    checks: tuple[GoalCheck, ...]
    previous_session_id: int | None = None
    previous_recorded_at: str | None = None
    movements: tuple[Movement, ...] = ()
    first_valid_from: str | None = None  # the group's first agreements, when none were in force yet

    @property
    def kept(self) -> int:
        return sum(1 for c in self.checks if c.kept)

    @property
    def judged(self) -> int:
        return sum(1 for c in self.checks if c.kept is not None)

    def movement(self, kind: str) -> Movement | None:
        return next((m for m in self.movements if m.kind == kind), None)


REASONS = {
    MAX_SHARE: "Groups whose members take turns more equally solve problems better together "
               "(Woolley et al., Science 2010); with four or more people, one voice above 35 % holds "
               "much more than an equal part.",
    MIN_SHARE: "A member who stays silent is the strongest sign of an unbalanced meeting; 5 % is also "
               "the share from which Floorshare counts someone as taking part.",
    MAX_MONOLOGUE: "Long stretches by one person keep the others listening rather than exchanging; "
                   "two minutes is twice the length at which a turn counts as a monologue.",
    MAX_INTERRUPTIONS: "Cutting in and taking the floor is a sign of dominance (Ferguson 1977; Jayagopi et "
                       "al. 2009); about one a minute leaves room for a lively discussion. Calibrate it on "
                       "the group's own first meetings.",
    MIN_MANY_TO_MANY: "Feedback on balance helps a group move from one voice to an exchange among many "
                      "(Meeting Mediator, MIT, CSCW 2008; Riff); most of the meeting should have three or "
                      "more people taking part.",
}
LIMITS = {  # (lowest, highest) accepted target of each kind
    MAX_SHARE: (0.01, 1.0), MIN_SHARE: (0.0, 0.5), MAX_MONOLOGUE: (5.0, 7200.0),
    MAX_INTERRUPTIONS: (0.0, 10_000.0), MIN_MANY_TO_MANY: (0.0, 1.0),
}


def check_goal(kind: str, target: float) -> None:
    """Raise :class:`ConfigError` for an unknown kind or a target out of its range."""
    if kind not in KINDS:
        raise ConfigError(f"unknown goal {kind!r}; use one of: {', '.join(KINDS)}")
    low, high = LIMITS[kind]
    if not isinstance(target, (int, float)) or not low <= float(target) <= high:
        raise ConfigError(f"goal {kind}: target {target!r} is out of range; give {_unit_range(kind)}")


def _unit_range(kind: str) -> str:
    low, high = LIMITS[kind]
    if kind in (MAX_SHARE, MIN_SHARE, MIN_MANY_TO_MANY):
        return f"a percentage from {low:.0%} to {high:.0%}"
    if kind == MAX_MONOLOGUE:
        return f"a duration from {low:.0f} s to {high / 60:.0f} min"
    return f"a number per hour from {low:.0f} to {high:.0f}"


def _is_upper_limit(kind: str) -> bool:
    return kind in (MAX_SHARE, MAX_MONOLOGUE, MAX_INTERRUPTIONS)


# Starting set: each target and the reason for it (docs/metrics.md, "Group agreements").
STARTING_GOALS = (
    Goal(MAX_SHARE, 0.35),
    Goal(MIN_SHARE, 0.05),
    Goal(MAX_MONOLOGUE, 120.0),
    Goal(MAX_INTERRUPTIONS, 60.0),
    Goal(MIN_MANY_TO_MANY, 0.5),
)

# -- measuring --------------------------------------------------------------------------------------------


def _largest_share(metrics: SessionMetrics) -> tuple[float, str] | None:
    speaking = [s for s in metrics.speakers if s.speaking_time > 0]
    if not speaking:
        return None
    top = max(speaking, key=lambda s: (s.share, s.speaker))
    return top.share, top.speaker


def _smallest_share(metrics: SessionMetrics) -> tuple[float, str] | None:
    if not metrics.speakers or metrics.total_speech <= 0:
        return None
    low = min(metrics.speakers, key=lambda s: (s.share, s.speaker))  # silent attendees count, at 0 %
    return low.share, low.speaker


def _longest_stretch(metrics: SessionMetrics) -> tuple[float, str] | None:
    speaking = [s for s in metrics.speakers if s.turns > 0]
    if not speaking:
        return None
    top = max(speaking, key=lambda s: (s.longest_turn, s.speaker))
    return top.longest_turn, top.speaker


def floor_taking_interruptions(metrics: SessionMetrics) -> int:
    """Interruptions after which the interrupter held the floor (successful and silent ones)."""
    return sum(1 for i in metrics.interruptions if i.type in FLOOR_TAKING)


def _interruptions_per_hour(metrics: SessionMetrics) -> tuple[float, None] | None:
    if metrics.duration <= 0 or metrics.total_speech <= 0:
        return None
    return floor_taking_interruptions(metrics) * 3600.0 / metrics.duration, None


def many_to_many_share(metrics: SessionMetrics) -> float | None:
    """Share of the timeline's windows with speech that are many-to-many (None without any)."""
    spoken = [w for w in metrics.timeline if w.label is not WindowLabel.SILENCE]
    if not spoken:
        return None
    return sum(1 for w in spoken if w.label is WindowLabel.MANY_TO_MANY) / len(spoken)


def _many_to_many(metrics: SessionMetrics) -> tuple[float, None] | None:
    share = many_to_many_share(metrics)
    return None if share is None else (share, None)


_MEASURES: dict[str, Callable[[SessionMetrics], tuple[float, str | None] | None]] = {
    MAX_SHARE: _largest_share, MIN_SHARE: _smallest_share, MAX_MONOLOGUE: _longest_stretch,
    MAX_INTERRUPTIONS: _interruptions_per_hour, MIN_MANY_TO_MANY: _many_to_many,
}


def measure(goal: Goal, metrics: SessionMetrics | None) -> GoalCheck:
    """One goal on one session's metrics."""
    found = _MEASURES[goal.kind](metrics) if metrics is not None else None
    if found is None:
        return GoalCheck(goal, None, None, None)
    value, who = found
    margin = goal.target - value if _is_upper_limit(goal.kind) else value - goal.target
    return GoalCheck(goal, value, margin >= -EPSILON, margin, who)


def judge(metrics: SessionMetrics | None, goals: Iterable[Goal]) -> tuple[GoalCheck, ...]:
    """Every goal measured on the session (in the order given)."""
    return tuple(measure(goal, metrics) for goal in goals)


def movements(current: Iterable[GoalCheck], previous: Iterable[GoalCheck]) -> tuple[Movement, ...]:
    """The change of each goal's measure between the previous meeting and this one."""
    before = {c.goal.kind: c for c in previous if c.measured is not None}
    return tuple(Movement(c.goal.kind, before[c.goal.kind].measured, c.measured, before[c.goal.kind].kept)
                 for c in current if c.measured is not None and c.goal.kind in before)


def in_force(versions: Iterable[GoalVersion], day: str) -> GoalVersion | None:
    """The version in force on ``day`` (YYYY-MM-DD): the latest one valid from that day or earlier."""
    valid = [v for v in versions if v.valid_from <= day[:10]]
    return max(valid, key=lambda v: (v.valid_from, v.version)) if valid else None


def goals_to_json(goals: Iterable[Goal]) -> list[dict[str, float | str]]:
    return [{"kind": g.kind, "target": float(g.target)} for g in goals]


def goals_from_json(data: Iterable[Mapping]) -> tuple[Goal, ...]:
    """Goals as stored (unknown kinds, written by a newer version, are skipped)."""
    return tuple(Goal(d["kind"], float(d["target"])) for d in data if d.get("kind") in KINDS)


def with_changes(goals: Iterable[Goal], changes: Mapping[str, float | None]) -> tuple[Goal, ...]:
    """``goals`` with some targets set (a number) or removed (None), in the order of :data:`KINDS`."""
    current = {g.kind: g.target for g in goals}
    for kind, target in changes.items():
        check_goal(kind, target) if target is not None else check_goal(kind, LIMITS[kind][0])
        if target is None:
            current.pop(kind, None)
        else:
            current[kind] = float(target)
    return tuple(Goal(kind, current[kind]) for kind in KINDS if kind in current)
