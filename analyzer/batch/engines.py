"""Choosing and sizing an engine from the command line's options."""

from __future__ import annotations

from analyzer.batch.resources import available_cpus, default_workers, threads_per_worker
from analyzer.batch.tasks import DEFAULT_FACTORY
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import ConfigError

ENGINES = ("local", "ray")


def build_engine(kind: str, config: AnalysisConfig, *, workers: int | None = None,
                 ray_address: str | None = None, ship_audio: bool = False, gpus_per_worker: float = 1.0,
                 factory: str = DEFAULT_FACTORY):
    """A :class:`LocalEngine` or :class:`RayEngine` sized for this machine (or the cluster).

    Args:
        kind: ``local`` or ``ray``.
        workers: worker processes or actors; None picks a count from cores and memory
            (for a Ray cluster given by ``ray_address``: from the cluster's resources).

    Raises:
        ConfigError: an unknown engine, or Ray options with the local engine.
    """
    if kind not in ENGINES:
        raise ConfigError(f"--engine {kind!r}: choose local or ray")
    if kind == "local" and (ray_address or ship_audio):
        raise ConfigError("--ray-address and --ship-audio need --engine ray")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: give 1 or more")
    if kind == "local":
        from analyzer.batch.local import LocalEngine

        count = workers or default_workers(config.device)
        return LocalEngine(config, count, threads_per_worker(count), factory=factory)
    from analyzer.batch.ray_engine import RayEngine

    if ray_address:  # the cluster decides how many actors fit, unless told
        return RayEngine(config, workers, threads=2, address=ray_address, ship_audio=ship_audio,
                         gpus_per_worker=gpus_per_worker, factory=factory)
    count = workers or default_workers(config.device)
    return RayEngine(config, count, threads_per_worker(count), num_cpus=available_cpus(),
                     ship_audio=ship_audio, gpus_per_worker=gpus_per_worker, factory=factory)

