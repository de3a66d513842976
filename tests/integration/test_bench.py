"""floorshare bench with the real models on the 30 s sample: every figure is printed and plausible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "pyannote-sample" / "sample.wav"
FIGURES = ("audio", "model load", "decode", "diarization", "transcription", "alignment+metrics", "total",
           "RTF (total / audio)", "peak RSS", "faster-whisper alone", "faster-whisper alone RTF",
           "ratio to faster-whisper", "machine:")


@pytest.mark.integration
def test_bench_prints_every_figure_on_a_short_file(tmp_path):
    from analyzer.cli.app import build_app

    out = tmp_path / "bench.json"
    result = CliRunner().invoke(build_app(), ["bench", str(SAMPLE), "--json", str(out), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    for figure in FIGURES:
        assert figure in result.output, figure
    data = json.loads(out.read_text())
    bench = data["results"][0]
    assert bench["audio_s"] == pytest.approx(30.0, abs=0.5)
    assert all(seconds > 0 for seconds in bench["stages"].values()), bench["stages"]
    stages = bench["stages"]
    if bench["overlapped"]:  # transcription ran beside diarization: each stage has its own span
        assert max(stages["diarization"], stages["transcription"]) <= bench["total_s"]
        assert sum(stages.values()) >= 0.98 * bench["total_s"]
    else:
        assert sum(stages.values()) == pytest.approx(bench["total_s"], rel=0.02)
    assert bench["der"] is not None and bench["der"] <= 0.10  # scored against sample.rttm beside it

    # faster-whisper alone is timed, never compared: on a 30 s file the overlapped analysis can finish
    # before it does (CI saw 0.97x), and speed is the benchmark's to show, not a test's (docs/benchmarks.md)
    assert bench["whisper_alone_s"] > 0
    assert bench["ratio_to_whisper"] == pytest.approx(bench["total_s"] / bench["whisper_alone_s"])
    assert bench["peak_rss_mib"] > 100
    assert bench["rtf"] == pytest.approx(bench["total_s"] / bench["audio_s"])
