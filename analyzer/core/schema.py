"""Core data types that flow between the pipeline's stages and get stored.

Every type is a frozen dataclass; sequences are tuples. Times are float seconds
from the start of the recording (``start``/``end``), durations are seconds.
This module imports only the standard library.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, Iterator, Mapping

# 2: typed directive summaries and interruption counts (the JSON keys are those of 1, so a
# reader of 2 reads 1; see analyzer/formats/serialize.py).
SCHEMA_VERSION = 2


class VerdictLabel(StrEnum):
    """How the floor was shared over the whole meeting (see docs/metrics.md)."""

    ONE_TO_MANY = "one_to_many"
    HUB_AND_SPOKE = "hub_and_spoke"
    MANY_TO_MANY = "many_to_many"
    NO_SPEECH = "no_speech"


class InterruptionType(StrEnum):
    """How an interruption went: the newcomer took the floor, or not, or joined at its end."""

    SUCCESSFUL = "successful"
    UNSUCCESSFUL = "unsuccessful"
    COOPERATIVE = "cooperative"
    SILENT = "silent"


class WindowLabel(StrEnum):
    """What one timeline window of the meeting was like."""

    MONOLOGUE = "monologue"
    DIALOGUE = "dialogue"
    MANY_TO_MANY = "many_to_many"
    SILENCE = "silence"


@dataclass(frozen=True, slots=True)
class Recording:
    """What was analysed: the file, its content hash and its native format."""

    path: str
    sha256: str
    duration: float
    sample_rate: int
    channels: int


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its time span (seconds) and ASR confidence."""

    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class TranscriptSegment:
    """A stretch of speech as the recogniser segmented it."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True)
class Transcript:
    """The recogniser's output: language and timed segments with words."""

    language: str
    language_probability: float
    segments: tuple[TranscriptSegment, ...]

    def words(self) -> Iterator[Word]:
        for segment in self.segments:
            yield from segment.words


@dataclass(frozen=True, slots=True)
class SpeakerSegment:
    """One diarization interval of one speaker."""

    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class SpeakerConfidence:
    """How sure the diarization is that one speaker label is one distinct person.

    ``confidence`` (0-1): the share of the speaker's voice samples (embeddings) that are
    clearly closer to this speaker than to any other, lowered when few samples back it.
    ``same_as``: another label whose voice is so similar that the two may be one person, or
    similar and almost never heard in the same stretch (``same_as_similarity``: how similar);
    ``maybe_two``: the label's samples fall into two distinct groups, or in many of the chunks where
    it speaks the segmentation heard two different voices that both went to it
    (``shared_chunks``: that share of its chunks): two people merged?
    Similarities are cosine similarities of the voice descriptions (1: identical).
    """

    speaker: str
    confidence: float
    embeddings: int
    nearest: str | None = None
    nearest_similarity: float | None = None
    split_similarity: float | None = None
    same_as: str | None = None
    maybe_two: bool = False
    shared_chunks: float | None = None
    same_as_similarity: float | None = None


@dataclass(frozen=True, slots=True)
class Diarization:
    """Who spoke when: ``segments`` may overlap, ``exclusive`` never does.

    ``confidence`` has one entry per speaker when the diarizer measured it (empty for
    diarizations read from an RTTM and for results written before it existed).

    ``embeddings`` maps a label to the diarizer's voice embedding of that speaker (the
    CAM++ centroid of its cluster). It is biometric data: never written to result.json
    or exports, stored only as a voiceprint of a group that opted in, and ignored by
    equality (a stored session loads back equal without it).
    """

    segments: tuple[SpeakerSegment, ...]
    exclusive: tuple[SpeakerSegment, ...]
    speakers: tuple[str, ...]
    embeddings: dict[str, tuple[float, ...]] = field(default_factory=dict, compare=False, repr=False)
    confidence: tuple[SpeakerConfidence, ...] = ()

    def confidence_of(self, speaker: str) -> SpeakerConfidence | None:
        return next((c for c in self.confidence if c.speaker == speaker), None)


@dataclass(frozen=True, slots=True)
class SpeakerWord:
    """A word attributed to a speaker (``None``: unattributed, counted not guessed).

    ``coverage`` is the share of the word covered by that speaker's exclusive
    segments; 0 when the word was snapped to the nearest segment.
    """

    word: Word
    speaker: str | None
    coverage: float


@dataclass(frozen=True, slots=True)
class Turn:
    """Consecutive words of one speaker (gaps no longer than ``max_gap_s``)."""

    index: int
    speaker: str
    start: float
    end: float
    text: str
    word_count: int

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Interruption:
    """Speaker ``interrupter`` started while ``interrupted`` held a turn.

    ``type`` is one of ``successful``, ``unsuccessful``, ``cooperative``, ``silent``.
    ``overlap`` is the overlapped time in seconds (0 for silent interruptions).
    """

    time: float
    interrupter: str
    interrupted: str
    type: InterruptionType
    overlap: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", InterruptionType(self.type))


@dataclass(frozen=True, slots=True)
class DirectiveHit:
    """A directive found in a turn, with the rule that fired and the quote."""

    time: float
    speaker: str
    turn_index: int
    category: str
    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class InterruptionCounts:
    """A person's interruptions (made or received) by :class:`InterruptionType`."""

    successful: int = 0
    unsuccessful: int = 0
    cooperative: int = 0
    silent: int = 0

    @property
    def total(self) -> int:
        """Every interruption, of every type (the one rule for interruption totals)."""
        return self.successful + self.unsuccessful + self.cooperative + self.silent

    def count(self, kind: InterruptionType | str) -> int:
        return getattr(self, InterruptionType(kind).value)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_mapping(cls, data: Mapping[str, int] | None) -> InterruptionCounts:
        """From ``{"successful": 2, ...}`` (missing types count 0; unknown keys are ignored)."""
        return cls(**{kind.value: int(data.get(kind.value, 0)) for kind in InterruptionType}) if data else cls()


@dataclass(frozen=True, slots=True)
class DirectiveExample:
    """One quoted directive of a person, for the reports."""

    time: float
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class DirectiveSummary:
    """A person's directive language: counts per category, rates and a few examples.

    ``per_100_words`` is per 100 of the person's words, ``per_minute`` per minute of their
    own speech, ``share`` their part of every directive of the meeting.
    """

    by_category: dict[str, int] = field(default_factory=dict)
    per_100_words: float = 0.0
    per_minute: float = 0.0
    share: float = 0.0
    examples: tuple[DirectiveExample, ...] = ()

    @property
    def total(self) -> int:
        """Every directive of the person (the one rule for directive totals)."""
        return sum(self.by_category.values())

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> DirectiveSummary:
        """From the mapping of ``result.json`` / schema 1 (``total`` is derived, so it is not read)."""
        if not data:
            return cls()
        return cls(by_category={str(k): int(v) for k, v in (data.get("by_category") or {}).items()},
                   per_100_words=float(data.get("per_100_words", 0.0)),
                   per_minute=float(data.get("per_minute", 0.0)), share=float(data.get("share", 0.0)),
                   examples=tuple(DirectiveExample(float(e["time"]), str(e["category"]), str(e["text"]))
                                  for e in data.get("examples") or ()))


@dataclass(frozen=True, slots=True)
class SpeakerStats:
    """Per-person numbers (one row per diarized speaker or silent attendee).

    ``share`` is the share of all attributed speech (exclusive time);
    ``meeting_share`` is speaking time over the meeting's duration.
    Latencies are seconds (negative when the person took the floor in overlap).
    """

    speaker: str
    speaking_time: float
    overlap_time: float
    share: float
    meeting_share: float
    turns: int
    mean_turn: float
    median_turn: float
    longest_turn: float
    monologues: int
    monologue_time: float
    words: int
    words_per_minute: float
    questions: int
    median_response_latency: float | None
    backchannels: int
    interruptions_made: InterruptionCounts
    interruptions_received: InterruptionCounts
    directives: DirectiveSummary
    silent_attendee: bool = False
    monologue_share: float = 0.0  # monologue_time over the meeting's duration

    def __post_init__(self) -> None:  # results written before schema 2 hold plain mappings
        for name in ("interruptions_made", "interruptions_received"):
            if not isinstance(getattr(self, name), InterruptionCounts):
                object.__setattr__(self, name, InterruptionCounts.from_mapping(getattr(self, name)))
        if not isinstance(self.directives, DirectiveSummary):
            object.__setattr__(self, "directives", DirectiveSummary.from_mapping(self.directives))


@dataclass(frozen=True, slots=True)
class GroupIndices:
    """Balance of the whole group (silent attendees included)."""

    gini: float
    entropy_norm: float
    effective_speakers: float
    inverse_simpson: float
    largest_share: float
    speaker_changes_per_minute: float
    turn_taking_index: float
    hub_share: float
    spoke_to_spoke_share: float
    reciprocity: float
    centralization: float
    hub: str | None = None  # the person most floor changes involve (None: no floor changes)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The meeting's :class:`VerdictLabel` and the reasons that decided it."""

    label: VerdictLabel
    reasons: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", VerdictLabel(self.label))


@dataclass(frozen=True, slots=True)
class TimelineWindow:
    """One window of the meeting's timeline, labelled with a :class:`WindowLabel`.

    The timeline slides a window of ``window_s`` by ``window_step_s`` (see MetricsConfig);
    "timeline window" is this concept's one name in the code, the reports and the dashboard.
    """

    start: float
    end: float
    label: WindowLabel
    speakers: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", WindowLabel(self.label))


@dataclass(frozen=True, slots=True)
class VoiceFrames:
    """Frame features of one exclusive segment (from the prosody stage, not stored).

    Frame ``i`` is centred at ``start + i * hop``; ``level_db`` is its RMS level in dBFS
    (floored at -100), ``pitch_hz`` its fundamental frequency (0 where unvoiced).
    Compact ``array('f')`` columns keep a 4-hour meeting to a few MB.
    """

    speaker: str
    start: float
    hop: float
    level_db: array
    pitch_hz: array


@dataclass(frozen=True, slots=True)
class VoiceStats:
    """How one person sounds, from their exclusive speech only (see docs/metrics.md#voice).

    Levels are dBFS; ``energy_share`` is the person's share of the group's speaking energy;
    ``loud_p90_db`` is how far their loudest tenth rises above their own median level.
    """

    speaker: str
    voiced_time: float  # seconds of active (non-pause) speech frames measured
    energy_db: float | None
    energy_share: float
    median_level_db: float | None
    loud_p90_db: float | None
    raised_moments: int
    raised_time: float
    pitch_median_hz: float | None
    pitch_range_st: float | None
    syllables_per_minute: float | None
    pace_wpm: float | None
    pace_source: str  # words | syllables | none


@dataclass(frozen=True, slots=True)
class RaisedVoice:
    """A stretch where ``speaker`` was at least N dB above their own median level."""

    speaker: str
    start: float
    end: float
    above_db: float  # the stretch's peak smoothed level minus the person's median
    quote: str


@dataclass(frozen=True, slots=True)
class HeatedStretch:
    """Windows where a raised voice met interruptions or fast floor changes (merged)."""

    start: float
    end: float
    raised: int
    interruptions: int
    changes_per_minute: float
    speakers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VoiceMetrics:
    """Everything the voice metrics derive (``None`` in results made without the prosody stage)."""

    speakers: tuple[VoiceStats, ...]
    raised: tuple[RaisedVoice, ...]
    heated: tuple[HeatedStretch, ...]


@dataclass(frozen=True, slots=True)
class SessionMetrics:
    """Everything :func:`analyzer.metrics.compute_metrics` derives."""

    duration: float
    total_speech: float
    overlap_time: float
    silence_time: float
    unattributed_words: int
    speakers: tuple[SpeakerStats, ...]
    interruptions: tuple[Interruption, ...]
    interruption_matrix: dict[str, dict[str, int]]
    transitions: dict[str, dict[str, int]]
    group: GroupIndices
    verdict: Verdict
    timeline: tuple[TimelineWindow, ...]
    voice: VoiceMetrics | None = None  # vocal energy, pitch, pace, raised voices, heated stretches
    # why a correction removed the voice figures (None: never removed); kept so reports can say so
    voice_removed: str | None = None


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model as pinned in ``models/manifest.toml``."""

    name: str
    role: str
    source: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Provenance:
    """How a result was made: versions, models and device."""

    analyzer_version: str
    models: tuple[ModelRef, ...]
    device: str
    created_at: str
    library_versions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SpeakerMatch:
    """How a diarization label was identified against the group's voice library.

    ``person``: the person's name, None when unknown. ``confidence``: cosine similarity
    of the speaker's voice to that person's voiceprint (None when unknown). ``status``:
    ``suggested`` (matched, not yet confirmed), ``confirmed`` (by a person), ``rejected``
    (the suggestion was wrong) or ``new`` (no known voice was close enough).
    """

    person: str | None
    confidence: float | None
    status: str


@dataclass(frozen=True, slots=True)
class SessionResult:
    """The unit of storage, reports and the dashboard.

    ``config`` is the effective configuration as a plain mapping (see
    :func:`analyzer.core.config.AnalysisConfig.to_dict`); ``speaker_names`` maps
    diarization labels to people's names where the group named them (and to
    "New speaker N" for a voice the group's library did not know); ``speaker_matches``
    says how each label was identified when the group keeps voiceprints.
    """

    recording: Recording
    config: dict[str, Any]
    provenance: Provenance
    transcript: Transcript
    diarization: Diarization
    words: tuple[SpeakerWord, ...]
    turns: tuple[Turn, ...]
    directives: tuple[DirectiveHit, ...] = ()
    metrics: SessionMetrics | None = None
    speaker_names: dict[str, str] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    speaker_matches: dict[str, SpeakerMatch] = field(default_factory=dict)
