"""The Ray engine: actors that each hold loaded models analyse files; the driver is the single writer.

The driver (this process) hands one file at a time to each idle actor, gathers stage updates
from a small progress actor, and yields outcomes to the batch runner, which alone stores
results. It starts a local Ray for the job, or joins an existing cluster (``address``).
Actors read the audio from the path they are given, so on a cluster the files must be on
storage every node mounts at the same path, or be shipped through the object store
(``ship_audio``). See docs/scale-out.md.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from analyzer.batch.tasks import DEFAULT_FACTORY, BatchTask, Event, FileOutcome, FileStarted, StageUpdate
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import AnalyzerError, ConfigError, ModelError

WAIT_INTERVAL_S = 0.25
READY_TIMEOUT_S = 600.0  # actors waiting for a node (autoscaling) or loading models
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024  # results are small; leave the memory to the models
AUTH_MODE_ENV = "RAY_AUTH_MODE"
AUTH_TOKEN_ENV = "RAY_AUTH_TOKEN"
AUTH_TOKEN_PATH_ENV = "RAY_AUTH_TOKEN_PATH"


class AnalyzerActor:
    """Holds one analyzer (models loaded once) and analyses the files it is sent."""

    def __init__(self, factory: str, config: AnalysisConfig, worker: str, board) -> None:
        from analyzer.batch.tasks import load_factory

        self.worker, self.board = worker, board
        self.load_error: str | None = None
        try:
            self.analyzer = load_factory(factory)(config)
        except AnalyzerError as exc:  # reported by ready(), so the driver shows the real message
            self.load_error = str(exc)
        except Exception as exc:  # noqa: BLE001
            self.load_error = f"{type(exc).__name__}: {_first_line(exc)}"

    def ready(self) -> str | None:
        """None when the models are loaded, else why they could not be."""
        return self.load_error

    def analyze(self, task: BatchTask, audio: bytes | None = None, shown_path: str | None = None) -> FileOutcome:
        """Analyse ``task.path`` (absolute), or the shipped ``audio`` bytes written to a temporary file.

        Results and errors name ``shown_path``, the path as the user gave it on the driver.
        """
        from analyzer.batch.tasks import analyze_task

        def send(update: StageUpdate) -> None:
            self.board.report.remote(update)

        shown_path = shown_path or task.path
        if audio is None:
            return _renamed(analyze_task(self.analyzer, task, self.worker, send), task.path, shown_path)
        with tempfile.TemporaryDirectory(prefix="floorshare-") as folder:
            local = Path(folder) / Path(task.path).name
            local.write_bytes(audio)
            outcome = analyze_task(self.analyzer, replace(task, path=str(local)), self.worker, send)
        return _renamed(outcome, str(local), shown_path)


def _renamed(outcome: FileOutcome, used: str, shown: str) -> FileOutcome:
    """Put the driver's path back into a result or an error message."""
    if used == shown:
        return outcome
    if outcome.result is not None:
        recording = replace(outcome.result.recording, path=shown)
        return replace(outcome, result=replace(outcome.result, recording=recording))
    return replace(outcome, error=(outcome.error or "").replace(used, shown))


class ProgressBoard:
    """Collects stage updates from the actors until the driver drains them."""

    def __init__(self) -> None:
        self.updates: list[StageUpdate] = []

    def report(self, update: StageUpdate) -> None:
        self.updates.append(update)

    def drain(self) -> list[StageUpdate]:
        updates, self.updates = self.updates, []
        return updates


class RayEngine:
    """Analyse files with Ray actors.

    Args:
        config: the analysis settings.
        workers: number of actors; None: as many as the cluster's CPUs (or GPUs) allow.
        threads: CPUs reserved by each actor (and its torch/CTranslate2 threads).
        address: an existing cluster (``ray://host:10001`` or ``host:6379``); None starts a local Ray.
        num_cpus: CPUs of the local Ray (ignored with ``address``).
        gpus_per_worker: GPUs per actor when the device is CUDA (may be fractional).
        ship_audio: send each file's bytes through the object store (no shared storage needed).
        factory: ``"module:function"`` that builds an analyzer in each actor.
    """

    name = "ray"

    def __init__(self, config: AnalysisConfig, workers: int | None, threads: int, *,
                 address: str | None = None, num_cpus: int | None = None, gpus_per_worker: float = 1.0,
                 ship_audio: bool = False, factory: str = DEFAULT_FACTORY) -> None:
        self.config, self.workers, self.threads = config, workers, max(1, threads)
        self.address, self.num_cpus, self.gpus_per_worker = address, num_cpus, gpus_per_worker
        self.ship_audio, self.factory = ship_audio, factory
        self.startup_seconds: float | None = None

    def run(self, tasks: list[BatchTask]) -> Iterator[Event]:
        """Yield stage updates and one :class:`FileOutcome` per task, in completion order.

        Raises:
            ConfigError: the cluster cannot be reached or refuses the connection.
            ModelError: the actors cannot load the models.
        """
        if not tasks:
            return
        import ray

        begun = time.perf_counter()
        started_here = connect(self.address, self.num_cpus)
        try:
            yield from self._run_connected(ray, tasks, begun)
        finally:
            if started_here:
                ray.shutdown()

    def _run_connected(self, ray, tasks: list[BatchTask], begun: float) -> Iterator[Event]:
        from ray.exceptions import RayActorError, RayError

        board = ray.remote(num_cpus=0)(ProgressBoard).remote()
        count = min(len(tasks), self.workers or self._cluster_workers(ray))
        actors = {f"r{n + 1}": self._actor(ray, f"r{n + 1}", board) for n in range(count)}
        self._wait_ready(ray, actors)
        self.startup_seconds = time.perf_counter() - begun
        pending, running = list(reversed(tasks)), {}
        try:
            yield from self._submit_idle(ray, actors, pending, running)
            while running:
                done, _ = ray.wait(list(running), num_returns=1, timeout=WAIT_INTERVAL_S)
                yield from ray.get(board.drain.remote())
                for ref in done:
                    name, task, submitted = running.pop(ref)
                    try:
                        yield ray.get(ref)
                    except RayActorError as exc:
                        yield _died(task, name, submitted, exc)
                        actors[name] = self._actor(ray, name, board)
                        self._wait_ready(ray, {name: actors[name]})
                    except RayError as exc:
                        yield _died(task, name, submitted, exc)
                yield from self._submit_idle(ray, actors, pending, running)
        finally:
            for actor in actors.values():
                ray.kill(actor)
            ray.kill(board)

    def _actor(self, ray, name: str, board):
        gpus = self.gpus_per_worker if self.config.device == "cuda" else 0
        remote_class = ray.remote(num_cpus=self.threads, num_gpus=gpus, max_restarts=0)(AnalyzerActor)
        env = {"env_vars": {name: str(self.threads) for name in
                            ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}}
        return remote_class.options(runtime_env=env).remote(self.factory, self.config, name, board)

    def _cluster_workers(self, ray) -> int:
        resources = ray.cluster_resources()
        if self.config.device == "cuda":
            return max(1, int(resources.get("GPU", 0) // max(self.gpus_per_worker, 1e-6)))
        return max(1, int(resources.get("CPU", 1) // self.threads))

    @staticmethod
    def _wait_ready(ray, actors: dict, timeout: float = READY_TIMEOUT_S) -> None:
        """Wait for actors to load their models; drop (kill) those not placed in time.

        Raises:
            ModelError: an actor failed to load the models, or none became ready.
        """
        from ray.exceptions import RayError

        refs = {actor.ready.remote(): name for name, actor in actors.items()}
        ready, late = ray.wait(list(refs), num_returns=len(refs), timeout=timeout)
        try:
            errors = [error for error in ray.get(ready) if error]
        except RayError as exc:
            errors = [_first_line(exc)]
        if errors:
            raise ModelError(f"Ray workers could not load the models ({errors[0]}); run `floorshare models "
                             "verify` on every node and check each has ~2.5 GB free per actor")
        if not ready:
            raise ModelError(f"no Ray worker started within {timeout:.0f} s: the cluster has no room for an "
                             "actor (2 CPUs and ~2.5 GB each, 1 GPU with --device cuda); add nodes or "
                             "lower --workers")
        for ref in late:
            ray.kill(actors.pop(refs[ref]))

    def _submit_idle(self, ray, actors: dict, pending: list[BatchTask], running: dict) -> Iterator[Event]:
        busy = {name for name, _, _ in running.values()}
        for name, actor in actors.items():
            if name in busy or not pending:
                continue
            task = pending.pop()
            audio = Path(task.path).read_bytes() if self.ship_audio else None
            absolute = replace(task, path=str(Path(task.path).absolute()))  # actors may run elsewhere
            running[actor.analyze.remote(absolute, audio, task.path)] = (name, task, time.perf_counter())
            yield FileStarted(name, task.index)


def connect(address: str | None, num_cpus: int | None) -> bool:
    """Join ``address`` or start a local Ray for this job; return True when started here.

    A local Ray gets a fresh random token (token authentication stays on, nothing is written to
    ``~/.ray``). For a cluster, the token comes from ``RAY_AUTH_TOKEN``, ``RAY_AUTH_TOKEN_PATH``
    or ``~/.ray/auth_token`` when the cluster uses token authentication.

    Raises:
        ConfigError: Ray cannot start or the cluster refuses the connection.
    """
    import ray

    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING,
             "configure_logging": True}
    try:
        if address:
            _use_cluster_token()
            ray.init(address=address, **quiet)
            return True
        _use_job_token()
        ray.init(num_cpus=num_cpus, object_store_memory=LOCAL_OBJECT_STORE_BYTES, **quiet)
        return True
    except AnalyzerError:
        raise
    except Exception as exc:  # noqa: BLE001 - Ray raises many types; each becomes one line
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        hint = ("set RAY_AUTH_TOKEN (from `ray get-auth-token` on the head node) or RAY_AUTH_MODE=disabled "
                "if the cluster has no token authentication" if "auth" in str(exc).lower()
                else "check the address and that the cluster runs the same Ray and Python versions")
        raise ConfigError(f"cannot connect to {where} ({type(exc).__name__}: {_first_line(exc)}); {hint}") \
            from None


def _use_job_token() -> None:
    """Keep Ray's token authentication on for the job's own cluster, with a token that lives in memory."""
    if os.environ.get(AUTH_MODE_ENV) is not None:
        return  # the user chose: respect it
    os.environ[AUTH_MODE_ENV] = "token"
    if not os.environ.get(AUTH_TOKEN_ENV) and not os.environ.get(AUTH_TOKEN_PATH_ENV):
        os.environ[AUTH_TOKEN_ENV] = secrets.token_hex(32)
    _reload_ray_auth_settings()


def _use_cluster_token() -> None:
    """Ray enables token mode for an explicit address only when told; do it when a token is at hand."""
    if os.environ.get(AUTH_MODE_ENV) is not None:
        return
    default_token = Path.home() / ".ray" / "auth_token"
    if os.environ.get(AUTH_TOKEN_ENV) or os.environ.get(AUTH_TOKEN_PATH_ENV) or default_token.exists():
        os.environ[AUTH_MODE_ENV] = "token"
        _reload_ray_auth_settings()


def _reload_ray_auth_settings() -> None:
    """Ray caches its settings at import; make this process see the variables set above (as Ray itself does)."""
    try:
        from ray._raylet import AuthenticationTokenLoader, Config
    except ImportError:  # Ray without token authentication: nothing cached
        return
    Config.initialize("")
    AuthenticationTokenLoader.instance().reset_cache()


def _died(task: BatchTask, worker: str, submitted: float, exc: Exception) -> FileOutcome:
    return FileOutcome(task.index, worker, time.perf_counter() - submitted,
                       error=f"{task.path}: the Ray worker failed while analysing it ({type(exc).__name__}: "
                             f"{_first_line(exc)}); retry with --retry-failed or analyse it alone")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
