"""``floorshare batch --engine ray --ray-address`` against a real two-node Ray cluster, with
PostgreSQL as the store: real models on the samples while the worker node is killed, audio on
a shared path and shipped from the driver, a file a node cannot read, a killed driver, and a
cluster with no room for an actor.

The cluster is started the way users start one (``ray start --head``, then ``ray start
--address`` for the second node; tests/ray_cluster.py), with nodes of 1 CPU and actors of 1 CPU
to fit the 2-core CI machine, and torn down by the fixture even when a test fails. PostgreSQL
is the server ``.ci/run`` starts (``FLOORSHARE_TEST_PG_URL``); each test gets a fresh database.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from analyzer.storage import SessionStore
from tests.bench_cluster import make_bench_folder
from tests.conftest import ROOT
from tests.integration.test_batch_engines import FACTORY, load_report, make_recordings
from tests.ray_cluster import LocalRayCluster
from tests.unit.test_batch_fakes import DELAY_ENV

pytestmark = pytest.mark.integration
PG_ENV = "FLOORSHARE_TEST_PG_URL"


FAKE_DELAY_S = 1.5  # seconds per file of the fake models; the nodes' environment is what actors see


@pytest.fixture(scope="module")
def cluster():
    """A head node and one worker node of 1 CPU each."""
    with LocalRayCluster(head_cpus=1, worker_cpus=(1,), node_env={DELAY_ENV: str(FAKE_DELAY_S)}) as started:
        yield started


@pytest.fixture
def worker_node(cluster):
    """The cluster's worker node, started again if an earlier test killed it."""
    alive = [node for node in cluster.nodes[1:] if node.raylet() is not None]
    return alive[0] if alive else cluster.add_worker(1)


@pytest.fixture
def pg_db():
    """A fresh PostgreSQL database on the server of FLOORSHARE_TEST_PG_URL, dropped afterwards."""
    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set (.ci/run sets it)")
    from analyzer.storage.engine import normalize_url

    admin_url = normalize_url(os.environ[PG_ENV])
    name = f"floorshare_ray_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def env_for(cluster, factory: str | None = FACTORY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")} | cluster.env
    env.update({"PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    env.pop("FLOORSHARE_BATCH_ANALYZER_FACTORY", None)
    if factory:
        env["FLOORSHARE_BATCH_ANALYZER_FACTORY"] = factory
    return env


def batch_args(cluster, folder: Path, db: str, report: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "analyzer", "batch", str(folder), "--engine", "ray", "--ray-address",
            cluster.address, "--cpus-per-worker", "1", "--db", db, "--report", str(report), *extra]


def run(args: list[str], env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def stored_shas(db: str) -> list[str]:
    with SessionStore(db) as store:
        return sorted(s.sha256 for s in store.list_sessions())


def test_a_fixed_cluster_without_room_for_an_actor_stops_at_once_with_a_report(cluster, tmp_path, pg_db) -> None:
    make_recordings(tmp_path / "in", 2)
    report = tmp_path / "report.json"
    args = batch_args(cluster, tmp_path / "in", pg_db, report)
    args.remove("--cpus-per-worker")
    args.remove("1")  # the default: 2 CPUs per actor, on nodes of 1 CPU
    began = time.monotonic()
    done = run(args, env_for(cluster), timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert time.monotonic() - began < 60  # at once, not after the 10-minute placement wait
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: no node of the Ray cluster can hold a worker, which needs 2 CPUs and 2.5 GiB")
    assert last.count(": 1 CPU, ") == 2 and "--cpus-per-worker" in last and "Traceback" not in done.stderr
    data = json.loads(report.read_text())
    assert data["aborted"] == last.removeprefix("error: ") and data["totals"]["pending"] == 2


def test_real_models_on_the_samples_survive_losing_the_worker_node(cluster, worker_node, tmp_path, pg_db) -> None:
    # Three files (the two samples and a copy of one with its own bytes): with two, the head's actor could
    # finish one and take the other before the worker node's actor had loaded its models (seen once, loaded).
    make_bench_folder(tmp_path / "in", 3)
    report = tmp_path / "report.json"
    process = subprocess.Popen(batch_args(cluster, tmp_path / "in", pg_db, report, "--workers", "2", "--device", "cpu"),
                               cwd=ROOT, env=env_for(cluster, factory=None), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 300
        while not worker_node.busy_actors() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        if not worker_node.busy_actors():
            if process.poll() is None:
                process.kill()
            output = process.communicate(timeout=30)[0]
            files = json.loads(report.read_text())["files"] if report.exists() else []
            pytest.fail(f"the worker node never analysed a file (batch exit code {process.returncode}; files on "
                        f"{[(f['worker'], f['node']) for f in files]}; {psutil.virtual_memory().available / 2**30:.1f} "
                        f"GiB available):\n{output[-4000:]}")
        # at once: the analysis of a 30 s sample takes only a few seconds on one core (the worker once
        # finished its file in the 3 s this test used to wait, and the node died with nothing to lose)
        cluster.kill_raylet(worker_node)
        output, _ = process.communicate(timeout=420)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output[-4000:]
    data = json.loads(report.read_text())
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert [f["status"] for f in files.values()] == ["ok"] * 3 and data["retried"] == 1
    retried = [f for f in files.values() if f["retries"]]
    assert len(retried) == 1 and "was lost" in retried[0]["retries"][0]
    head_nodes = {f["node"] for f in files.values()}
    assert len(head_nodes) == 1, "every file ends on the surviving head node"
    assert "goes to another worker" in output
    shas = stored_shas(pg_db)
    assert len(shas) == 3 and len(set(shas)) == 3  # each file stored exactly once
    with SessionStore(pg_db) as store:
        results = [store.load(s.id) for s in store.list_sessions()]
    assert all(r.turns and r.metrics is not None and len(r.diarization.speakers) >= 2 for r in results)


def test_audio_shipped_from_the_driver_and_a_file_a_node_cannot_read(cluster, worker_node, tmp_path,
                                                                     pg_db) -> None:
    folder = tmp_path / "in"
    make_recordings(folder, 3)
    shipped = tmp_path / "shipped.json"
    done = run(batch_args(cluster, folder, pg_db, shipped, "--ship-audio", "--workers", "2"), env_for(cluster))
    assert done.returncode == 0, done.stdout + done.stderr
    files = json.loads(shipped.read_text())["files"]
    assert [f["status"] for f in files] == ["ok"] * 3
    with SessionStore(pg_db) as store:
        assert {Path(s.title).name for s in store.list_sessions()} == {"m00", "m01", "m02"}

    # Shared path: a file that is gone by the time a node opens it fails alone, naming the node.
    write_extra = make_recordings(tmp_path / "shared", 3, seconds=2.5)  # not the content stored above
    gone = write_extra[-1].rename(write_extra[-1].with_name("zz-gone.wav"))
    report = tmp_path / "shared.json"
    process = subprocess.Popen(batch_args(cluster, tmp_path / "shared", pg_db, report, "--workers", "1"),
                               cwd=ROOT, env=env_for(cluster), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        for line in process.stdout:
            if "to analyse" in line:  # planned (hashed on the driver); the actor has not started yet
                gone.unlink()
                break
        output, _ = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, output
    entries = load_report(report)
    assert [entries[f"m0{i}.wav"]["status"] for i in range(2)] == ["ok", "ok"]
    error = entries["zz-gone.wav"]["error"]
    assert entries["zz-gone.wav"]["status"] == "failed"
    assert re.search(r"cannot be read on the Ray node \S+/[0-9a-f]{8} \(No such file", error), error
    assert "--ship-audio" in error


def test_a_killed_driver_loses_only_files_in_flight_and_a_rerun_finishes_the_rest(cluster, worker_node, tmp_path,
                                                                                  pg_db) -> None:
    folder = tmp_path / "in"
    make_recordings(folder, 6)
    SessionStore(pg_db).close()  # the schema, before polling it
    driver = subprocess.Popen(batch_args(cluster, folder, pg_db, tmp_path / "first.json", "--workers", "2"),
                              cwd=ROOT, env=env_for(cluster), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(stored_shas(pg_db)) < 2 and time.monotonic() < deadline and driver.poll() is None:
            time.sleep(0.3)
        driver.send_signal(signal.SIGKILL)
        driver.wait(10)
    finally:
        if driver.poll() is None:
            driver.kill()
    kept = len(stored_shas(pg_db))
    assert 2 <= kept < 6
    deadline = time.monotonic() + 60  # Ray ends the actors of a dead driver
    while any(node.busy_actors("") for node in cluster.nodes if node.raylet()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(node.busy_actors("") for node in cluster.nodes if node.raylet()), "actors outlived the driver"

    report = tmp_path / "rerun.json"
    rerun = run(batch_args(cluster, folder, pg_db, report, "--workers", "2"), env_for(cluster))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    statuses = [e["status"] for e in load_report(report).values()]
    assert statuses.count("skipped") == kept and statuses.count("ok") == 6 - kept
    shas = stored_shas(pg_db)
    assert len(shas) == 6 and len(set(shas)) == 6  # every file stored exactly once
