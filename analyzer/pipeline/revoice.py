"""Voice figures after a correction: the prosody stage run again on the session's own recording.

A merge, split or re-assignment changes whose speech each stretch is, so each person's level
relative to their own median, pitch, pace and raised voices must be measured again. The frame
features are not stored (they are per 20 ms), so :class:`RecordingVoice` decodes the recording
(the copy kept with the session, else the file at the path it was analysed from), checks that it
is the same content (SHA-256) and measures the corrected people's solo speech. When it cannot, it says why in :attr:`reason`
and the corrected session has no voice figures (:func:`voice_note` tells the user).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import AnalyzerError
from analyzer.core.schema import SessionResult, SpeakerSegment, VoiceFrames
from analyzer.formats.names import removed_notice, removed_sentence


class RecordingVoice:
    """A :class:`analyzer.pipeline.corrections.VoiceSource` that reads the session's recording again.

    ``kept``: the copy of the recording kept with the session (``SessionStore.audio_path``), tried
    first. ``prosody`` and ``loader`` default to the librosa stage and the PyAV decoder (tests inject fakes).
    """

    def __init__(self, result: SessionResult, *, kept: str | Path | None = None, prosody=None,  # noqa: ANN001
                 loader=None) -> None:  # noqa: ANN001
        self.result = result
        self.kept = Path(kept) if kept else None
        self.prosody = prosody
        self.loader = loader
        self.reason = ""  # why no frames came back ("" when they did, or when none were asked for)

    def __call__(self, segments: Sequence[SpeakerSegment], config: AnalysisConfig) -> tuple[VoiceFrames, ...] | None:
        path = Path(self.result.recording.path)
        if self.kept is not None and self.kept.is_file():
            path = self.kept
        elif not path.is_file():
            self.reason = f"the recording is no longer at {path} and no copy was kept with the session"
            return None
        if self.loader is None:
            from analyzer.adapters.audio import load_audio as loader
        else:
            loader = self.loader
        try:
            audio = loader(path, memory_check="decode")
        except AnalyzerError as exc:
            self.reason = f"{path} could not be read again ({exc})"
            return None
        if audio.recording.sha256 != self.result.recording.sha256:
            self.reason = f"{path} is no longer the recording that was analysed (its content changed)"
            return None
        prosody = self.prosody
        if prosody is None:
            from analyzer.adapters.voice import LibrosaProsody

            prosody = LibrosaProsody(config.voice)
        return tuple(prosody.extract(audio, segments, config=config.voice))


def voice_note(before: SessionResult, after: SessionResult, voice: RecordingVoice | None) -> str:
    """One line for the user when a correction dropped the voice figures ("" when nothing was lost)."""
    had = before.metrics is not None and before.metrics.voice is not None
    if not had:
        return ""
    note = removed_notice(after)
    if note or after.metrics is None or after.metrics.voice is not None:
        return note
    return removed_sentence(voice.reason if voice is not None and voice.reason else "the recording was not read again")
