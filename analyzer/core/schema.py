"""Core data types that flow between the pipeline's stages and get stored.

Every type is a frozen dataclass; sequences are tuples. Times are float seconds
from the start of the recording (``start``/``end``), durations are seconds.
This module imports only the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

SCHEMA_VERSION = 1


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
    ``same_as``: another label whose voice is so similar that the two may be one person;
    ``maybe_two``: the label's samples fall into two distinct groups (two people merged?).
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
    type: str
    overlap: float


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
    interruptions_made: dict[str, int]
    interruptions_received: dict[str, int]
    directives: dict[str, Any]
    silent_attendee: bool = False
    monologue_share: float = 0.0  # monologue_time over the meeting's duration


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
    """``label``: ``one_to_many``, ``hub_and_spoke``, ``many_to_many`` (or ``no_speech``)."""

    label: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimelineWindow:
    """A sliding window labelled monologue / dialogue / many_to_many / silence."""

    start: float
    end: float
    label: str
    speakers: tuple[str, ...]


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
