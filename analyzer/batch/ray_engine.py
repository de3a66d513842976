"""The Ray engine: actors that each hold loaded models analyse files; the driver is the single writer.

The driver (this process) hands one file at a time to each ready actor, gathers stage updates
from a small progress actor, and yields outcomes to the batch runner, which alone stores
results. It starts a local Ray for the job, or joins an existing cluster (``address``).

Losing a node is expected on a cluster: an actor that is lost (its node died, its process was
killed, its result went with its node) gives its file back to the queue for another actor,
up to :data:`MAX_ATTEMPTS` times, and a replacement actor is started wherever Ray finds room.
A fixed-size cluster where no node can ever hold an actor stops the batch at once; only an
autoscaler that can add nodes is waited for, with a notice while it does. See docs/scale-out.md.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from analyzer.batch.placement import ActorNeeds, capacity, unplaceable
from analyzer.batch.ray_actor import AnalyzerActor, ProgressBoard, first_line
from analyzer.batch.ray_connect import cluster_autoscales, cluster_nodes, connect
from analyzer.batch.resources import WORKER_MEMORY_BYTES
from analyzer.batch.tasks import DEFAULT_FACTORY, BatchTask, Event, FileOutcome, FileRetried, FileStarted, Notice
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import ConfigError, ModelError

__all__ = ["AnalyzerActor", "ProgressBoard", "RayEngine", "connect"]

WAIT_INTERVAL_S = 0.25
NODE_CHECK_INTERVAL_S = 2.0  # how often the driver looks for dead nodes and room for actors
PLACEMENT_TIMEOUT_S = 600.0  # how long the batch waits for room for a first actor (autoscaling, busy nodes)
FIRST_NOTICE_S = 10.0
NOTICE_INTERVAL_S = 30.0
MAX_ATTEMPTS = 3  # a file whose actor is lost goes to another actor, up to this many tries in all
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass
class _Member:
    """One actor of the pool and what the driver knows of it."""

    name: str
    handle: object
    placed_ref: object | None  # where() until it answers: the actor was placed on a node
    ready_ref: object | None = None  # load() until the models are loaded
    node: str = ""
    node_id: str = ""
    created: float = field(default_factory=time.monotonic)

    @property
    def ready(self) -> bool:
        return self.placed_ref is None and self.ready_ref is None


@dataclass
class _Running:
    name: str
    task: BatchTask
    submitted: float


class RayEngine:
    """Analyse files with Ray actors.

    Args:
        config: the analysis settings.
        workers: number of actors; None: as many as the cluster's nodes hold.
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
        self.actors_started = 0  # the pool's size in the last run (the cluster decides without workers)
        self.peak_worker_rss = 0  # bytes: the largest resident memory one actor reached (asked at the end)

    @property
    def needs(self) -> ActorNeeds:
        """What one actor asks for: its CPUs, a GPU on CUDA, and (on a cluster) its memory."""
        gpus = self.gpus_per_worker if self.config.device == "cuda" else 0.0
        # On a local Ray the worker count already follows free memory (resources.default_workers).
        return ActorNeeds(cpus=self.threads, gpus=gpus, memory=WORKER_MEMORY_BYTES if self.address else 0)

    def run(self, tasks: list[BatchTask]) -> Iterator[Event]:
        """Yield stage updates, retries and one :class:`FileOutcome` per task, in completion order.

        Raises:
            ConfigError: the cluster cannot be reached, or no node of a fixed-size cluster can hold an actor.
            ModelError: the actors cannot load the models, or none found room in time.
        """
        if not tasks:
            return
        import ray

        begun = time.perf_counter()
        started_here = connect(self.address, self.num_cpus)
        try:
            yield from _Scheduler(self, ray, tasks, begun).run()
        finally:
            if started_here:
                ray.shutdown()


class _Scheduler:
    """One batch on a connected Ray: the actor pool, the queue and the files in flight."""

    def __init__(self, engine: RayEngine, ray, tasks: list[BatchTask], begun: float) -> None:
        from ray.exceptions import RayError

        self.engine, self.ray, self.begun, self.RayError = engine, ray, begun, RayError
        self.needs = engine.needs
        self.autoscaling = bool(engine.address) and cluster_autoscales(ray)
        self.pending: deque[BatchTask] = deque(tasks)
        self.running: dict[object, _Running] = {}
        self.members: dict[str, _Member] = {}
        self.attempts: dict[int, int] = {}
        self.numbered = 0
        self.board = None
        self.dead_nodes: set[str] = set()
        self.last_node_check = 0.0
        self.stalled_since: float | None = None
        self.last_notice = 0.0

    def run(self) -> Iterator[Event]:
        nodes = cluster_nodes(self.ray)
        problem = unplaceable(nodes, self.needs)
        if problem and not self.autoscaling:
            raise ConfigError(f"{problem}; it has no autoscaler that could add a bigger node, so the batch "
                              f"stops now: start nodes with more resources or lower --cpus-per-worker")
        count = min(len(self.pending), self.engine.workers or max(1, capacity(nodes, self.needs)))
        self.engine.actors_started = count
        self.replacements_left = 2 * count + 2
        self.board = self._board()
        for _ in range(count):
            self._start_member()
        try:
            while self.pending or self.running:
                yield from self._step()
        finally:
            self._record_peak_rss()
            for member in self.members.values():
                self._kill(member.handle)
            if self.board is not None:
                self._kill(self.board)

    # -- one turn of the loop ---------------------------------------------------------------

    def _step(self) -> Iterator[Event]:
        waiting = list(self.running) + [ref for m in self.members.values()
                                        for ref in (m.placed_ref, m.ready_ref) if ref is not None]
        done = self.ray.wait(waiting, num_returns=1, timeout=WAIT_INTERVAL_S)[0] if waiting else []
        if done:  # everything ready now, so no actor waits behind a busy one
            done = self.ray.wait(waiting, num_returns=len(waiting), timeout=0)[0]
        if not waiting:
            time.sleep(WAIT_INTERVAL_S)
        yield from self._drain_board()
        for ref in done:
            if ref in self.running:
                yield from self._collect(ref)
                continue
            member = next((m for m in self.members.values() if ref in (m.placed_ref, m.ready_ref)), None)
            if member is not None:  # else its actor was dropped meanwhile (lost with its node)
                self._member_answered(member, ref)
        yield from self._check_nodes()
        yield from self._submit_idle()
        yield from self._check_stalled()

    def _collect(self, ref) -> Iterator[Event]:
        run = self.running.pop(ref)
        try:
            outcome = self.ray.get(ref)
        except self.RayError as exc:
            yield from self._lost(run, exc)
            return
        member = self.members.get(run.name)
        yield replace(outcome, node=outcome.node or (member.node if member else None))

    def _member_answered(self, member: _Member, ref) -> None:
        try:
            answer = self.ray.get(ref)
        except self.RayError:  # the actor died before it was ready (its node went away)
            self._drop(member.name)
            return
        if member.placed_ref is not None and ref == member.placed_ref:
            member.node, member.node_id = answer
            member.placed_ref, member.ready_ref = None, member.handle.load.remote()
            return
        if answer:
            raise ModelError(f"Ray workers could not load the models ({answer}); run `floorshare models verify` "
                             f"on every node and check each has ~2.5 GB free per actor")
        member.ready_ref = None
        if self.engine.startup_seconds is None:
            self.engine.startup_seconds = time.perf_counter() - self.begun

    def _lost(self, failed: _Running, exc: Exception) -> Iterator[Event]:
        """An actor's call failed at the Ray level: its file goes back to the queue (bounded)."""
        name = failed.name
        member = self.members.get(name)
        where = f" on {member.node}" if member and member.node else ""
        node_gone = member is not None and member.node_id in self.dead_nodes
        reason = f"Ray worker {name}{where} was lost ({'its node died' if node_gone else _cause(exc)})"
        others = [ref for ref, run in self.running.items() if run.name == name]
        runs = [failed, *(self.running.pop(ref) for ref in others)]
        for run in runs:
            yield from self._requeue(run, reason)
        self._drop(name)

    def _requeue(self, run: _Running, reason: str) -> Iterator[Event]:
        task = run.task
        tries = self.attempts.get(task.index, 0) + 1
        self.attempts[task.index] = tries
        if tries < MAX_ATTEMPTS:
            self.pending.appendleft(task)
            yield FileRetried(task.index, run.name, reason)
            return
        yield FileOutcome(task.index, run.name, time.perf_counter() - run.submitted, file_specific=False,
                          error=f"{task.path}: {tries} Ray workers were lost while analysing it (last: {reason}); "
                                "run the batch again to retry it, or analyse it alone")

    def _drop(self, name: str) -> None:
        """Forget a lost actor and start a replacement wherever Ray finds room."""
        member = self.members.pop(name, None)
        if member is None:
            return
        self._kill(member.handle)
        if self.replacements_left > 0 and (self.pending or self.running):
            self.replacements_left -= 1
            self._start_member()

    def _check_nodes(self) -> Iterator[Event]:
        """Every few seconds: notice dead nodes (their actors are lost) and whether any node still fits one."""
        now = time.monotonic()
        if now - self.last_node_check < NODE_CHECK_INTERVAL_S:
            return
        self.last_node_check = now
        try:
            nodes = cluster_nodes(self.ray)
        except Exception:  # noqa: BLE001 - the GCS is briefly unreachable: look again next time
            return
        self.dead_nodes |= {node.node_id for node in nodes if not node.alive}
        for member in [m for m in self.members.values() if m.node_id and m.node_id in self.dead_nodes]:
            lost = [run for run in self.running.values() if run.name == member.name]
            reason = f"Ray worker {member.name} on {member.node} was lost (its node died)"
            for ref in [ref for ref, run in self.running.items() if run.name == member.name]:
                self.running.pop(ref)
            for run in lost:
                yield from self._requeue(run, reason)
            self._drop(member.name)
        if not self.autoscaling and not any(m.ready for m in self.members.values()):
            problem = unplaceable(nodes, self.needs)
            if problem and self.pending:
                raise ConfigError(f"{problem.replace('no node', 'no node left', 1)}; the cluster has no autoscaler, "
                                  "so the remaining files cannot be analysed: start a node and run the batch again")

    def _submit_idle(self) -> Iterator[Event]:
        busy = {run.name for run in self.running.values()}
        for member in list(self.members.values()):
            if not member.ready or member.name in busy or not self.pending:
                continue
            task = self.pending.popleft()
            audio = None
            if self.engine.ship_audio:
                try:
                    audio = Path(task.path).read_bytes()
                except OSError as exc:
                    yield FileOutcome(task.index, member.name, 0.0, file_specific=False,
                                      error=f"{task.path}: cannot be read on the driver to ship it "
                                            f"({exc.strerror}); check the file")
                    continue
            absolute = replace(task, path=str(Path(task.path).absolute()))  # actors may run elsewhere
            ref = member.handle.analyze.remote(absolute, audio, task.path)
            self.running[ref] = _Running(member.name, task, time.perf_counter())
            busy.add(member.name)
            yield FileStarted(member.name, task.index)

    def _check_stalled(self) -> Iterator[Event]:
        """No actor can take work: say what the batch waits for, and give up after a while."""
        if not self.pending or any(m.ready for m in self.members.values()):
            self.stalled_since = None
            return
        now = time.monotonic()
        self.stalled_since = self.stalled_since or now
        unplaced = sum(1 for m in self.members.values() if m.placed_ref is not None)
        if not self.members:
            raise ModelError("every Ray worker was lost and no replacement could start; check the cluster's "
                             "nodes (`ray status`) and run the batch again to finish the remaining files")
        waited = now - self.stalled_since
        if unplaced and waited >= FIRST_NOTICE_S and now - self.last_notice >= NOTICE_INTERVAL_S:
            self.last_notice = now
            why = ("the autoscaler can add nodes" if self.autoscaling
                   else "the nodes' resources are taken by other work")
            yield Notice(f"waiting {waited:.0f} s for room for {unplaced} Ray worker(s) ({self.needs.describe()} "
                         f"each): {why}; {len(self.pending)} file(s) queued")
        if unplaced and waited > PLACEMENT_TIMEOUT_S:
            raise ModelError(f"no Ray worker found room within {PLACEMENT_TIMEOUT_S:.0f} s (each needs "
                             f"{self.needs.describe()}); add nodes or lower --workers / --cpus-per-worker")

    # -- actors --------------------------------------------------------------------------------

    def _start_member(self) -> None:
        self.numbered += 1
        name = f"r{self.numbered}"
        engine = self.engine
        remote_class = self.ray.remote(max_restarts=0, max_task_retries=0)(AnalyzerActor)
        resources = self.needs.as_resources()
        options = {"num_cpus": resources.get("CPU", 0), "num_gpus": resources.get("GPU", 0),
                   "runtime_env": {"env_vars": {var: str(engine.threads) for var in THREAD_ENV_VARS}}}
        if "memory" in resources:
            options["memory"] = resources["memory"]
        handle = remote_class.options(**options).remote(engine.factory, engine.config, name, self.board)
        self.members[name] = _Member(name, handle, placed_ref=handle.where.remote())

    def _board(self):
        """The progress actor, kept on the driver's node (it must not go down with a worker node)."""
        options: dict = {"num_cpus": 0}
        try:
            from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

            here = self.ray.get_runtime_context().get_node_id()
            options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(here, soft=True)
        except Exception:  # noqa: BLE001 - Ray Client or an older Ray: anywhere will do
            pass
        return self.ray.remote(ProgressBoard).options(**options).remote()

    def _drain_board(self) -> Iterator[Event]:
        if self.board is None:
            return
        try:
            yield from self.ray.get(self.board.drain.remote(), timeout=10)
        except self.RayError:  # progress only: the batch goes on without stage updates
            self._kill(self.board)
            self.board = None

    def _record_peak_rss(self) -> None:
        """Ask each idle actor its peak memory, for `bench batch` (best effort, 5 s at most; not when
        the batch stops early with files in flight, so Ctrl-C is never held up)."""
        if self.running or self.pending:
            return
        try:
            asked = [m.handle.peak_rss.remote() for m in self.members.values() if m.ready]
            answered = self.ray.wait(asked, num_returns=len(asked), timeout=5)[0] if asked else []
        except Exception:  # noqa: BLE001 - a Ray that cannot be asked now: no figure
            return
        for ref in answered:
            try:
                self.engine.peak_worker_rss = max(self.engine.peak_worker_rss, int(self.ray.get(ref)))
            except Exception:  # noqa: BLE001 - an actor that is gone: no figure from it
                continue

    def _kill(self, handle) -> None:
        try:
            self.ray.kill(handle)
        except Exception:  # noqa: BLE001 - already gone with its node
            pass


def _cause(exc: Exception) -> str:
    """A short reason for a Ray-level failure, without Ray's multi-line explanation."""
    text = first_line(exc)
    lowered = str(exc).lower()
    if "node" in lowered and ("died" in lowered or "dead" in lowered):
        return "its node died"
    if "unavailable" in type(exc).__name__.lower():
        return "it became unreachable"
    if "out of memory" in lowered or "oom" in type(exc).__name__.lower():
        return "its node ran out of memory"
    if "worker" in lowered and ("died" in lowered or "exit" in lowered):
        return "its process died"
    return f"{type(exc).__name__}: {text}"
