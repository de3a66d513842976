"""Identification scoring across meetings (no models): correct identification of speech time, false
acceptance of a stranger, the calibrated threshold, and the series built from cached meetings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analyzer.evaluation.identification import (
    IdentificationPlan, MeetingRun, calibrate, meeting_specs, name_labels, score_series, series_pairs, totals,
)

RNG = np.random.default_rng(3)
VOICE = {p: RNG.normal(size=16) for p in ("v1", "v2", "v3", "v4")}
PLAN = IdentificationPlan(name="t", voices=Path("."), calibrate=("1", "2", "3", "4"), report=())


def run(id_, half, people, labels, noise=0.3, seed=0):
    rng = np.random.default_rng(seed)
    reference, exclusive, t = [], [], 0.0
    for person, label in zip(people, labels):
        reference.append((t, t + 10.0, person))
        exclusive.append((t + 0.2, t + 10.0, label))
        t += 11.0
    emb = {label: tuple(VOICE[p] + noise * rng.normal(size=16)) for p, label in zip(people, labels)}
    return MeetingRun(id_, half, tuple(people), tuple(reference), tuple(exclusive), emb)


def test_second_meeting_scores_known_people_and_the_stranger():
    first = run("a0", "a", ["v1", "v2", "v3"], ["S0", "S1", "S2"], seed=1)
    second = run("b0", "b", ["v2", "v1", "v4"], ["S0", "S1", "S2"], seed=2)  # v4 is a stranger
    assert name_labels(second) == {"S0": "v2", "S1": "v1", "S2": "v4"}
    good = score_series(first, second, threshold=0.6, min_speech_s=3.0)
    assert good.known_s == 20.0 and good.correct_s == pytest.approx(19.6)  # 0.2 s of each was missed
    assert good.found_s == pytest.approx(19.6)  # ... by the diarizer, so identification of found speech is whole
    assert totals([good])["correct_identification_found"] == pytest.approx(1.0)
    assert totals([good])["missed_speech"] == pytest.approx(0.02)
    assert good.stranger_s == 10.0 and good.accepted_s == 0.0 and good.strangers_accepted == 0
    lax = score_series(first, second, threshold=-1.0, min_speech_s=3.0)  # anyone is someone
    assert lax.accepted_s == pytest.approx(9.8) and lax.strangers_accepted == 1  # v4 takes the free v3
    figures = totals([good, lax])
    assert figures["false_acceptance"] == pytest.approx(9.8 / 20.0)
    assert figures["correct_identification"] == pytest.approx(39.2 / 40.0)


def test_calibration_picks_a_threshold_between_strangers_and_known_voices():
    runs = [run("a0", "a", ["v1", "v2", "v3"], ["S0", "S1", "S2"], seed=1),
            run("b0", "b", ["v2", "v1", "v4"], ["S0", "S1", "S2"], seed=2),
            run("b1", "b", ["v3", "v4", "v1"], ["S0", "S1", "S2"], seed=3)]
    pairs = series_pairs(runs, people=3)
    assert {(a.id, b.id) for a, b in pairs} == {("a0", "b0"), ("a0", "b1"), ("b0", "a0"), ("b1", "a0")}
    threshold, sweep = calibrate(pairs, PLAN)
    at = next(s for s in sweep if s["threshold"] == threshold)
    assert at["false_acceptance"] == 0.0 and at["correct_identification"] > 0.95
    assert 0.1 < threshold < 0.9


def test_meeting_specs_use_both_halves_and_every_reader():
    specs = meeting_specs(PLAN, PLAN.calibrate, "cal")
    assert [s["half"] for s in specs] == ["a"] * 4 + ["b"] * 4
    assert all(len(s["voices"]) == 3 for s in specs) and len({s["id"] for s in specs}) == 8
    assert specs == meeting_specs(PLAN, PLAN.calibrate, "cal")  # deterministic


def test_far_field_specs_draw_a_room_per_meeting_and_keep_the_dry_series():
    dry, wet = meeting_specs(PLAN, PLAN.calibrate, "cal"), meeting_specs(PLAN, PLAN.calibrate, "cal", "far-field")
    assert [{k: v for k, v in s.items() if k != "room"} for s in wet] == dry  # the same meetings, in rooms
    rooms = [s["room"] for s in wet]
    assert len({(r["rt60"], tuple(r["size"]), r["snr_db"]) for r in rooms}) == len(rooms)  # one room each
    assert all(0.35 <= r["rt60"] <= 0.8 and 12 <= r["snr_db"] <= 22 and 5 <= r["size"][0] <= 8 for r in rooms)


def test_the_manifest_asks_for_dry_and_far_field_and_bad_conditions_or_rooms_are_refused(tmp_path):
    from analyzer.core.errors import InputFormatError
    from analyzer.evaluation.identification import load_plan

    root = Path(__file__).resolve().parents[2]
    plan = load_plan(root / "eval" / "manifests" / "identification.toml", tmp_path)
    assert plan.conditions == ("dry", "far-field")
    assert plan.room_rt60 == (0.35, 0.8) and plan.room_snr_db == (12.0, 22.0)
    bad = tmp_path / "bad.toml"
    head = 'kind = "identification"\ncalibrate = ["1"]\nreport = ["2"]\n'
    bad.write_text(head + '[room]\nrt60 = [0.9, 0.2]\n')
    with pytest.raises(InputFormatError, match="bad.toml: .*rt60 = \\[low, high\\]"):
        load_plan(bad, tmp_path)
    bad.write_text(head + 'conditions = ["wet"]\n')
    with pytest.raises(InputFormatError, match="give one or both of dry, far-field"):
        load_plan(bad, tmp_path)


def test_similarity_spreads_separate_own_voices_from_strangers():
    from analyzer.evaluation.identification import trials

    runs = [run("a0", "a", ["v1", "v2", "v3"], ["S0", "S1", "S2"], noise=0.1, seed=1),
            run("b0", "b", ["v2", "v1", "v4"], ["S0", "S1", "S2"], noise=0.1, seed=2)]
    spread = trials(series_pairs(runs, people=3), min_speech_s=3.0)
    assert spread["genuine"]["n"] == 4 and spread["stranger_best"]["n"] == 2  # v1, v2 twice; v4 and v3
    assert spread["genuine"]["min"] > 0.9 > spread["stranger_best"]["max"]


def test_dry_and_far_field_series_are_composed_cached_calibrated_and_printed(tmp_path, monkeypatch):
    """The whole runner on small real compositions (dry and in rooms) with a fake diarizer that
    returns each meeting's reference with a per-reader voice vector: one threshold, every condition."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    import analyzer.pipeline.analysis as analysis
    from analyzer.cli.app import build_app
    from analyzer.core.schema import Diarization, SpeakerSegment
    from analyzer.evaluation import identification

    voices = Path(__file__).resolve().parents[2] / "tests" / "data" / "voices"
    truth: dict[str, tuple] = {}
    real_compose = identification.compose

    def compose(spec, plan, voices_dir):
        meeting = real_compose(spec, plan, voices_dir)
        import hashlib
        truth[hashlib.sha256(meeting.samples.astype(np.float32).tobytes()).hexdigest()] = (meeting, spec)
        return meeting

    rng = np.random.default_rng(5)
    voice = {v: rng.normal(size=16) for v in ("1688", "1998", "2033", "3005", "3080", "3331")}

    class FakeDiarizer:
        calls = 0

        def diarize(self, audio):
            FakeDiarizer.calls += 1
            meeting, spec = truth[audio.recording.sha256]
            labels = {p: f"S{i}" for i, p in enumerate(sorted({s.speaker for s in meeting.segments}))}
            segments = tuple(SpeakerSegment(s.start, s.end, labels[s.speaker]) for s in meeting.segments)
            noise = 0.5 if spec.get("room") else 0.2
            return Diarization(segments, segments, tuple(labels.values()),
                               embeddings={label: tuple(voice[p[1:]] + noise * rng.normal(size=16))
                                           for p, label in labels.items()})

    monkeypatch.setattr(identification, "compose", compose)
    import analyzer.compose.room as room  # the room's rendering takes seconds a meeting (tests/unit/test_compose_room.py)

    def render(tracks, distances, room_, speech_mask, rng_):
        return (sum(t / distances[n] for n, t in tracks.items()) + 0.01 * rng_.normal(size=len(speech_mask))
                ).astype(np.float32)

    monkeypatch.setattr(room, "render", render)
    builds = []
    monkeypatch.setattr(analysis, "build_analyzer",
                        lambda config: builds.append(config) or SimpleNamespace(diarizer=FakeDiarizer()))
    manifest = tmp_path / "ident.toml"
    manifest.write_text(f'kind = "identification"\nname = "tiny"\nvoices = "{voices}"\n'
                        'calibrate = ["1688", "1998", "2033"]\nreport = ["3005", "3080", "3331"]\n'
                        'people = 2\nmeetings_per_half = 2\nmeeting_s = 12.0\nconditions = ["dry", "far-field"]\n'
                        '[room]\nrt60 = [0.4, 0.6]\nsnr_db = [15, 20]\n')
    args = ["eval", str(manifest), "--cache", str(tmp_path / "cache"), "--json", str(tmp_path / "r.json")]
    app = build_app()
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert FakeDiarizer.calls == 16  # 2 conditions x 2 reader sets x 2 halves x 2 meetings
    import json

    report = json.loads((tmp_path / "r.json").read_text())
    assert set(report["by_condition"]) == {"dry", "far-field", "dry to far-field"}
    assert len(report["rooms"]) == 8 and all(0.4 <= r["rt60"] <= 0.6 for r in report["rooms"].values())
    for found in report["by_condition"].values():
        assert found["report"]["correct_identification"] > 0.9 and found["report"]["false_acceptance"] == 0.0
    assert "far-field" in result.output and "(far field: RT60" in result.output
    again = CliRunner().invoke(app, args, env={"COLUMNS": "200"})  # every meeting comes from the cache
    assert again.exit_code == 0 and FakeDiarizer.calls == 16 and len(builds) == 1  # no model loaded either


def test_leaving_a_known_person_out_makes_them_a_stranger_to_the_library():
    from analyzer.evaluation.identification import left_out

    first = run("a0", "a", ["v1", "v2", "v3"], ["S0", "S1", "S2"], seed=1)
    second = run("b0", "b", ["v2", "v1", "v4"], ["S0", "S1", "S2"], seed=2)
    scores = left_out([(first, second)], threshold=0.6, min_speech_s=3.0)
    assert len(scores) == 2  # v1 and v2 are known to the first meeting; v4 is a stranger anyway
    assert all(s.strangers == 2 and s.strangers_accepted == 0 and s.stranger_labels_named == 0 for s in scores)
    assert all(s.known_s == 10.0 and s.correct_s == pytest.approx(9.8) for s in scores)  # the other one named
    lax = left_out([(first, second)], threshold=-1.0, min_speech_s=3.0)
    assert all(s.strangers_accepted == 1 and s.stranger_labels_named == 1 for s in lax)  # one takes the free v3
