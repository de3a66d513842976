"""Voices of the meeting composer: a reader's utterances cut into phrases at their pauses.

Phrases are trimmed with an adaptive energy threshold, padded by 50 ms, levelled to
-23 dBFS per utterance (source file) and handed out cyclically, so a voice's 66-104 s can fill any meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analyzer.core.errors import InputFormatError

SAMPLE_RATE = 16_000
TARGET_RMS_DBFS = -23.0
_FRAME = 160  # 10 ms at 16 kHz


@dataclass
class Voice:
    """A reader's phrases (trimmed, level-normalised), handed out cyclically."""

    name: str
    phrases: list[np.ndarray]
    utterance_ends: list[bool]
    cursor: int = 0
    short_cursor: int = 0
    short: list[np.ndarray] = field(default_factory=list)

    def take(self, seconds: float, rng: np.random.Generator, cut: bool,
             min_keep_s: float = 1.2) -> list[tuple[float, np.ndarray]]:
        """Phrases with 0.2-0.45 s pauses up to ``seconds`` of speech: (offset s, samples).

        ``cut``: stop mid-phrase (an unfinished sentence) near ``seconds``, keeping at
        least ``min_keep_s`` of the last phrase; otherwise finish the phrase, and the utterance
        when that adds at most 3 s.
        """
        pieces: list[tuple[float, np.ndarray]] = []
        offset, spoken = 0.0, 0.0
        while cut or spoken < seconds - 1e-6 or self._finish_utterance():
            phrase = self.phrases[self.cursor % len(self.phrases)]
            self.cursor += 1
            length = len(phrase) / SAMPLE_RATE
            if cut and spoken + length > seconds and length >= min_keep_s + 0.2:
                # stop mid-phrase, with at least min_keep_s of that phrase heard and 0.2 s left unsaid
                keep = min(max(seconds - spoken, min_keep_s), length - 0.2)
                pieces.append((offset, _cut(phrase, keep)))
                break
            pieces.append((offset, phrase))
            spoken += length
            offset += length + float(rng.uniform(0.2, 0.45))
        return pieces

    def _finish_utterance(self, limit_s: float = 3.0) -> bool:
        """True when the last phrase handed out did not end its utterance and the rest is short."""
        last = (self.cursor - 1) % len(self.phrases)
        if self.utterance_ends[last]:
            return False
        rest, index = 0.0, self.cursor
        while True:
            rest += len(self.phrases[index % len(self.phrases)]) / SAMPLE_RATE
            if self.utterance_ends[index % len(self.phrases)]:
                return rest <= limit_s
            index += 1

    def take_short(self, max_seconds: float) -> np.ndarray:
        """A short phrase (a word or two) no longer than ``max_seconds``."""
        fitting = [p for p in self.short if len(p) <= max_seconds * SAMPLE_RATE]
        if fitting:
            self.short_cursor += 1
            return fitting[self.short_cursor % len(fitting)]
        phrase = self.phrases[self.cursor % len(self.phrases)]
        self.cursor += 1
        return _cut(phrase, min(max_seconds, len(phrase) / SAMPLE_RATE))


_VOICE_CACHE: dict[tuple[str, str], tuple[list[np.ndarray], list[bool]]] = {}


def load_voice(voices_dir: Path, name: str, gain_db: float = 0.0) -> Voice:
    """Decode a reader's utterances, split them into phrases and set their level."""
    key = (str(voices_dir), name)
    if key not in _VOICE_CACHE:
        from analyzer.adapters.audio import load_audio

        folder = voices_dir / name
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".flac", ".wav")) \
            if folder.is_dir() else []
        if not files:
            known = sorted(p.name for p in voices_dir.iterdir() if p.is_dir()) if voices_dir.is_dir() else []
            raise InputFormatError(f"{folder}: no voice recordings (flac/wav) there; use one of "
                                   f"{', '.join(known) or 'none found'} or pass --voices DIR")
        phrases, ends = [], []
        for file in files:
            # each utterance is levelled on its own: a reader's LibriSpeech chapters were recorded at levels
            # up to 7.6 dB apart (2414, 367), a session gain that would read as raised or lowered voices
            pieces = _normalise(split_phrases(load_audio(file).samples))
            phrases.extend(pieces)
            ends.extend(i == len(pieces) - 1 for i in range(len(pieces)))
        _VOICE_CACHE[key] = (phrases, ends)
    cached, ends = _VOICE_CACHE[key]
    phrases = [p * np.float32(10 ** (gain_db / 20)) for p in cached]
    short = sorted((p for p in phrases if len(p) <= SAMPLE_RATE), key=len)
    return Voice(name=name, phrases=phrases, utterance_ends=list(ends), short=short)


def split_phrases(samples: np.ndarray, min_pause_s: float = 0.25, pad_s: float = 0.05) -> list[np.ndarray]:
    """Cut a clean single-speaker recording at its pauses (energy below an adaptive floor)."""
    frames = len(samples) // _FRAME
    if frames == 0:
        return []
    energy = samples[: frames * _FRAME].reshape(frames, _FRAME)  # (frames, 160)
    level = 10 * np.log10(np.mean(energy.astype(np.float64) ** 2, axis=1) + 1e-12)  # (frames,) dBFS
    threshold = max(np.percentile(level, 10) + 12.0, np.percentile(level, 95) - 35.0)
    runs = _runs(level > threshold)
    merged: list[list[int]] = []
    for start, end in runs:
        if merged and start - merged[-1][1] < min_pause_s * 100:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    pad = int(pad_s * SAMPLE_RATE)
    return [samples[max(0, s * _FRAME - pad): min(len(samples), e * _FRAME + pad)].copy()
            for s, e in merged if e - s >= 10]


def _cut(phrase: np.ndarray, seconds: float) -> np.ndarray:
    """The first ``seconds`` of a phrase with a 5 ms fade-out (no click at the cut)."""
    piece = phrase[: int(round(seconds * SAMPLE_RATE))].copy()
    ramp = min(80, len(piece))
    piece[len(piece) - ramp:] *= np.linspace(1.0, 0.0, ramp, dtype=np.float32)
    return piece


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate(([0], active.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _normalise(phrases: list[np.ndarray]) -> list[np.ndarray]:
    if not phrases:
        return phrases
    rms = float(np.sqrt(np.mean(np.concatenate(phrases).astype(np.float64) ** 2)))
    scale = np.float32(10 ** (TARGET_RMS_DBFS / 20) / max(rms, 1e-9))
    fade = np.linspace(0.0, 1.0, 160, dtype=np.float32)  # 10 ms ramps avoid clicks at the cuts
    out = []
    for phrase in phrases:
        phrase = phrase * scale
        n = min(len(fade), len(phrase) // 2)
        phrase[:n] *= fade[:n]
        phrase[len(phrase) - n:] *= fade[:n][::-1]
        out.append(phrase)
    return out

