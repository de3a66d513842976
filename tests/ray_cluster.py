"""A real Ray cluster on one machine, started the way users start one, for the cluster tests.

``ray start --head`` plus worker nodes joined with ``ray start --address``, each with its own
temporary folder and ports, token authentication on (a fresh token in the environment, nothing
written to ``~/.ray``), every node bound to 127.0.0.1. Each node runs ``ray start --block`` in
its own process group, so teardown stops exactly these processes (never ``ray stop``, which
would stop every Ray of the user on the machine), even when a test fails.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

START_TIMEOUT_S = 90.0
STOP_GRACE_S = 15.0
OBJECT_STORE_BYTES = 150 * 1024 * 1024  # results are small; shipped audio is a few MB
PORT_NAMES = ("node-manager-port", "object-manager-port", "dashboard-agent-listen-port",
              "dashboard-agent-grpc-port", "runtime-env-agent-port", "metrics-export-port")


def free_port() -> int:
    """A free port for one Ray component, handed out once per process (see ``_PORTS``)."""
    return _PORTS.take(1)


def ray_executable() -> str:
    found = Path(sys.executable).with_name("ray")
    return str(found) if found.exists() else (shutil.which("ray") or "ray")


@dataclass
class Node:
    name: str
    temp_dir: Path
    process: subprocess.Popen
    log: Path

    def raylet(self) -> psutil.Process | None:
        """This node's raylet (a descendant of its ``ray start --block``)."""
        try:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                if child.name() == "raylet":
                    return child
        except psutil.Error:
            return None
        return None

    def busy_actors(self, method: str = "analyze") -> list[psutil.Process]:
        """Worker processes of this node running ``AnalyzerActor.<method>`` now (Ray sets the title);
        every analysis actor of the node when ``method`` is empty."""
        pattern = f"AnalyzerActor.{method}" if method else "AnalyzerActor"
        raylet, found = self.raylet(), []
        for process in raylet.children(recursive=True) if raylet else ():
            try:
                if pattern in " ".join(process.cmdline()):
                    found.append(process)
            except psutil.Error:
                continue
        return found


class LocalRayCluster:
    """``head_cpus`` on the head, then one worker node per entry of ``worker_cpus``."""

    def __init__(self, head_cpus: int = 1, worker_cpus: tuple[int, ...] = (1,),
                 node_env: dict[str, str] | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fsray-", dir="/tmp"))  # short: Ray's socket paths
        self.token = secrets.token_hex(32)
        self.port = free_port()
        self.head_cpus, self.worker_cpus = head_cpus, worker_cpus
        self.nodes: list[Node] = []
        self.node_env = dict(node_env or {})  # what the nodes' processes (and so the actors) see
        self._count = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """What every node and the driver need: the cluster's token."""
        return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": self.token, "RAY_USAGE_STATS_ENABLED": "0"}

    def __enter__(self) -> LocalRayCluster:
        _stop_on_sigterm()
        try:
            self._start_node(head=True, cpus=self.head_cpus)
            for cpus in self.worker_cpus:
                self.add_worker(cpus)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def add_worker(self, cpus: int = 1) -> Node:
        return self._start_node(head=False, cpus=cpus)

    def _start_node(self, *, head: bool, cpus: int) -> Node:
        self._count += 1
        name = "head" if head else f"worker{self._count - 1}"
        temp_dir = self.root / name
        temp_dir.mkdir()
        base = _PORTS.take(50)  # the node's worker processes
        args = [ray_executable(), "start", "--block", "--num-cpus", str(cpus), "--temp-dir", str(temp_dir),
                "--node-ip-address", "127.0.0.1", "--object-store-memory", str(OBJECT_STORE_BYTES),
                "--disable-usage-stats", "--min-worker-port", str(base), "--max-worker-port", str(base + 49)]
        for option in PORT_NAMES:
            args += [f"--{option}", str(free_port())]
        if head:
            args += ["--head", "--port", str(self.port), "--include-dashboard", "false",
                     "--ray-client-server-port", str(free_port())]
        else:
            args += ["--address", self.address]
        log = self.root / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")} | self.env | self.node_env
        with log.open("wb") as out:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env,
                                       start_new_session=True)
        node = Node(name, temp_dir, process, log)
        self.nodes.append(node)
        self._wait_started(node)
        return node

    def _wait_started(self, node: Node) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            text = node.log.read_text(errors="replace")
            if "Ray runtime started" in text and node.raylet() is not None:
                time.sleep(2.0 if node.name != "head" else 0.5)  # the raylet registers with the GCS
                return
            if node.process.poll() is not None:
                raise RuntimeError(f"`ray start` for {node.name} exited with {node.process.returncode}:\n{text[-3000:]}")
            time.sleep(0.3)
        raise RuntimeError(f"`ray start` for {node.name} did not start in {START_TIMEOUT_S:.0f} s:\n"
                           f"{node.log.read_text(errors='replace')[-3000:]}")

    def kill_raylet(self, node: Node) -> int:
        """SIGKILL the node's raylet, as when the machine is lost; returns its pid."""
        raylet = node.raylet()
        assert raylet is not None, f"{node.name} has no raylet"
        raylet.kill()
        return raylet.pid

    def stop(self) -> None:
        """Stop every process of this cluster (and only those), then remove its folders."""
        for node in reversed(self.nodes):
            _signal_group(node.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for node in self.nodes:
            try:
                node.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for node in self.nodes:
            _signal_group(node.process, signal.SIGKILL)
        groups = {node.process.pid for node in self.nodes}
        leftovers = _processes_under(self.root) + _processes_in_groups(groups)
        for process in leftovers:
            try:
                process.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(leftovers, timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def _stop_on_sigterm() -> None:
    """Turn SIGTERM (a CI or `timeout` stopping the run) into SystemExit, so teardown still runs."""
    import threading

    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)  # the node's own session (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass


def _processes_under(folder: Path) -> list[psutil.Process]:
    """Processes whose command line names ``folder`` (Ray passes each node's folders to its processes)."""
    marker, found = str(folder), []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if any(marker in part for part in process.info["cmdline"] or ()):
                found.append(process)
        except psutil.Error:
            continue
    return found


def _processes_in_groups(groups: set[int]) -> list[psutil.Process]:
    """Processes of the nodes' process groups still running (Ray workers rename themselves)."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) in groups:
                found.append(process)
        except (OSError, psutil.Error):
            continue
    return found


class _PortAllocator:
    """Ports for the test clusters, never handed out twice in this process and all below the kernel's
    ephemeral range: Ray itself, and every socket the OS binds with port 0, take ports from that range,
    so a port picked there (or a worker range overlapping it) can collide with a port another component
    of the same node already holds (Ray refuses to start: "worker_ports is trying to use a port number
    ... used by other components")."""

    def __init__(self) -> None:
        self.given: set[int] = set()
        low, _high = _ephemeral_range()
        self.low, self.high = 20000, max(20000 + 2000, min(low, 32768)) - 1

    def take(self, size: int) -> int:
        """The first of ``size`` consecutive ports, each free now and never given before."""
        for _ in range(200):
            base = random.randrange(self.low, self.high - size)
            block = range(base, base + size)
            if self.given.intersection(block) or not all(_bindable(port) for port in block):
                continue
            self.given.update(block)
            return base
        raise RuntimeError(f"no {size} free consecutive ports in {self.low}-{self.high} for a Ray test node")


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


_PORTS = _PortAllocator()
