"""``floorshare bench``: time the pipeline, alone or against other configurations in the same process.

Parsing and rendering only; the measuring is in :mod:`analyzer.evaluation.bench` and
:mod:`analyzer.evaluation.bench_compare`.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from analyzer.cli.commands import options as o
from analyzer.cli.commands.evaluate import _write_json
from analyzer.cli.commands.stored import fail
from analyzer.cli.console import console, err_console
from analyzer.core.errors import AnalyzerError, ConfigError

MEMORY_NOTE = ("memory: 'peak RSS (process so far)' is getrusage's ru_maxrss, which only grows within a "
               "process; 'RSS peak in this run' is the process's current resident memory sampled every 50 ms "
               "during that analysis (whole process: models of configurations run earlier stay loaded), "
               "'RSS growth in this run' that peak minus the resident memory when the run started.")


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)


def bench(
    files: Optional[list[Path]] = typer.Argument(None, help="Recordings to time (default: composed meetings)."),
    minutes: Optional[list[float]] = typer.Option(None, "--minutes", help="Compose and time a meeting of this "
                                                  "many minutes (repeatable; default 10 and 60 without FILES)."),
    against: Optional[list[Path]] = typer.Option(None, "--against", metavar="CONFIG.toml", help="Also time every "
                                                 "recording under this configuration file (repeatable), in the "
                                                 "same process, after the baseline (the defaults or --config; "
                                                 "--device and --asr-model apply to both); prints its time as a "
                                                 "ratio to the baseline's, its DER, and the settings that differ."),
    work: Path = typer.Option(Path("out/bench"), "--work", help="Folder for composed meetings."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the figures to this JSON file."),
    config_file: o.ConfigFile = None, device: o.Device = "auto", asr_model: o.AsrModel = None,
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="With `bench batch DIR`: also run "
                                              "the batch on this Ray cluster (HEAD:6379)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="With `bench batch --ray-address`: "
                                          "actors on the cluster (default: as many as its nodes hold)."),
    cpus_per_worker: Optional[int] = typer.Option(None, "--cpus-per-worker", min=1, help="With `bench batch "
                                                  "--ray-address`: CPUs per actor (default 2)."),
    setups: Optional[str] = typer.Option(None, "--setups", help="With `bench batch`: the setups, in order, the "
                                         "first being the baseline: local:N, ray:N, cluster[:N] (default "
                                         "local:1,local:2,ray:2, + cluster with --ray-address)."),
) -> None:
    """Time each stage, the real-time factor, memory and model load, and faster-whisper
    alone on the same audio (our total as a ratio to it), with the DER when <file>.rttm exists.

    With `--against ALT.toml`, every recording is analysed under the baseline, then under each alternative, in this one process; each alternative's time is shown as a ratio to the baseline's (e.g. 0.61x of baseline), beside its DER and the settings that differ.

    `floorshare bench batch DIR` times batches instead (same as `floorshare bench-batch DIR`), with `--ray-address` also on a Ray cluster.
    """
    if files and str(files[0]) == "batch" and not files[0].exists():
        if len(files) != 2:
            err_console.print("usage: floorshare bench batch DIR", highlight=False)
            raise typer.Exit(2)
        if against:
            raise fail(ConfigError("--against compares configurations in the per-stage bench "
                                   "(floorshare bench [FILE...] --against ALT.toml), not in `bench batch`"))
        from analyzer.cli.commands.batch import bench_batch_command

        return bench_batch_command(files[1], config_file=config_file, asr_model=asr_model,
                                   device="cpu" if device == "auto" else device, ray_address=ray_address,
                                   workers=workers, cpus_per_worker=cpus_per_worker, setups=setups)

    from analyzer.evaluation.bench import compose_bench_inputs, load_average, machine_description, run_bench
    from analyzer.evaluation.bench_compare import BASELINE, WARM_UP_S, Variant, run_comparison, unique_names

    comparison = None
    try:
        config = o.build_config(config_file, device=device, asr_model=asr_model)
        names = unique_names([str(path) for path in against or []])
        alternatives = [Variant(name, _alternative_config(path, device, asr_model), str(path))
                        for name, path in zip(names, against or [])]
        lengths = minutes or ([] if files else [10.0, 60.0])
        paths = list(files or []) + compose_bench_inputs(lengths, work)
        if alternatives:
            console.print(f"timing {len(paths)} recording(s) under {1 + len(alternatives)} configurations in this "
                          f"process (each first warms up on {WARM_UP_S:.0f} s of the first, untimed)",
                          highlight=False, markup=False)
            comparison = run_comparison(paths, [Variant(BASELINE, config, str(config_file or "defaults")),
                                                *alternatives], on_run=_on_run(json_out, config))
            load_s, results = comparison.model_load_s[BASELINE], [run.bench for run in comparison.runs]
        else:
            load_s, results = run_bench(paths, config)
    except AnalyzerError as exc:
        raise fail(exc) from None
    console.print(f"machine: {machine_description()}; load average now {load_average()}", highlight=False,
                  markup=False)
    if comparison is not None:
        _print_changes(comparison)
    _print_table(results, comparison)
    if comparison is not None:
        _print_ratios(comparison)
    console.print(MEMORY_NOTE, highlight=False, markup=False)
    if json_out is not None:
        data = {"machine": machine_description(), "model_load_s": load_s, "config": config.to_dict(),
                "load_average": load_average(), "memory_note": MEMORY_NOTE,
                "results": [_result_dict(r) for r in (comparison.baseline_results() if comparison else results)]}
        if comparison is not None:
            data["comparison"] = _comparison_dict(comparison)
        _write_json(json_out, data)
        console.print(f"report: {json_out}", highlight=False, markup=False)


def _alternative_config(path: Path, device: str, asr_model: str | None):  # noqa: ANN202 - AnalysisConfig
    try:
        return o.build_config(path, device=device, asr_model=asr_model)
    except ConfigError as exc:
        message = str(exc)
        named = message if message.startswith(str(path)) else f"{path}: {message}"
        raise ConfigError(f"--against {named}") from None


def _on_run(json_out: Path | None, config):  # noqa: ANN001, ANN202 - VariantRun callback
    """Progress after each run, and a partial JSON report (a stopped run keeps what it measured)."""
    from analyzer.evaluation.bench import load_average, machine_description

    done: list[dict[str, Any]] = []

    def on_run(run) -> None:  # noqa: ANN001 - VariantRun
        b = run.bench
        load = load_average()
        console.print(f"{Path(b.file).name} under {run.variant}: total {b.total_s:.1f} s, diarization "
                      f"{b.stages.get('diarization', 0.0):.1f} s, {run.total_ratio:.2f}x of baseline; "
                      f"load average {load}", highlight=False, markup=False)
        done.append({"variant": run.variant, **_result_dict(b), "total_x_of_baseline": run.total_ratio,
                     "load_average_after": load})
        if json_out is not None:
            _write_json(json_out, {"partial": True, "machine": machine_description(), "config": config.to_dict(),
                                   "runs": done})

    return on_run


def _print_changes(comparison) -> None:  # noqa: ANN001 - Comparison
    console.print(f"baseline: {comparison.baseline.source}", highlight=False, markup=False)
    for variant in comparison.variants[1:]:
        changes = comparison.changes(variant)
        if not changes:
            console.print(f"{variant.name}: the same settings as the baseline (the ratios show run-to-run noise)",
                          highlight=False, markup=False)
            continue
        fixed = set(comparison.load_time_changes(variant))
        text = "; ".join(f"{key} {old!r} -> {new!r}" + (" (load-time: own models)" if key in fixed else "")
                         for key, (old, new) in changes.items())
        console.print(f"{variant.name} differs from the baseline in: {text}", highlight=False, markup=False)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} MiB"


def _print_table(results, comparison) -> None:  # noqa: ANN001
    table = Table(title="floorshare bench (seconds unless stated)")
    table.add_column("figure")
    runs = list(comparison.runs) if comparison is not None else [None] * len(results)
    for r, run in zip(results, runs):
        table.add_column(Path(r.file).name + ("" if run is None else f"\n{run.variant}"), justify="right")
    rows = [("audio", lambda r: f"{r.audio_s:.1f} s"), ("model load", lambda r: f"{r.model_load_s:.2f} s")]
    rows += [(stage, lambda r, k=stage: f"{r.stages[k]:.2f} s")
             for stage in ("decode", "diarization", "prosody", "transcription", "alignment+metrics")]
    rows += [("total", lambda r: f"{r.total_s:.2f} s"), ("RTF (total / audio)", lambda r: f"{r.rtf:.3f}"),
             ("CPU time (user+sys)", lambda r: f"{r.cpu_s:.1f} s"),
             ("CPU s per audio s", lambda r: f"{r.cpu_per_audio_s:.3f}"),
             ("peak RSS (process so far)", lambda r: f"{r.peak_rss_mib:.0f} MiB"),
             ("RSS peak in this run (sampled)", lambda r: _mib(r.run_rss_peak_mib)),
             ("RSS growth in this run", lambda r: _mib(r.run_rss_growth_mib)),
             ("faster-whisper alone", lambda r: f"{r.whisper_alone_s:.2f} s"),
             ("faster-whisper alone RTF", lambda r: f"{r.whisper_rtf:.3f}"),
             ("faster-whisper alone CPU time", lambda r: f"{r.whisper_cpu_s:.1f} s"),
             ("ratio to faster-whisper", lambda r: f"{r.ratio_to_whisper:.1f}x"),
             ("transcription beside diarization", lambda r: "yes" if r.overlapped else "no"),
             ("DER vs <file>.rttm", lambda r: _pct(r.der)),
             ("share error (mean)", lambda r: "-" if r.share_mean_pp is None else f"{r.share_mean_pp:.1f} pp")]
    for label, render in rows:
        table.add_row(label, *(render(r) for r in results))
    if comparison is not None:
        for label, ratio in (("total: x of baseline", lambda run: run.total_ratio),
                             ("diarization: x of baseline", lambda run: run.diarization_ratio),
                             ("CPU time: x of baseline", lambda run: run.cpu_ratio)):
            table.add_row(label, *(f"{ratio(run):.2f}x" for run in runs))
    console.print(table)


def _print_ratios(comparison) -> None:  # noqa: ANN001 - Comparison
    for run in comparison.runs:
        if run.variant == comparison.baseline.name:
            continue
        b, base = run.bench, run.baseline
        console.print(f"{Path(b.file).name}: {run.variant} {run.total_ratio:.2f}x of baseline "
                      f"(total {b.total_s:.1f} s vs {base.total_s:.1f} s, diarization {run.diarization_ratio:.2f}x, "
                      f"{b.ratio_to_whisper:.1f}x vs {base.ratio_to_whisper:.1f}x faster-whisper alone); "
                      f"DER {_pct(b.der)} vs {_pct(base.der)}", highlight=False, markup=False)


def _result_dict(r) -> dict[str, Any]:  # noqa: ANN001 - BenchResult
    return {**asdict(r), "rtf": r.rtf, "whisper_rtf": r.whisper_rtf, "cpu_per_audio_s": r.cpu_per_audio_s,
            "ratio_to_whisper": r.ratio_to_whisper, "run_rss_growth_mib": r.run_rss_growth_mib}


def _comparison_dict(comparison) -> dict[str, Any]:  # noqa: ANN001 - Comparison
    return {
        "baseline": comparison.baseline.name,
        "variants": [{"name": v.name, "config_file": v.source, "config": v.config.to_dict(),
                      "model_load_s": comparison.model_load_s[v.name],
                      "changes": {k: list(pair) for k, pair in comparison.changes(v).items()},
                      "load_time_changes": list(comparison.load_time_changes(v))} for v in comparison.variants],
        "runs": [{"variant": run.variant, **_result_dict(run.bench), "total_x_of_baseline": run.total_ratio,
                  "diarization_x_of_baseline": run.diarization_ratio, "cpu_x_of_baseline": run.cpu_ratio}
                 for run in comparison.runs],
    }
