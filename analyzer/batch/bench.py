"""``floorshare bench-batch``: files per hour of the batch engines on the same files, in one run.

Each configuration runs the full batch path (workers, single writer, a fresh SQLite store in
a temporary folder), so the numbers include model loading and storing, as a user sees them.
The first setup is the baseline: every row's files per hour is also given as a ratio to it.
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
from analyzer.core.errors import ConfigError

DEFAULT_SETUPS = (("local", 1), ("local", 2), ("ray", 2))
CLUSTER = "ray cluster"  # the engine label of a setup run on the cluster given by ray_address
SETUP_WORDS = {"local": "local", "ray": "ray", "cluster": CLUSTER}


def parse_setups(text: str | None, ray_address: str | None, cluster_workers: int | None = None):
    """``local:1,local:2,ray:2,cluster`` as ``(engine, workers)`` pairs, the first being the baseline.

    ``cluster`` (or ``cluster:N``) is the Ray engine on ``ray_address``; without ``N``, ``cluster_workers``
    actors (0: as many as its nodes hold). None gives the default setups, plus the cluster when an
    address is given.

    Raises:
        ConfigError: an unknown engine, a bad worker count, or ``cluster`` without an address.
    """
    if not text:
        return (*DEFAULT_SETUPS, (CLUSTER, cluster_workers or 0)) if ray_address else DEFAULT_SETUPS
    setups = []
    for item in (part.strip() for part in text.split(",")):
        word, _, count = item.partition(":")
        kind = SETUP_WORDS.get(word.strip().lower())
        if kind is None or (count and not count.strip().isdigit()) or (kind != CLUSTER and not count):
            raise ConfigError(f"--setups {text!r}: {item!r} is not ENGINE:WORKERS (local:2, ray:2) or cluster[:N]")
        workers = int(count) if count else (cluster_workers or 0)
        if kind != CLUSTER and workers < 1:
            raise ConfigError(f"--setups {text!r}: {item!r} needs 1 worker or more")
        if kind == CLUSTER and not ray_address:
            raise ConfigError(f"--setups {text!r}: the cluster setup needs --ray-address HEAD:6379")
        setups.append((kind, workers))
    return tuple(setups)


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
    worker_rss: int | None  # peak resident bytes of the largest worker or actor
    store_seconds: float | None = None  # the single writer's mean time to store one file
    store_max_seconds: float | None = None  # ... and its slowest

    @property
    def files_per_hour(self) -> float:
        return self.files * 3600.0 / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def audio_speed(self) -> float:
        """Hours of audio analysed per hour of wall-clock time."""
        return self.audio_seconds / self.wall_seconds if self.wall_seconds else 0.0

    def ratio_to(self, baseline: BenchRow) -> float | None:
        """This row's files per hour over the baseline's (None when the baseline analysed nothing)."""
        return self.files_per_hour / baseline.files_per_hour if baseline.files_per_hour else None


def bench_batch(discovery: Discovery, config: AnalysisConfig, *, setups=DEFAULT_SETUPS,
                factory: str = DEFAULT_FACTORY, observe=None, ray_address: str | None = None,
                cluster_workers: int | None = None, cpus_per_worker: int | None = None) -> list[BenchRow]:
    """Run the batch once per ``(engine, workers)`` setup on the same recordings (see :func:`parse_setups`).

    Args:
        observe: optional ``observe(label, plan) -> context manager observer`` for progress.
        ray_address: the cluster of the ``CLUSTER`` setups (``cpus_per_worker`` CPUs per actor); when
            ``setups`` has none, one more row after the others, with ``cluster_workers`` actors
            (None: as many as its nodes hold).
    """
    if ray_address and not any(kind == CLUSTER for kind, _ in setups):
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
                                 _mean(stores := [f.store_seconds for f in analysed if f.store_seconds is not None]),
                                 max(stores) if stores else None))
    return rows


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
