"""``floorshare bench-batch``: files per hour of the batch engines on the same files, in one run.

Each configuration runs the full batch path (workers, single writer, a fresh SQLite store in
a temporary folder), so the numbers include model loading and storing, as a user sees them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from analyzer.batch.discovery import Discovery
from analyzer.batch.engines import build_engine
from analyzer.batch.ledger import FailureLedger
from analyzer.batch.report import FAILED, OK
from analyzer.batch.runner import BatchOptions, BatchRunner
from analyzer.batch.tasks import DEFAULT_FACTORY
from analyzer.core.config import AnalysisConfig

DEFAULT_SETUPS = (("local", 1), ("local", 2), ("ray", 2))
CLUSTER = "ray cluster"  # the engine label of a setup run on the cluster given by ray_address


@dataclass(frozen=True, slots=True)
class BenchRow:
    """One engine configuration's run over the bench files."""

    engine: str
    workers: int
    files: int
    failed: int
    audio_seconds: float
    wall_seconds: float
    startup_seconds: float | None
    worker_rss: int | None  # peak resident bytes of one worker (local engine only)
    store_seconds: float | None = None  # the single writer's mean time to store one file

    @property
    def files_per_hour(self) -> float:
        return self.files * 3600.0 / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def audio_speed(self) -> float:
        """Hours of audio analysed per hour of wall-clock time."""
        return self.audio_seconds / self.wall_seconds if self.wall_seconds else 0.0


def bench_batch(discovery: Discovery, config: AnalysisConfig, *, setups=DEFAULT_SETUPS,
                factory: str = DEFAULT_FACTORY, observe=None, ray_address: str | None = None,
                cluster_workers: int | None = None, cpus_per_worker: int | None = None) -> list[BenchRow]:
    """Run the batch once per ``(engine, workers)`` setup on the same recordings.

    Args:
        observe: optional ``observe(label, plan) -> context manager observer`` for progress.
        ray_address: also run the Ray engine on this cluster (one more row, after the others),
            with ``cluster_workers`` actors (None: as many as its nodes hold) of ``cpus_per_worker``.
    """
    if ray_address:
        setups = (*setups, (CLUSTER, cluster_workers or 0))
    from analyzer.storage import SessionStore

    rows = []
    with tempfile.TemporaryDirectory(prefix="floorshare-bench-") as folder:
        for number, (kind, workers) in enumerate(setups):
            store = SessionStore(str(Path(folder) / f"bench-{number}.db"))
            try:
                runner = BatchRunner(store, FailureLedger(Path(folder) / f"bench-{number}.failures.json"),
                                     config, BatchOptions())
                plan = runner.plan(discovery)
                if kind == CLUSTER:
                    engine = build_engine("ray", config, workers=workers or None, ray_address=ray_address,
                                          cpus_per_worker=cpus_per_worker, factory=factory)
                else:
                    engine = build_engine(kind, config, workers=workers, factory=factory)
                if observe is None:
                    report = runner.run(plan, engine, workers=workers)
                else:
                    with observe(f"{kind} × {workers or 'auto'}", plan) as observer:
                        report = runner.run(plan, engine, observer, workers=workers)
            finally:
                store.close()
            analysed = [f for f in report.files if f.status == OK]
            rows.append(BenchRow(kind, getattr(engine, "actors_started", 0) or workers, len(analysed), report.count(FAILED),
                                 sum(f.duration for f in analysed), report.wall_seconds, report.startup_seconds,
                                 getattr(engine, "peak_worker_rss", None) or None,
                                 _mean([f.store_seconds for f in analysed if f.store_seconds is not None])))
    return rows


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
