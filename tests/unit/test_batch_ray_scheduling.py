"""The Ray engine's scheduling without a cluster: placement checks, lost nodes, retries, waiting.

``FakeRay`` stands in for the few Ray calls the engine makes (remote actors, wait/get/kill,
``ray.nodes()``); actors run the real :class:`AnalyzerActor` body with the fake models, and a
node can be "killed", which fails every call of the actors placed on it. The real Ray and a
real two-node cluster are exercised in tests/integration/test_ray_cluster.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ray.exceptions import RayError

import analyzer.batch.ray_engine as ray_engine
from analyzer.batch.placement import (
    ActorNeeds,
    NodeInfo,
    autoscaler_can_add_nodes,
    capacity,
    nodes_from_ray,
    unplaceable,
)
from analyzer.batch.ray_engine import MAX_ATTEMPTS, RayEngine, _Scheduler
from analyzer.batch.tasks import BatchTask, FileOutcome, FileRetried, FileStarted, Notice
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import ConfigError, ModelError
from tests.conftest import write_tone_wav

FACTORY = "tests.unit.test_batch_fakes:fake_analyzer"
GiB = 1024 ** 3


class FakeRef:
    def __init__(self, actor, method: str, args: tuple) -> None:
        self.actor, self.method, self.args = actor, method, args


class FakeMethod:
    def __init__(self, actor, method: str) -> None:
        self.actor, self.method = actor, method

    def remote(self, *args):
        ref = FakeRef(self.actor, self.method, args)
        self.actor.ray.calls.append(ref)
        return ref


class FakeActor:
    """An actor handle: placed on a node with free CPUs (or pending), running the real actor body."""

    def __init__(self, ray, cls, options: dict, args: tuple) -> None:
        self.ray, self.options, self.args, self.cls = ray, options, args, cls
        self.node: dict | None = None
        self.instance = None
        self.killed = False

    def __getattr__(self, method: str) -> FakeMethod:
        return FakeMethod(self, method)

    def try_place(self) -> bool:
        if self.node is not None:
            return True
        cpus = self.options.get("num_cpus", 0)
        for node in self.ray.node_list:
            if node["Alive"] and node["free"] >= cpus:
                node["free"] -= cpus
                self.node = node
                self.instance = self.cls(*self.args)
                self.instance.node, self.instance.node_id = f"10.0.0.{node['n']}/fake", node["NodeID"]
                return True
        return False


class FakeRemoteClass:
    def __init__(self, ray, cls, options: dict) -> None:
        self.ray, self.cls, self.opts = ray, cls, options

    def options(self, **options):
        return FakeRemoteClass(self.ray, self.cls, {**self.opts, **options})

    def remote(self, *args):
        actor = FakeActor(self.ray, self.cls, self.opts, args)
        self.ray.actors.append(actor)
        return actor


class FakeContext:
    def get_node_id(self) -> str:
        return "ab" * 28  # a Ray node id is 28 bytes


class FakeRay:
    """Nodes of ``cpus`` CPUs; ``die_on_analyze`` maps a node number to how many analyze calls it survives."""

    def __init__(self, *cpus: float, die_on_analyze: dict[int, int] | None = None) -> None:
        self.node_list = [{"NodeID": f"node-{n}", "NodeManagerAddress": f"10.0.0.{n}", "Alive": True, "n": n,
                           "Resources": {"CPU": float(c), "memory": 8.0 * GiB}, "free": float(c)}
                          for n, c in enumerate(cpus, start=1)]
        self.die_on_analyze = dict(die_on_analyze or {})
        self.actors: list[FakeActor] = []
        self.calls: list[FakeRef] = []
        self.analyzed: list[tuple[str, str]] = []  # (node id, file name) of every analyze call that ran

    def remote(self, cls=None, **options):
        if cls is not None:  # ray.remote(SomeClass)
            return FakeRemoteClass(self, cls, {})
        return lambda klass: FakeRemoteClass(self, klass, options)

    def get_runtime_context(self) -> FakeContext:
        return FakeContext()

    def nodes(self) -> list[dict]:
        return [{k: v for k, v in node.items() if k not in ("free", "n")} for node in self.node_list]

    def kill_node(self, number: int) -> None:
        node = self.node_list[number - 1]
        node["Alive"] = False

    def _ready(self, ref: FakeRef) -> bool:
        actor = ref.actor
        if actor.killed or (actor.node is not None and not actor.node["Alive"]):
            return True  # fails on get
        return actor.try_place()

    def wait(self, refs, num_returns=1, timeout=None):
        ready = [ref for ref in refs if self._ready(ref)][:num_returns]
        return ready, [ref for ref in refs if ref not in ready]

    def get(self, ref, timeout=None):
        actor = ref.actor
        if actor.cls.__name__ == "ProgressBoard":
            actor.try_place()
            return getattr(actor.instance, ref.method)(*ref.args)
        if actor.killed or actor.node is None or not actor.node["Alive"]:
            raise RayError("The actor died because its node has died.")
        if ref.method == "analyze":
            number = actor.node["n"]
            self.analyzed.append((actor.node["NodeID"], Path(ref.args[0].path).name))
            if number in self.die_on_analyze:
                if self.die_on_analyze[number] == 0:
                    self.kill_node(number)
                    raise RayError("The actor died because its node has died.")
                self.die_on_analyze[number] -= 1
        return getattr(actor.instance, ref.method)(*ref.args)

    def kill(self, actor) -> None:
        if not actor.killed and actor.node is not None and actor.node["Alive"]:
            actor.node["free"] += actor.options.get("num_cpus", 0)
        actor.killed = True


@pytest.fixture
def recordings(tmp_path: Path) -> list[BatchTask]:
    return [BatchTask(i, str(write_tone_wav(tmp_path / f"m{i}.wav", 2.0, freq=200 + 50 * i))) for i in range(4)]


@pytest.fixture(autouse=True)
def fast_checks(monkeypatch) -> None:
    monkeypatch.setattr(ray_engine, "NODE_CHECK_INTERVAL_S", 0.0)
    monkeypatch.setattr(ray_engine, "WAIT_INTERVAL_S", 0.0)
    monkeypatch.setattr(ray_engine, "cluster_autoscales", lambda ray: False)


def schedule(ray: FakeRay, tasks: list[BatchTask], workers: int | None = None, threads: int = 1) -> list:
    engine = RayEngine(AnalysisConfig(), workers, threads, address="head:6379", factory=FACTORY)
    return list(_Scheduler(engine, ray, tasks, 0.0).run())


def outcomes(events: list) -> dict[int, FileOutcome]:
    found: dict[int, FileOutcome] = {}
    for event in events:
        if isinstance(event, FileOutcome):
            assert event.index not in found, f"file {event.index} finished twice"
            found[event.index] = event
    return found


def test_placement_counts_actors_per_node_and_explains_when_none_fits() -> None:
    nodes = nodes_from_ray([
        {"NodeID": "a", "NodeManagerAddress": "10.0.0.1", "Alive": True, "Resources": {"CPU": 5.0, "memory": 6 * GiB}},
        {"NodeID": "b", "NodeManagerAddress": "10.0.0.2", "Alive": True, "Resources": {"CPU": 1.0, "memory": 9 * GiB}},
        {"NodeID": "c", "NodeManagerAddress": "10.0.0.3", "Alive": False, "Resources": {"CPU": 64.0, "memory": 1e12}}])
    two = ActorNeeds(cpus=2, memory=int(2.5 * GiB))
    assert capacity(nodes, two) == 2  # a: min(5 // 2, 6 // 2.5); b has 1 CPU; c is dead
    assert unplaceable(nodes, two) is None
    message = unplaceable(nodes, ActorNeeds(cpus=8, memory=int(2.5 * GiB)))
    assert message.startswith("no node of the Ray cluster can hold a worker, which needs 8 CPUs and 2.5 GiB")
    assert "10.0.0.1: 5 CPU, 6.0 GiB" in message and "10.0.0.3" not in message
    assert "1 GPU" in ActorNeeds(cpus=1, gpus=1).describe()
    assert unplaceable([NodeInfo("x", "h", {"CPU": 4.0})], ActorNeeds(cpus=1, gpus=1)) is not None


def test_an_autoscaler_is_told_apart_from_nodes_started_by_hand() -> None:
    by_hand = {"autoscaler_report": {"active_nodes": {"ray.head.default": 1, "node_0a1b": 1},
                                     "pending_launches": {}, "pending_nodes": [], "failed_nodes": [],
                                     "node_type_mapping": {"10.0.0.1": "ray.head.default"}}}
    launcher = {"autoscaler_report": {"active_nodes": {"head": 1}, "pending_launches": {},
                                      "node_type_mapping": {"10.0.0.1": "head"}}}
    assert not autoscaler_can_add_nodes(json.dumps(by_hand))
    assert autoscaler_can_add_nodes(json.dumps(launcher))
    assert autoscaler_can_add_nodes(json.dumps({"autoscaler_report": {"pending_launches": {"cpu": 2}}}))
    assert not autoscaler_can_add_nodes(None) and not autoscaler_can_add_nodes(b"not json")


def test_files_of_a_node_that_dies_are_retried_on_another_and_each_finishes_once(recordings) -> None:
    ray = FakeRay(1, 1, die_on_analyze={2: 0})  # node 2 dies during its first file
    events = schedule(ray, recordings)
    done = outcomes(events)
    assert sorted(done) == [0, 1, 2, 3] and all(o.result is not None for o in done.values())
    retried = [e for e in events if isinstance(e, FileRetried)]
    assert len(retried) == 1 and "its node died" in retried[0].reason and "10.0.0.2" in retried[0].reason
    lost_file = Path(recordings[retried[0].index].path).name
    assert ("node-2", lost_file) in ray.analyzed and ("node-1", lost_file) in ray.analyzed
    assert {o.node for o in done.values()} == {"10.0.0.1/fake"}
    assert all(actor.killed for actor in ray.actors)  # the pool (and the unplaced replacement) is gone


def test_a_file_whose_worker_is_always_lost_fails_after_the_last_attempt(recordings) -> None:
    ray = FakeRay(1, 1, 1, 1, die_on_analyze={1: 0, 2: 0, 3: 0})
    events = schedule(ray, recordings[:1], workers=1)
    done = outcomes(events)
    assert len([e for e in events if isinstance(e, FileRetried)]) == MAX_ATTEMPTS - 1
    assert done[0].result is None and f"{MAX_ATTEMPTS} Ray workers were lost" in done[0].error
    assert not done[0].file_specific  # not remembered as a bad file: a rerun tries it again


def test_a_fixed_cluster_with_no_room_for_an_actor_stops_at_once(recordings) -> None:
    ray = FakeRay(1, 1)
    with pytest.raises(ConfigError) as caught:
        schedule(ray, recordings, threads=2)
    assert "needs 2 CPUs and 2.5 GiB" in str(caught.value) and "10.0.0.2: 1 CPU" in str(caught.value)
    assert "no autoscaler" in str(caught.value) and not ray.actors


def test_an_autoscaling_cluster_is_waited_for_with_notices(recordings, monkeypatch) -> None:
    monkeypatch.setattr(ray_engine, "cluster_autoscales", lambda ray: True)
    monkeypatch.setattr(ray_engine, "FIRST_NOTICE_S", 0.0)
    monkeypatch.setattr(ray_engine, "PLACEMENT_TIMEOUT_S", 0.2)
    events: list = []
    engine = RayEngine(AnalysisConfig(), 1, 2, address="head:6379", factory=FACTORY)
    with pytest.raises(ModelError) as caught:
        for event in _Scheduler(engine, FakeRay(1), recordings, 0.0).run():
            events.append(event)
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert notices and "waiting" in notices[0] and "autoscaler can add nodes" in notices[0]
    assert "no Ray worker found room within" in str(caught.value)


def test_losing_the_only_node_that_fits_stops_the_rest_with_a_clear_error(recordings) -> None:
    ray = FakeRay(0, 1, die_on_analyze={2: 0})  # a head of 0 CPUs (as recommended) and one worker node
    events: list = []
    with pytest.raises(ConfigError) as caught:
        for event in schedule_iter(ray, recordings):
            events.append(event)
    assert "no node left of the Ray cluster can hold a worker" in str(caught.value)
    assert any(isinstance(e, FileRetried) for e in events)
    assert [e for e in events if isinstance(e, FileStarted)]


def schedule_iter(ray: FakeRay, tasks: list[BatchTask]):
    engine = RayEngine(AnalysisConfig(), None, 1, address="head:6379", factory=FACTORY)
    return _Scheduler(engine, ray, tasks, 0.0).run()


def test_shipped_audio_that_the_driver_cannot_read_fails_only_that_file(recordings) -> None:
    missing = BatchTask(9, str(Path(recordings[0].path).with_name("gone.wav")))
    engine = RayEngine(AnalysisConfig(), 1, 1, address="head:6379", ship_audio=True, factory=FACTORY)
    done = outcomes(list(_Scheduler(engine, FakeRay(1), [missing, *recordings[:1]], 0.0).run()))
    assert done[9].error.startswith(f"{missing.path}: cannot be read on the driver")
    assert done[0].result is not None


def test_a_node_that_cannot_read_a_shared_path_fails_that_file_naming_the_node(recordings) -> None:
    missing = BatchTask(7, str(Path(recordings[0].path).with_name("not-mounted.wav")))
    done = outcomes(schedule(FakeRay(1), [missing, recordings[1]], workers=1))
    assert done[7].error.startswith(f"{missing.path}: cannot be read on the Ray node 10.0.0.1/fake (")
    assert "--ship-audio" in done[7].error and not done[7].file_specific
    assert done[1].result is not None


def test_a_node_that_reads_other_bytes_than_the_driver_hashed_fails_that_file_naming_the_node(recordings) -> None:
    from analyzer.adapters.audio import file_sha256

    first, second = (Path(task.path) for task in recordings[:2])
    driver_saw = BatchTask(0, str(first), sha256="0" * 64)  # the driver hashed other bytes at this path
    same = BatchTask(1, str(second), sha256=file_sha256(second))
    done = outcomes(schedule(FakeRay(1), [driver_saw, same], workers=1))
    error = done[0].error
    assert done[0].result is None and error.startswith(f"{first}: the file the Ray node 10.0.0.1/fake reads")
    assert "not the one the driver hashed (sha256 " in error and "000000000000… on the driver" in error
    assert "--ship-audio" in error and not done[0].file_specific  # set-up, not the file: a rerun tries again
    assert done[1].result is not None and done[1].result.recording.sha256 == same.sha256  # the batch went on
