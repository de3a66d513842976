"""Every default of the analysis lives here, once.

The effective configuration is stored with each result (:meth:`AnalysisConfig.to_dict`),
and its hash tells whether a recording was already analysed with the same settings.
Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from analyzer.core.errors import ConfigError


# Marks a field fixed when the models load (see AnalysisConfig.load_time_settings); the
# other fields are per-call settings an analyzer reads again on every recording.
LOAD_TIME = {"load_time": True}


@dataclass(frozen=True, slots=True)
class AsrConfig:
    """Speech recognition (faster-whisper)."""

    model: str = field(default="tiny.en", metadata=LOAD_TIME)  # a manifest name (tiny.en, base), a folder, a hub size
    language: str | None = None  # None: detect (multilingual models) or English (.en models)
    compute_type: str = field(default="int8", metadata=LOAD_TIME)
    beam_size: int = 1
    vad_filter: bool = True
    cpu_threads: int = field(default=0, metadata=LOAD_TIME)  # 0: faster-whisper's default
    # Greedy decoding at temperature 0 is deterministic (the same recording gives the same words,
    # which resuming and deduplication rely on); a mild repetition penalty stops tiny.en's loops
    # ("yeah, yeah, yeah..." x 20) that the sampling fallback used to break at random.
    temperature: float = 0.0
    repetition_penalty: float = 1.1
    # Long recordings are transcribed in pieces of at most this many seconds, cut at pauses:
    # faster-whisper holds the features of all it transcribes at once (about 0.9 MB per second
    # of speech), so an hour in one go needs 3 GB; a piece of 300 s about 0.3 GB. 0: all at once.
    max_piece_s: float = 300.0


@dataclass(frozen=True, slots=True)
class DiarizationConfig:
    """Speaker diarization (pyannote.audio with segmentation-3.0 and CAM++)."""

    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    clustering_method: str = "agglomerative"  # agglomerative | spectral (analyzer.clustering)
    clustering_threshold: float = 0.7  # agglomerative: centroid-linkage cut on unit vectors
    min_cluster_size: int = 12  # embeddings; smaller clusters join their nearest large one
    min_active_ratio: float = 0.2  # a local speaker trains the clusters with this share of clean frames
    spectral_pval: float = 0.02  # spectral: share of each affinity row kept (at least 6 entries)
    merge_cosine: float = 1.0  # spectral: merge clusters whose centroids are more similar (1: never)
    constrained_assignment: bool = False  # never two local speakers of a chunk to one person (measured worse)
    same_person_similarity: float = 0.75  # two speakers' voices this similar: "may be one person"
    # ... or this similar while sharing at most this share of the rarer one's chunks (docs/accuracy.md)
    same_person_apart_similarity: float = 0.6
    same_person_max_together: float = 0.2
    two_people_similarity: float = 0.25  # a speaker's two halves this dissimilar: "may be two people"
    # ... or in this share of the chunks where a speaker talks (3 at least), two of the segmentation's
    # local speakers both went to them: "may be two people" (docs/accuracy.md, issue 14)
    two_people_shared_chunks: float = 0.5
    low_confidence: float = 0.35  # a speaker's confidence below this: "few clear voice samples"
    segmentation_step: float = field(default=0.1, metadata=LOAD_TIME)  # fraction of the 10 s window
    segmentation_batch_size: int = field(default=32, metadata=LOAD_TIME)
    # chunks per CAM++ pass (4: the fastest per chunk on 1 and 2 threads, docs/benchmarks.md)
    embedding_batch_size: int = field(default=4, metadata=LOAD_TIME)
    # > 0: CAM++'s frame-level trunk runs once per span of this many seconds (at least the 10 s
    # window; 2 s of context kept either side of each chunk) and each chunk's speakers are pooled
    # from their frames of it, instead of one trunk pass per chunk: the embedding stage in 0.28 of
    # the time, DER within 1 point on every set (docs/benchmarks.md). 0: once per chunk (exactly
    # pyannote's embeddings, about 3x slower).
    shared_trunk_s: float = field(default=30.0, metadata=LOAD_TIME)
    # CAM++'s context-aware masks take their "whole input" mean over this many seconds around each
    # frame instead of over the whole trunk pass: a 30 s span then gives each frame about the
    # context one 10 s chunk's pass gives it (a pass of up to this length is unchanged, so one pass
    # per chunk is still exactly pyannote's). 0: over the whole pass, as published.
    trunk_context_s: float = field(default=10.0, metadata=LOAD_TIME)
    # Clustering sees at most this many embeddings (an evenly spaced subset; the rest join the
    # nearest cluster): the linkage holds N(N-1)/2 float64 distances twice (scipy copies them),
    # 275 MiB at 6000 and 489 MiB at 8000 (measured). A 60-minute meeting has about 5100.
    max_clustered_embeddings: int = 6000
    # Speaking time leaves out the pauses inside a person's turn: in the exclusive track (shares,
    # speaking time, turns), a stretch this many dB below the segment's loud frames for at least
    # pause_min_s is not speech (the diarization bridges the short pauses between phrases, which
    # over-credits long turns). Where noise or reverberation fills the pauses nothing changes;
    # the overlapping track (timeline, overlap, DER) is left as diarized. 0: off (docs/accuracy.md).
    pause_depth_db: float = 35.0
    pause_min_s: float = 0.2


@dataclass(frozen=True, slots=True)
class AlignmentConfig:
    """Attributing words to speakers and grouping them into turns."""

    max_snap_s: float = 0.5  # words in a gap go to the nearest exclusive segment within this
    max_gap_s: float = 1.0  # a pause longer than this between one speaker's words starts a new turn


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    """Thresholds of the balance metrics and the verdict (every one is defined in docs/metrics.md)."""

    monologue_min_s: float = 60.0  # a floor turn this long is a monologue
    min_interruption_overlap_s: float = 0.2  # overlap needed before a spurt can be an interruption
    cooperative_window_s: float = 0.5  # B starting within A's last 0.5 s: terminal (cooperative) overlap
    silent_interruption_gap_s: float = 0.3  # no overlap, A's sentence unfinished, B within 0.3 s
    backchannel_max_words: int = 3  # this many words or fewer, all from the backchannel list
    backchannel_max_s: float = 1.0  # speech this short is a backchannel whatever it says
    span_gap_s: float = 0.5  # one speaker's diarized speech joins into a talk spurt across pauses <= this
    floor_gap_s: float = 2.0  # one speaker's turns join into a floor turn across pauses <= this
    rttm_turn_gap_s: float = 1.0  # turns from an RTTM alone: exclusive segments joined across pauses <= this
    window_s: float = 150.0  # timeline window (ConvoKit TalkTimeSharing: 2.5 min)
    window_step_s: float = 30.0  # timeline step (ConvoKit: 30 s)
    window_monologue_share: float = 0.8  # one speaker has this share of a window's speech: monologue
    window_dialogue_share: float = 0.8  # the top two have this share together: dialogue
    window_min_share: float = 0.1  # a window lists speakers with at least this share of its speech
    window_silence_share: float = 0.1  # less speech than this share of the window: silence
    one_to_many_share: float = 0.6  # one person's share of speech at or above this: one_to_many
    hub_share: float = 0.7  # share of floor changes touching one person at or above this: hub_and_spoke
    active_min_share: float = 0.05  # a person with this share of speech counts as a participant
    attendees: tuple[str, ...] = ()  # people present; those beyond the diarized speakers are silent


@dataclass(frozen=True, slots=True)
class VoiceConfig:
    """How people sound: frame features (librosa) and the voice metrics (docs/metrics.md#voice)."""

    enabled: bool = True  # run the prosody stage (vocal energy, pitch, raised voices, heated stretches)
    hop_s: float = 0.02  # frame step of the level and pitch tracks
    frame_s: float = 0.05  # RMS frame length
    pitch_fmin_hz: float = 65.0  # pitch search range: low male voices to high female voices
    pitch_fmax_hz: float = 400.0
    active_range_db: float = 30.0  # frames more than this below the person's 95th percentile are pauses
    smooth_s: float = 2.0  # loudness is the mean power over this window of the person's active frames
    raised_min_db: float = 4.0  # N: a raised voice's loudness is at least this far above the person's median
    raised_min_s: float = 2.0  # M: for at least this long (N, M, smooth_s, raised_gap_s: calibrated, metrics.md)
    raised_gap_s: float = 1.0  # pauses (and others' overlapping speech) up to this long do not end it
    raised_min_excess_db_s: float = 2.5  # and rising this far over N in all (dB x s over N, summed over the stretch)
    syllables_per_word: float = 1.5  # pace from syllables where words are missing (English average)
    heated_window_s: float = 30.0  # heated-stretch window and step
    heated_step_s: float = 10.0
    heated_min_interruptions: int = 2  # competitive interruptions in a window that count as a cue
    heated_min_changes_per_minute: float = 12.0  # floor changes per minute that count as a cue (one every 5 s)


@dataclass(frozen=True, slots=True)
class RuntimeConfig:
    """How the work is scheduled on this machine. Never changes a result (not in the config hash)."""

    # transcribe while diarizing, each on its share of the cores (per call; the speech model's
    # threads are chosen when it loads, from this and ``threads``)
    overlap_stages: bool = True
    threads: int = field(default=0, metadata=LOAD_TIME)  # CPU threads in all (0: the cores this process may use)
    # CAM++'s trunk and segmentation-3.0 in ONNX Runtime on the CPU (exported locally, checked
    # against torch: embeddings within 5e-4, the same labels on the samples)
    onnx: bool = field(default=True, metadata=LOAD_TIME)
    # every this many seconds while an analysis runs, give the memory freed inside malloc's heaps
    # back to the system (glibc's malloc_trim; 890 MiB of 3.1 GB on a 2-hour meeting); 0: never
    release_memory_s: float = 5.0


@dataclass(frozen=True, slots=True)
class AnalysisConfig:
    """The whole effective configuration of one analysis."""

    asr: AsrConfig = field(default_factory=AsrConfig)
    diarization: DiarizationConfig = field(default_factory=DiarizationConfig)
    alignment: AlignmentConfig = field(default_factory=AlignmentConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    device: str = field(default="auto", metadata=LOAD_TIME)  # auto | cpu | cuda
    directives_language: str = "en"

    def load_time_settings(self) -> dict[str, Any]:
        """The settings fixed when the models load, as ``{"asr.model": "tiny.en", ...}``.

        These are the fields marked ``LOAD_TIME`` (speech model, compute type, threads,
        segmentation step, batch sizes, device): an analyzer built with some values cannot
        run with others, so a change needs a new analyzer (:func:`build_analyzer`). Every
        other field is read on each call.
        """
        settings = {f"{section}.{f.name}": getattr(getattr(self, section), f.name)
                    for section in ("asr", "diarization", "runtime") for f in fields(getattr(self, section))
                    if f.metadata.get("load_time")}
        settings["device"] = self.device
        return settings

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["metrics"]["attendees"] = list(self.metrics.attendees)
        return data

    def config_hash(self) -> str:
        """A short stable hash of the settings that change results (device and threads excluded)."""
        data = self.to_dict()
        data.pop("device", None)
        data.pop("runtime", None)
        data["asr"].pop("cpu_threads", None)
        blob = json.dumps(data, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalysisConfig:
        """Build a config from a mapping; unknown keys raise :class:`ConfigError`."""
        sections = {"asr": AsrConfig, "diarization": DiarizationConfig,
                    "alignment": AlignmentConfig, "metrics": MetricsConfig, "voice": VoiceConfig,
                    "runtime": RuntimeConfig}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in sections:
                if not isinstance(value, dict):
                    raise ConfigError(f"config section [{key}] must be a table, got {value!r}")
                kwargs[key] = _build_section(sections[key], key, value)
            elif key == "device":
                if value not in ("auto", "cpu", "cuda"):
                    raise ConfigError(f"device = {value!r}: must be auto, cpu or cuda")
                kwargs[key] = value
            elif key == "directives_language":
                if not isinstance(value, str):
                    raise ConfigError(f"directives_language = {value!r}: must be a language code such as en")
                kwargs[key] = value
            else:
                raise ConfigError(f"unknown config key {key!r}; known: "
                                  f"{', '.join([*sections, 'device', 'directives_language'])}")
        return cls(**kwargs)

    def with_updates(self, **sections: dict[str, Any]) -> AnalysisConfig:
        """Return a copy with some fields of some sections replaced (None values ignored)."""
        changes: dict[str, Any] = {}
        for name, updates in sections.items():
            clean = {k: v for k, v in updates.items() if v is not None}
            if clean:
                changes[name] = replace(getattr(self, name), **clean)
        return replace(self, **changes)


def _build_section(cls: type, name: str, values: dict[str, Any]) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"unknown key(s) in [{name}]: {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(known))}")
    checked = {key: _checked_value(name, key, value, known[key].default) for key, value in values.items()}
    return cls(**checked)


def _checked_value(section: str, key: str, value: Any, default: Any) -> Any:
    """Check a config value against its default's type (None defaults: int or str allowed)."""
    where = f"[{section}] {key} = {value!r}"
    if key == "clustering_method" and value not in ("agglomerative", "spectral"):
        raise ConfigError(f"{where}: must be agglomerative or spectral")
    if key == "attendees":
        if not isinstance(value, (list, tuple)) or not all(isinstance(a, str) for a in value):
            raise ConfigError(f"{where}: give a list of names, e.g. attendees = [\"Ana\", \"Ben\"]")
        return tuple(value)
    expected: tuple[type, ...]
    if isinstance(default, bool):
        expected = (bool,)
    elif isinstance(default, (int, float)):
        expected = (int, float) if isinstance(default, float) else (int,)
    elif isinstance(default, str):
        expected = (str,)
    else:  # optional settings: speaker counts (int) or language (str)
        expected = (int,) if key.endswith("speakers") else (str,)
    if value is None and default is None:
        return None
    if isinstance(value, bool) and bool not in expected or not isinstance(value, expected):
        names = " or ".join(t.__name__ for t in expected)
        raise ConfigError(f"{where}: must be {names}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        raise ConfigError(f"{where}: must not be negative")
    return float(value) if float in expected else value


def load_config(path: str | Path | None) -> AnalysisConfig:
    """Read a TOML config file (``None``: defaults). Errors name the file and the fix."""
    if path is None:
        return AnalysisConfig()
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: config file not found; check the path") from None
    except IsADirectoryError:
        raise ConfigError(f"{file}: is a folder, not a config file; give a .toml file") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the config file ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc}); fix the file or omit --config") from None
    try:
        return AnalysisConfig.from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{file}: {exc}") from None


def parse_attendees(value: str | None) -> tuple[str, ...] | None:
    """``"5"`` -> five placeholder names; ``"Ana, Ben"`` -> those names; None -> unchanged."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        count = int(value)
        if not 1 <= count <= 100:
            raise ConfigError(f"--attendees {value}: give between 1 and 100 people")
        return tuple(f"attendee_{i + 1}" for i in range(count))
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    if len(set(names)) != len(names):
        raise ConfigError(f"--attendees {value!r}: a name appears twice")
    return names


@dataclass(frozen=True, slots=True)
class VoiceprintConfig:
    """Recognising a group's people from their voices (only in groups that opted in).

    Not part of :class:`AnalysisConfig`: it changes who a label is, not what was analysed,
    so it does not enter a session's configuration hash. ``match_threshold`` is the cosine
    similarity a speaker's voice needs to a person's voiceprint to be named after them:
    0.54, calibrated by `floorshare eval eval/manifests/identification.toml` on five readers'
    dry and far-field series (the middle of the thresholds that keep false acceptance at or
    below 1 % with the best correct identification: 0.26-0.82); strangers and other people
    scored at most 0.41 there, the same voice in another meeting or room at least 0.68
    (docs/accuracy.md#naming-people-across-meetings-voice-identification).
    """

    match_threshold: float = 0.54
    min_speech_s: float = 3.0  # a label with less exclusive speech keeps no voiceprint and is not matched
    enrol_min_clip_s: float = 10.0  # an enrolment clip must be at least this long
    enrol_min_speech_s: float = 5.0  # ... and hold at least this much speech
    enrol_other_voice_s: float = 2.0  # a second voice with this much speech refuses the clip
    # the two halves of a clip's speech must sound this alike (cosine): measured 0.76-0.91 for five
    # LibriSpeech readers' 12-15 s clips, -0.05-0.42 for seven clips of two readers (4-8 s each;
    # 0.23 for the one the diarizer heard as one speaker)
    enrol_same_voice_similarity: float = 0.6
