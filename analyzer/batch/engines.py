"""Choosing and sizing an engine from the command line's options."""

from __future__ import annotations

from analyzer.batch.resources import available_cpus, default_workers, threads_per_worker
from analyzer.batch.tasks import DEFAULT_FACTORY
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import ConfigError

ENGINES = ("local", "ray")
CLUSTER_CPUS_PER_WORKER = 2  # an actor's default on a cluster (the local engine's minimum threads, too)


def build_engine(kind: str, config: AnalysisConfig, *, workers: int | None = None,
                 ray_address: str | None = None, ship_audio: bool = False, gpus_per_worker: float = 1.0,
                 cpus_per_worker: int | None = None, factory: str = DEFAULT_FACTORY):
    """A :class:`LocalEngine` or :class:`RayEngine` sized for this machine (or the cluster).

    Args:
        kind: ``local`` or ``ray``.
        workers: worker processes or actors; None picks a count from cores and memory
            (for a Ray cluster given by ``ray_address``: from the cluster's resources).
        cpus_per_worker: Ray only: CPUs (and threads) per actor; default 2 on a cluster,
            an even split of this machine's cores on a local Ray.

    Raises:
        ConfigError: an unknown engine, or Ray options with the local engine.
    """
    if kind not in ENGINES:
        raise ConfigError(f"--engine {kind!r}: choose local or ray")
    if kind == "local" and (ray_address or ship_audio or cpus_per_worker):
        raise ConfigError("--ray-address, --ship-audio and --cpus-per-worker need --engine ray")
    if cpus_per_worker is not None and cpus_per_worker < 1:
        raise ConfigError(f"--cpus-per-worker {cpus_per_worker}: give 1 or more")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: give 1 or more")
    if kind == "local":
        from analyzer.batch.local import LocalEngine

        count = workers or default_workers(config.device)
        return LocalEngine(config, count, threads_per_worker(count), factory=factory)
    from analyzer.batch.ray_engine import RayEngine

    if ray_address:  # the cluster decides how many actors fit, unless told
        return RayEngine(config, workers, threads=cpus_per_worker or CLUSTER_CPUS_PER_WORKER,
                         address=ray_address, ship_audio=ship_audio, gpus_per_worker=gpus_per_worker,
                         factory=factory)
    count = workers or default_workers(config.device)
    return RayEngine(config, count, cpus_per_worker or threads_per_worker(count), num_cpus=available_cpus(),
                     ship_audio=ship_audio, gpus_per_worker=gpus_per_worker, factory=factory)

