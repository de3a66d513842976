"""The syllable estimate of the real prosody stage (librosa) on real speech with reference transcripts.

Each file of the shipped monologue manifest (two LJ Speech clips and the JFK excerpt, 132 s in all, about
2 s of CPU) is measured as one person's exclusive speech, as an analysis measures a person's solo speech;
its estimated syllables per minute are compared with the syllables of its reference transcript
(:mod:`analyzer.evaluation.syllables`) per the same minutes. Measured (docs/metrics.md, "How good is the
syllable estimate"): ratios 0.896 (linda_johnson_01), 0.884 (linda_johnson_02), 1.000 (jfk), pooled 0.896.
Bounds: each file within 20 % of its reference (worst measured 11.6 %), all three pooled within 15 %
(measured 10.4 %): the margins leave room for a peak or two that another CPU's float kernels move,
and for a better estimate, but not for one that drifts by a fifth.
"""

from __future__ import annotations

import pytest

from analyzer.evaluation.manifest import REPO_ROOT, default_data_root, load_manifest

pytestmark = pytest.mark.integration

FILE_BOUND = 0.20
POOLED_BOUND = 0.15


def test_the_syllable_estimate_stays_near_the_reference_transcripts():
    from analyzer.adapters.audio import load_audio
    from analyzer.adapters.voice import LibrosaProsody
    from analyzer.core.config import VoiceConfig
    from analyzer.core.schema import SpeakerSegment
    from analyzer.evaluation.syllables import text_syllables
    from analyzer.formats.references import read_transcript
    from analyzer.metrics.voice import voice_metrics

    if not (default_data_root() / "monologue").exists():
        pytest.skip(f"shared data not present at {default_data_root()}")
    config = VoiceConfig()
    prosody = LibrosaProsody(config)
    estimated = reference = 0.0
    lines, worst = [], 0.0
    for entry in load_manifest(REPO_ROOT / "eval" / "manifests" / "monologue.toml").entries:
        audio = load_audio(entry.audio)
        duration = audio.recording.duration
        frames = prosody.extract(audio, [SpeakerSegment(0.0, duration, "A")])
        voice = voice_metrics(frames, people=["A"], words=(), word_counts={}, speaking_times={"A": duration},
                              interruptions=(), floor=(), duration=duration, config=config).speakers[0]
        minutes = sum(len(f.level_db) * f.hop for f in frames) / 60.0
        truth = text_syllables(read_transcript(entry.transcript, entry.transcript_select).text) / minutes
        assert voice.pace_source == "syllables" and voice.syllables_per_minute is not None
        ratio = voice.syllables_per_minute / truth
        worst = max(worst, abs(ratio - 1.0))
        estimated += voice.syllables_per_minute * minutes
        reference += truth * minutes
        lines.append(f"{entry.id}: estimated {voice.syllables_per_minute:.1f} syllables/min, reference {truth:.1f}, "
                     f"ratio {ratio:.3f}")
    pooled = estimated / reference
    report = "; ".join(lines) + f"; pooled ratio {pooled:.3f}"
    print(report)
    assert len(lines) == 3, report
    assert worst <= FILE_BOUND, f"a file is {worst:.1%} off its reference (bound {FILE_BOUND:.0%}): {report}"
    assert abs(pooled - 1.0) <= POOLED_BOUND, f"pooled ratio {pooled:.3f} (bound 1 +- {POOLED_BOUND}): {report}"
