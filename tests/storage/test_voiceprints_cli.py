"""The voice library from the command line (fake models with voice embeddings): a second meeting
names the people named in the first; confirm, reject, correct, export on request, merge, split, opt-out."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from analyzer.core.schema import Diarization, ModelRef, Transcript, TranscriptSegment
from tests.conftest import seg, words_from_script, write_tone_wav

RNG = np.random.default_rng(5)
ANA, BEN = RNG.normal(size=32), RNG.normal(size=32)
SCRIPT = [(0.0, 6.0, "A", "welcome everyone let us start with the budget today"),
          (6.4, 12.0, "B", "can we look at the travel line first please"),
          (12.3, 18.0, "A", "yes you need to send me the numbers by friday")]


class VoiceDiarizer:
    """Meeting-specific labels: ``voices`` maps each label of SCRIPT's A/B to a voice."""

    models = (ModelRef("fake-seg", "segmentation", "tests", "0" * 64),
              ModelRef("fake-emb", "embedding", "tests", "9" * 64))
    device = "cpu"
    labels = {"A": "SPEAKER_00", "B": "SPEAKER_01"}

    def diarize(self, audio, *, hook=None, config=None):  # noqa: ANN001, ANN201
        segs = tuple(seg(s, e, self.labels[who]) for s, e, who, _ in SCRIPT)
        noise = np.random.default_rng(int(audio.recording.sha256[:6], 16))
        voices = {self.labels["A"]: ANA, self.labels["B"]: BEN}
        emb = {label: tuple(float(x) for x in v + 0.2 * noise.normal(size=32)) for label, v in voices.items()}
        return Diarization(segs, segs, tuple(sorted(self.labels.values())), emb)


class Transcriber:
    models = (ModelRef("fake-asr", "asr", "tests", "1" * 64),)

    def transcribe(self, audio, *, hook=None, config=None):  # noqa: ANN001, ANN201
        words = words_from_script([(s, e, t) for s, e, _, t in SCRIPT])
        return Transcript("en", 1.0, (TranscriptSegment(0.0, 18.0, " ".join(w.text for w in words), words),))


@pytest.fixture(scope="module")
def app():
    from analyzer.cli.app import build_app

    return build_app()


@pytest.fixture
def diarizer(monkeypatch):
    import analyzer.pipeline.analysis as pipeline

    d = VoiceDiarizer()
    monkeypatch.setattr(pipeline, "build_analyzer", lambda config: pipeline.Analyzer(config, Transcriber(), d))
    return d


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    from analyzer.cli.console import console

    monkeypatch.setattr(console, "_width", 220)


def run(app, *args, code: int = 0) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


def test_second_meeting_is_named_and_corrections_recompute(app, diarizer, tmp_path):
    db, out = tmp_path / "fs.db", tmp_path / "out"
    assert "keeps voiceprints" in run(app, "groups", "create", "team", "--voiceprints", "--db", db)
    first = write_tone_wav(tmp_path / "week1.wav", 18.0, freq=220)
    text = run(app, "analyze", first, "--group", "team", "--db", db, "--out", out)
    assert "New speaker 1" in text and "new voice" in text
    run(app, "speakers", "rename", 1, "SPEAKER_00", "Ana", "--db", db)
    run(app, "speakers", "correct", 1, "SPEAKER_01", "Ben", "--db", db)

    diarizer.labels = {"A": "SPEAKER_01", "B": "SPEAKER_00"}  # next week the labels come out swapped
    second = write_tone_wav(tmp_path / "week2.wav", 18.0, freq=330)
    text = run(app, "analyze", second, "--group", "team", "--db", db, "--out", out)
    assert "Ana (0.9" in text and "suggested) [SPEAKER_01]" in text and "Ben (0.9" in text
    data = json.loads((out / "week2" / "result.json").read_text())
    people = {s["label"]: s for s in data["speakers"]}
    assert people["SPEAKER_01"]["person"] == "Ana" and people["SPEAKER_01"]["match_confidence"] > 0.9
    assert people["SPEAKER_00"]["name"] == "Ben"
    assert "embeddings" not in data["diarization"] and "vector" not in json.dumps(data)
    shown = json.loads(run(app, "sessions", "show", 2, "--json", "--db", db))
    assert {s["label"]: s["name"] for s in shown["speakers"]} == {"SPEAKER_00": "Ben", "SPEAKER_01": "Ana"}
    assert {s["label"]: s["match_status"] for s in shown["speakers"]} == {"SPEAKER_00": "suggested",
                                                                         "SPEAKER_01": "suggested"}
    assert "Ana (0.9" in run(app, "sessions", "show", 2, "--db", db)

    assert "is Ana (confirmed)" in run(app, "speakers", "confirm", 2, "SPEAKER_01", "--db", db)
    assert "New speaker 1" in run(app, "speakers", "reject", 2, "SPEAKER_00", "--db", db)
    library = json.loads(run(app, "speakers", "library", "--group", "team", "--json", "--db", db))
    assert [(p["name"], p["voiceprints"]) for p in library["people"]] == [("Ana", 2), ("Ben", 1)]
    exported = tmp_path / "voices.json"  # voiceprints leave the database only on request
    text = run(app, "speakers", "export", exported, "--group", "team", "--db", db)
    assert "wrote 3 voiceprint(s) of 2 person(s) of group team" in text and "biometric" in text
    data = json.loads(exported.read_text())
    assert [(p["name"], len(p["voiceprints"])) for p in data["people"]] == [("Ana", 2), ("Ben", 1)]
    ana = data["people"][0]["voiceprints"]
    assert len(ana[0]["vector"]) == 32 and {v["session"] for v in ana} == {1, 2} and ana[0]["model"].startswith("fake-emb")
    assert "already exists" in run(app, "speakers", "export", exported, "--group", "team", "--db", db, code=1)
    run(app, "speakers", "export", tmp_path / "ben.json", "--group", "team", "--name", "Ben", "--db", db)
    assert [p["name"] for p in json.loads((tmp_path / "ben.json").read_text())["people"]] == ["Ben"]
    text = run(app, "speakers", "export", tmp_path / "zoe.json", "--group", "team", "--name", "Zoe", "--db", db,
               code=1)
    assert "has no person 'Zoe'" in text and not (tmp_path / "zoe.json").exists()

    merged = run(app, "speakers", "merge", 2, "SPEAKER_01", "SPEAKER_00", "--db", db)
    assert "merged SPEAKER_00 into SPEAKER_01" in merged and "Ana (SPEAKER_01): 100%" in merged
    shown = json.loads(run(app, "sessions", "show", 2, "--json", "--db", db))
    assert [(s["label"], s["share"]) for s in shown["speakers"]] == [("SPEAKER_01", 1.0)]
    split = run(app, "speakers", "split", 2, "SPEAKER_01", "--from", 6.0, "--to", 12.2, "--db", db)
    assert "is now SPEAKER_00's" in split
    run(app, "speakers", "correct", 2, "SPEAKER_00", "Ben", "--db", db)
    trends = json.loads(run(app, "trends", "team", "--json", "--db", db))
    ben = next(p for p in trends["people"] if p["name"] == "Ben")
    assert [s["id"] for s in ben["sessions"]] == [1, 2]
    reassigned = run(app, "speakers", "reassign", 2, 1, "--into", "SPEAKER_01", "--db", db)
    assert "turn 1 is now SPEAKER_01's" in reassigned and "Ana (SPEAKER_01): 100%" in reassigned

    assert "deleted 2 voiceprint(s) of Ana" in run(app, "speakers", "forget", "Ana", "--group", "team", "--db", db)
    assert "deleted 1" in run(app, "groups", "update", "team", "--no-voiceprints", "--db", db)
    groups = json.loads(run(app, "groups", "list", "--json", "--db", db))
    assert groups[0]["voiceprints"] is False and groups[0]["stored_voiceprints"] == 0


def test_enrol_needs_opt_in_and_a_good_clip(app, diarizer, tmp_path):
    db = tmp_path / "fs.db"
    run(app, "groups", "create", "board", "--db", db)
    clip = write_tone_wav(tmp_path / "ana.wav", 12.0)
    text = run(app, "speakers", "enroll", clip, "--group", "board", "--name", "Ana", "--db", db, code=1)
    assert "--voiceprints" in text and "Traceback" not in text
    run(app, "groups", "update", "board", "--voiceprints", "--db", db)
    text = run(app, "speakers", "enroll", clip, "--group", "board", "--name", "Ana", "--db", db, code=1)
    assert "several voices were heard" in text  # the fake hears two people in every clip
    short = write_tone_wav(tmp_path / "short.wav", 4.0)
    text = run(app, "speakers", "enroll", short, "--group", "board", "--name", "Ana", "--db", db, code=1)
    assert "give at least 10 s" in text
