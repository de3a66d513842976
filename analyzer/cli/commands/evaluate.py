"""``floorshare compose`` and ``floorshare eval``: build test meetings, score (``bench``: bench.py).

Parsing and rendering only; the work is in :mod:`analyzer.compose` and :mod:`analyzer.evaluation`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from analyzer.cli.commands import options as o
from analyzer.cli.commands.stored import fail
from analyzer.cli.console import console, err_console
from analyzer.core.errors import AnalyzerError


def register(app: typer.Typer) -> None:
    app.command("compose")(compose)
    app.command("eval")(evaluate)


def compose(
    specs: list[Path] = typer.Argument(..., help="Scenario TOML files (see eval/scenarios/)."),
    out: Path = typer.Option(Path("out/composed"), "--out", "-o", help="Output folder."),
    voices: Optional[Path] = typer.Option(None, "--voices", help="Folder of voice folders "
                                          "(default: the scenario's, else tests/data/voices)."),
) -> None:
    """Build meetings from real recorded voices: NAME.wav, NAME.rttm (reference) and
    NAME.events.json (interruptions with type and time, backchannels, expected verdict)."""
    from analyzer.compose import compose_meeting, load_scenario, write_meeting

    for spec in specs:
        try:
            meeting = compose_meeting(load_scenario(spec, voices))
            files = write_meeting(meeting, out)
        except (AnalyzerError, OSError) as exc:
            raise fail(exc if isinstance(exc, AnalyzerError) else AnalyzerError(f"{out}: {exc}")) from None
        kinds = ", ".join(f"{i.type}" for i in meeting.interruptions) or "none"
        console.print(f"{files.audio} ({meeting.duration / 60:.1f} min, {len(meeting.attendees)} attendees, "
                      f"expected {meeting.scenario.verdict}); interruptions: {kinds}", highlight=False, markup=False)


def evaluate(
    manifest: Path = typer.Argument(..., help="Manifest TOML (see eval/manifests/)."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write every figure to this JSON file."),
    data_root: Optional[Path] = typer.Option(None, "--data-root", help="Where $DATA/ paths point "
                                             "(default: $FLOORSHARE_DATA_ROOT or ../shared/data)."),
    work: Path = typer.Option(Path("out/eval"), "--work", help="Folder for composed scenarios."),
    config_file: o.ConfigFile = None, device: o.Device = "auto", asr_model: o.AsrModel = None,
    cache: Path = typer.Option(Path("out/eval/identification-cache"), "--cache",
                               help="Identification manifests: where diarization outputs are cached "
                                    "(a threshold sweep then runs no model)."),
) -> None:
    """Run the pipeline on every recording of MANIFEST and score it against the references:
    DER/JER and their split, speaker count, share error (mean and worst person), speaker changes
    found, the quietest person's missed speech, interruptions, raised voices, verdict (against the
    expected one and the reference's own), WER. A manifest with kind = "identification" scores naming
    people across meetings by voice instead."""
    from analyzer.evaluation.identification import is_identification_manifest

    if is_identification_manifest(manifest):
        _evaluate_identification(manifest, json_out, data_root, cache, config_file, device)
        return
    from analyzer.cli.commands.progress_bar import stage_progress
    from analyzer.evaluation.manifest import load_manifest
    from analyzer.evaluation.runner import evaluate_manifest, file_score_dict
    from analyzer.pipeline.analysis import build_analyzer

    try:
        config = o.build_config(config_file, device=device, asr_model=asr_model)
        loaded = load_manifest(manifest, data_root)
        analyzer = build_analyzer(config)
        done: list = []

        def on_file(score) -> None:
            _print_file(score)
            done.append(score)
            if json_out is not None:  # partial report after each file, in case a long run is stopped
                _write_json(json_out, {"manifest": str(manifest), "name": loaded.name, "partial": True,
                                       "files": [file_score_dict(s) for s in done]})

        scores, summary = evaluate_manifest(loaded, analyzer, config, work / loaded.name,
                                            hook_for=stage_progress, on_file=on_file)
    except AnalyzerError as exc:
        raise fail(exc) from None
    _print_summary(loaded.name, summary)
    if json_out is not None:
        _write_json(json_out, {"manifest": str(manifest), "name": loaded.name, "config": config.to_dict(),
                               "files": [file_score_dict(s) for s in scores], "overall": summary})
        console.print(f"report: {json_out}", highlight=False, markup=False)


def _evaluate_identification(manifest: Path, json_out: Optional[Path], data_root: Optional[Path], cache: Path,
                             config_file, device: str) -> None:  # noqa: ANN001
    from analyzer.core.config import VoiceprintConfig
    from analyzer.evaluation.identification import evaluate_identification, load_plan
    from analyzer.evaluation.manifest import default_data_root
    from analyzer.pipeline.analysis import build_analyzer

    try:
        plan = load_plan(manifest, data_root or default_data_root())
        config = o.build_config(config_file, device=device)
        diarizer = _LazyDiarizer(lambda: build_analyzer(config).diarizer)  # a cached run loads no model
        report = evaluate_identification(plan, diarizer, cache, on_meeting=lambda run: console.print(
            f"{run.id}{_room(run.room)}: {', '.join(run.voices)}; {len(run.embeddings)} speakers found",
            highlight=False),
            default_threshold=VoiceprintConfig().match_threshold)
    except AnalyzerError as exc:
        raise fail(exc) from None
    table = Table(title=f"{plan.name}: identification across meetings (threshold {report['threshold']:.2f}, "
                        f"calibrated on readers {', '.join(report['calibration_readers'])}; reported on "
                        f"{', '.join(report['report_readers'])})")
    for column in ("condition", "readers", "series", "correct identification (found speech)",
                   "(all speech)", "false acceptance (time)", "strangers named (voice / speech)"):
        table.add_column(column, justify="left" if column in ("condition", "readers") else "right")
    for condition, found in report["by_condition"].items():
        rows = [("calibration", found["calibration"]), ("report", found["report"])]
        if "report_at_default" in found:
            rows.append((f"report at the default {report['default_threshold']:.2f}", found["report_at_default"]))
        for what, r in rows:
            table.add_row(condition, what, str(r["series"]), _pct(r["correct_identification_found"]),
                          _pct(r["correct_identification"]), _pct(r["false_acceptance"]),
                          f"{r['stranger_labels_named']} / {r['strangers_named']} of {r['strangers']}")
    console.print(table)
    for condition, found in report["by_condition"].items():
        r = found["report_left_out"]
        console.print(f"{condition}, report, each known person in turn left out of the library: "
                      f"{r['stranger_labels_named']} of {r['strangers']} strangers' voices named as someone "
                      f"({r['strangers_named']} with over 0.5 s of speech in a named speaker), false acceptance "
                      f"{_pct(r['false_acceptance'])}, the others {_pct(r['correct_identification_found'])} "
                      "correctly named (found speech)", highlight=False, markup=False)
        for what, spread in found["similarities"].items():
            console.print(f"{condition}, {what}: cosine similarity " + "; ".join(
                f"{kind.replace('_', ' ')} {s['min']:.2f}-{s['max']:.2f} (median {s['median']:.2f}, n {s['n']})"
                for kind, s in spread.items() if s["n"]), highlight=False, markup=False)
    if json_out is not None:
        _write_json(json_out, {"manifest": str(manifest), **report})
        console.print(f"report: {json_out}", highlight=False, markup=False)


class _LazyDiarizer:
    """Builds the real diarizer on the first meeting that is not in the cache."""

    def __init__(self, build) -> None:  # noqa: ANN001 - () -> Diarizer
        self._build, self._diarizer = build, None

    def diarize(self, audio):  # noqa: ANN001, ANN201
        if self._diarizer is None:
            self._diarizer = self._build()
        return self._diarizer.diarize(audio)


def _room(room: dict[str, Any] | None) -> str:
    return "" if room is None else f" (far field: RT60 {room['rt60']:.2f} s, SNR {room['snr_db']:.0f} dB)"


def _write_json(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail(AnalyzerError(f"{path}: cannot write the report ({exc.strerror}); "
                                  "choose a writable --json path")) from None


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _print_file(score) -> None:
    parts = [f"[bold]{score.id}[/bold] ({score.duration:.0f} s, {score.analysis_s:.0f} s to analyse)",
             f"DER {_pct(score.der)}", f"JER {_pct(score.jer)}", f"DER±0.25 {_pct(score.der_collar)}",
             f"speakers {score.system_speakers}"
             + (f" (ref {score.reference_speakers})" if score.reference_speakers is not None else ""),
             "share error " + (f"{score.share_mean_pp:.1f} pp mean, {score.share_max_pp:.1f} worst person"
                               if score.share_mean_pp is not None else "-"),
             "speaker changes found " + (f"{_pct(score.changes.recall)} (precision {_pct(score.changes.precision)})"
                                         if score.changes is not None else "-"),
             f"quietest person missed {_pct(score.quietest_missed)}" + (
                 f" ({score.quietest_person})" if score.quietest_person else ""),
             f"verdict {score.verdict_system}" + (f" (expected {score.verdict_expected})"
                                                  if score.verdict_expected else "")
             + (f" (reference's own {score.verdict_reference})" if score.verdict_reference else ""),
             f"WER {_pct(score.word_errors.wer)}" if score.word_errors else "WER -"]
    if score.interruptions is not None:
        any_ = score.interruptions["any"]
        parts.append(f"interruptions {any_.matched}/{any_.reference} found, {any_.system} reported")
    if score.raised_voices is not None:
        c = score.raised_voices
        parts.append(f"raised voices {c.matched}/{c.reference} found, {c.system} reported")
    console.print("; ".join(parts), highlight=False)


def _print_summary(name: str, summary: dict[str, Any]) -> None:
    table = Table(title=f"{name}: overall ({summary['files']} files, {summary['audio_s'] / 60:.1f} min of audio)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [("DER (no collar, overlap scored)", _pct(summary.get("der"))), ("JER", _pct(summary.get("jer"))),
            ("DER (0.25 s collar)", _pct(summary.get("der_collar")))]
    if "error_split" in summary:
        split = summary["error_split"]
        rows.append(("  of which missed / false alarm / confusion",
                     f"{_pct(split['missed'])} / {_pct(split['false_alarm'])} / {_pct(split['confusion'])}"))
    if "speaker_count_mae" in summary:
        rows.append(("speaker count: mean abs error / exact",
                     f"{summary['speaker_count_mae']:.2f} / {_pct(summary['speaker_count_exact'])}"))
    if "share_mean_pp" in summary:
        rows.append(("share error: mean / max (pp)", f"{summary['share_mean_pp']:.1f} / {summary['share_max_pp']:.1f}"))
        rows.append(("worst person's share error, mean over files (pp)", f"{summary['share_worst_mean_pp']:.1f}"))
    if "changes" in summary:
        c = summary["changes"]
        rows.append((f"speaker changes within 0.5 s: recall / precision (ref {c['reference']}, sys {c['system']})",
                     f"{_pct(c['recall'])} / {_pct(c['precision'])}"))
    if "quietest_missed_mean" in summary:
        rows.append(("quietest person's missed speech: mean / max",
                     f"{_pct(summary['quietest_missed_mean'])} / {_pct(summary['quietest_missed_max'])}"))
    if "verdict_reference_accuracy" in summary:
        rows.append((f"verdict = reference's own verdict ({summary['verdicts_reference_scored']} files)",
                     _pct(summary["verdict_reference_accuracy"])))
    if "verdict_accuracy" in summary:
        rows.append((f"verdict accuracy ({summary['verdicts_scored']} files)", _pct(summary["verdict_accuracy"])))
    if "wer" in summary:
        rows.append(("WER", _pct(summary["wer"])))
    for kind, c in summary.get("interruptions", {}).items():
        rows.append((f"interruptions {kind}: P / R / F1 (ref {c['reference']}, sys {c['system']})",
                     f"{_pct(c['precision'])} / {_pct(c['recall'])} / {_pct(c['f1'])}"))
    if "raised_voices" in summary:
        c = summary["raised_voices"]
        onset = "-" if c["mean_onset_error_s"] is None else f"{c['mean_onset_error_s']:.2f} s"
        rows.append((f"raised voices: P / R / F1 (ref {c['reference']}, sys {c['system']}, onset within 1 s)",
                     f"{_pct(c['precision'])} / {_pct(c['recall'])} / {_pct(c['f1'])}"))
        rows.append(("raised voices: mean onset error", onset))
    rows.append(("analysis time", f"{summary['analysis_s']:.0f} s"))
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
