"""``floorshare batch DIR...`` and ``floorshare bench-batch DIR``: analyse folders, resumably, in parallel.

Testing hook (not a product feature): ``FLOORSHARE_BATCH_ANALYZER_FACTORY=module:function``
makes the workers build their analyzer with that function instead of
``analyzer.pipeline.analysis:build_analyzer``; the test-suite uses it to run real batches (processes,
Ray, kills, resume) with fake models.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from analyzer.cli.commands import options as o
from analyzer.cli.commands.stored import fail
from analyzer.cli.console import console, err_console
from analyzer.core.errors import AnalyzerError

FACTORY_ENV = "FLOORSHARE_BATCH_ANALYZER_FACTORY"

Inputs = Annotated[list[Path], typer.Argument(help="Folders (and/or files) of recordings; a video with an "
                                                    "audio track counts.")]
Recursive = Annotated[bool, typer.Option("--recursive", "-r", help="Also look in sub-folders.")]
Workers = Annotated[Optional[int], typer.Option("--workers", "-w", min=1, help="Worker processes (or Ray "
                                                "actors), each holding the models (~2.5 GB); default: "
                                                "from cores and free memory.")]
EngineOpt = Annotated[str, typer.Option("--engine", help="local (processes on this machine) or ray.")]
RayAddress = Annotated[Optional[str], typer.Option("--ray-address", help="Join this Ray cluster "
                                                   "(ray://HEAD:10001 or HEAD:6379) instead of starting a "
                                                   "local Ray for the job.")]
CpusPerWorker = Annotated[Optional[int], typer.Option("--cpus-per-worker", min=1, help="Ray: CPUs each actor "
                                                      "reserves and uses as threads (default 2 on a cluster; "
                                                      "give 1 for nodes of 1 CPU).")]
Setups = Annotated[Optional[str], typer.Option("--setups", help="bench: the setups to run, in order, the first "
                                              "being the baseline of the ratios: local:N, ray:N (a local Ray), "
                                              "cluster[:N] (--ray-address); default local:1,local:2,ray:2 "
                                              "(+ cluster with --ray-address).")]
ShipAudio = Annotated[bool, typer.Option("--ship-audio", help="Ray: send each file through the object store "
                                         "(for workers without the same shared storage).")]


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
    app.command("bench-batch")(bench_batch_command)


def batch(
    inputs: Inputs, recursive: Recursive = False,
    group: Annotated[Optional[str], typer.Option("--group", "-g", help="Group to store the sessions in.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also write result.json, RTTM and "
                                                "transcript per recording under this folder.")] = None,
    workers: Workers = None, engine: EngineOpt = "local", ray_address: RayAddress = None,
    ship_audio: ShipAudio = False, cpus_per_worker: CpusPerWorker = None,
    force: Annotated[bool, typer.Option("--force", help="Analyse again files already stored with the same "
                                        "settings (replaces them).")] = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Try again files that failed in an "
                                               "earlier batch.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be done; analyse nothing.")] = False,
    report_path: Annotated[Optional[Path], typer.Option("--report", help="Write a JSON report: one entry per "
                                                        "file with path, status, error, session_id.")] = None,
    keep_audio: Annotated[bool, typer.Option("--keep-audio", help="Copy each recording into the store.")] = False,
    db: o.Db = None,
    config_file: o.ConfigFile = None, num_speakers: o.NumSpeakers = None, min_speakers: o.MinSpeakers = None,
    max_speakers: o.MaxSpeakers = None, device: o.Device = "auto", asr_model: o.AsrModel = None,
    language: o.Language = None, attendees: o.Attendees = None, meeting_day: o.MeetingDay = None,
) -> None:
    """Analyse every recording in folders: skips what is stored, survives bad files and interruptions.

    Exit code 0 when no file failed, 1 when any failed (the others are still stored),
    2 for a usage error, 130 when interrupted (finished results are kept; rerun to continue).
    """
    from analyzer.batch.runner import BatchOptions

    try:
        options = BatchOptions(group=group, out=out, force=force, retry_failed=retry_failed, keep_audio=keep_audio,
                               date=o.check_date(meeting_day))
        config = o.build_config(config_file, num_speakers, min_speakers, max_speakers, device, asr_model,
                                language, attendees)
        code = _run_batch(inputs, recursive, config, options, engine=engine, workers=workers,
                          ray_address=ray_address, ship_audio=ship_audio, dry_run=dry_run,
                          report_path=report_path, db=db, cpus_per_worker=cpus_per_worker)
    except AnalyzerError as exc:
        raise fail(exc) from None
    raise typer.Exit(code)


def _run_batch(inputs, recursive, config, options, *, engine, workers, ray_address, ship_audio, dry_run,
               report_path, db, cpus_per_worker=None) -> int:
    from analyzer.batch.discovery import discover
    from analyzer.batch.display import BatchProgress
    from analyzer.batch.engines import build_engine
    from analyzer.batch.ledger import FailureLedger, ledger_path
    from analyzer.batch.report import BatchReport, FileReport
    from analyzer.batch.runner import BatchAborted, BatchRunner
    from analyzer.storage import SessionStore

    runner_engine = build_engine(engine, config, workers=workers, ray_address=ray_address,
                                 ship_audio=ship_audio, cpus_per_worker=cpus_per_worker, factory=_factory())
    with err_console.status("finding recordings…"):
        discovery = discover(inputs, recursive=recursive)
    for folder in discovery.descended:
        err_console.print(f"{folder}: no audio file at its top level, so its sub-folders were searched too",
                          highlight=False)
    workers_shown = getattr(runner_engine, "workers", 0) or 0
    try:
        with SessionStore(db) as store:
            runner = BatchRunner(store, FailureLedger(ledger_path(store.url)), config, options)
            plan = runner.plan(discovery)
            if dry_run:
                print_plan(plan, runner_engine, len(discovery.ignored))
                return 0
            _announce(plan, runner_engine, len(discovery.ignored))
            with BatchProgress(plan, err_console, enabled=err_console.is_terminal) as progress:
                report = runner.run(plan, runner_engine, progress, workers=workers_shown)
    except BatchAborted as exc:  # the engine gave up: what was stored is kept, the report says so
        _finish_report(exc.report, report_path)
        raise exc.error from None
    except AnalyzerError as exc:  # before anything ran (the database): every file is still pending
        if not dry_run:
            files = [FileReport(str(item.path), duration=item.duration) for item in discovery.items]
            _finish_report(BatchReport(files, engine=runner_engine.name, workers=workers_shown,
                                       config_hash=config.config_hash(), aborted=str(exc)), report_path,
                           summary=False)
        raise
    _finish_report(report, report_path)
    if report.interrupted:
        err_console.print("interrupted: finished results are stored; run the same command again to continue")
        return 130
    return 1 if report.failed else 0


def _finish_report(report, report_path: Path | None, summary: bool = True) -> None:
    """Print the summary and write ``--report`` (in every outcome, an aborted batch included)."""
    from analyzer.batch.report import write_report

    if summary:
        print_summary(report)
    if report_path is not None:
        write_report(report, report_path)
        console.print(f"report: {report_path}", highlight=False)


def _factory() -> str:
    from analyzer.batch.tasks import DEFAULT_FACTORY

    return os.environ.get(FACTORY_ENV, "").strip() or DEFAULT_FACTORY


def _announce(plan, engine, ignored: int) -> None:
    workers = getattr(engine, "workers", None)
    err_console.print(f"{len(plan.files)} file(s): {len(plan.tasks)} to analyse "
                      f"({plan.audio_seconds / 60:.1f} min of audio), {_count(plan, 'skipped')} already stored, "
                      f"{_count(plan, 'failed')} failing; engine {engine.name}"
                      f"{f' × {workers} worker(s)' if workers else ''}"
                      f"{f'; {ignored} other file(s) ignored' if ignored else ''}", highlight=False)


def _count(plan, status: str) -> int:
    return sum(1 for f in plan.files if f.status == status)


def print_plan(plan, engine, ignored: int) -> None:
    """The dry run: what each file would get."""
    table = Table(title="batch plan (dry run)")
    for column in ("file", "action", "duration", "note"):
        table.add_column(column, justify="right" if column == "duration" else "left", overflow="fold")
    to_analyse = {task.index for task in plan.tasks}
    for index, report in enumerate(plan.files):
        action = "analyse" if index in to_analyse else ("skip" if report.status == "skipped" else "fail")
        note = _reason(report)
        if report.session_id is not None:
            note = f"{note} (session {report.session_id})".strip()
        table.add_row(report.path, action, f"{report.duration:.1f} s" if report.duration else "", note)
    console.print(table)
    _announce(plan, engine, ignored)


def print_summary(report) -> None:
    """One row per file (status, time, real-time factor, session) and the totals."""
    table = Table(title=f"batch: {report.count('ok')} ok, {report.count('skipped')} skipped, "
                        f"{report.count('failed')} failed"
                        + (f", {report.count('pending')} not reached" if report.count("pending") else ""))
    for column in ("file", "status", "time", "RTF", "session", "meeting date", "error / note"):
        table.add_column(column, justify="right" if column in ("time", "RTF", "session") else "left",
                         overflow="fold")
    styles = {"ok": "green", "skipped": "cyan", "failed": "red", "pending": "yellow"}
    for f in report.files:
        table.add_row(f.path, f"[{styles[f.status]}]{f.status}[/]",
                      f"{f.seconds:.1f} s" if f.seconds is not None else "",
                      f"{f.rtf:.2f}" if f.rtf is not None else "",
                      str(f.session_id) if f.session_id is not None else "", f.meeting_date or "", _reason(f))
    console.print(table)
    rate = report.files_per_hour()
    console.print(f"wall time {report.wall_seconds:.1f} s"
                  + (f" (worker start-up {report.startup_seconds:.1f} s)" if report.startup_seconds else "")
                  + (f", {rate:.0f} files/hour" if rate else ""), highlight=False)


def _reason(report) -> str:
    """The error without the path the row already shows, or the note."""
    text = report.error.removeprefix(f"{report.path}: ") if report.error else (report.note or "")
    if report.retries:
        times = "once" if len(report.retries) == 1 else f"{len(report.retries)} times"
        text = f"{text}{'; ' if text else ''}retried {times} ({report.retries[-1]})"
    return text


def bench_batch_command(
    folder: Annotated[Path, typer.Argument(help="Folder of recordings to time (all of them, each setup).")],
    recursive: Recursive = False,
    config_file: o.ConfigFile = None, num_speakers: o.NumSpeakers = None, device: o.Device = "cpu",
    asr_model: o.AsrModel = None, ray_address: RayAddress = None, workers: Workers = None,
    cpus_per_worker: CpusPerWorker = None, setups: Setups = None,
) -> None:
    """Files per hour with 1 and 2 local workers and the Ray engine (2 actors), on the same files, in one run.

    With --ray-address, the same batch runs on that cluster too (--workers actors, default: as many
    as its nodes hold, of --cpus-per-worker CPUs each), as one more row of the same table. --setups
    chooses the rows; the first is the baseline that the "× baseline" column divides by.
    """
    from analyzer.batch.bench import bench_batch, parse_setups
    from analyzer.batch.discovery import discover

    try:
        config = o.build_config(config_file, num_speakers, device=device, asr_model=asr_model)
        chosen = parse_setups(setups, ray_address, workers)
        discovery = discover([folder], recursive=recursive)
        if not discovery.recordings:
            raise AnalyzerError(f"{folder}: no recordings found; give a folder with audio files")
        rows = bench_batch(discovery, config, setups=chosen, factory=_factory(), observe=_observe,
                           ray_address=ray_address, cluster_workers=workers, cpus_per_worker=cpus_per_worker)
    except AnalyzerError as exc:
        raise fail(exc) from None
    print_bench(rows, len(discovery.recordings))


@contextmanager
def _observe(label: str, plan):
    from analyzer.batch.display import BatchProgress

    err_console.print(f"[bold]{label}[/bold]: {len(plan.tasks)} file(s)")
    with BatchProgress(plan, err_console, enabled=err_console.is_terminal) as progress:
        yield progress


def print_bench(rows, files: int) -> None:
    """The bench table: one row per setup, files per hour also as a ratio to the first (the baseline)."""
    from analyzer.evaluation.bench import machine_description

    load = f"; load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    console.print(f"machine: {machine_description()}{load}", highlight=False, markup=False)
    table = Table(title=f"batch throughput: {files} file(s); baseline: the first row")
    for column in ("engine", "workers", "files ok", "failed", "wall", "start-up", "files/hour", "× baseline",
                   "audio h / wall h", "worker RSS", "store / file", "store max"):
        table.add_column(column, justify="left" if column == "engine" else "right")
    for r in rows:
        ratio = r.ratio_to(rows[0])
        table.add_row(r.engine, str(r.workers), str(r.files), str(r.failed), f"{r.wall_seconds:.1f} s",
                      f"{r.startup_seconds:.1f} s" if r.startup_seconds else "", f"{r.files_per_hour:.0f}",
                      f"{ratio:.2f}" if ratio is not None else "",
                      f"{r.audio_speed:.2f}", f"{r.worker_rss / 2**30:.2f} GiB" if r.worker_rss else "",
                      _ms(r.store_seconds), _ms(r.store_max_seconds))
    console.print(table)


def _ms(seconds: float | None) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds is not None else ""
