"""What runs inside Ray: the analysis actor (models loaded once) and the progress board.

Kept apart from the driver's scheduling (:mod:`analyzer.batch.ray_engine`) so the actor's body
can be tested in-process, without Ray.
"""

from __future__ import annotations

import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from analyzer.batch.tasks import BatchTask, FileOutcome, StageUpdate
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import AnalyzerError

SHARED_STORAGE_HINT = ("put the audio on storage that every node mounts at the same path as the driver, "
                       "or give --ship-audio")


class AnalyzerActor:
    """Holds one analyzer (models loaded once by :meth:`load`) and analyses the files it is sent.

    The constructor only keeps its arguments, so the driver learns where the actor was placed
    (:meth:`where`) before the models load; Ray runs an actor's calls in order.
    """

    def __init__(self, factory: str, config: AnalysisConfig, worker: str, board) -> None:
        self.factory, self.config, self.worker, self.board = factory, config, worker, board
        self.analyzer = None
        self.node, self.node_id = _this_node()

    def where(self) -> tuple[str, str]:
        """(node label, Ray node id) of the node this actor runs on."""
        return self.node, self.node_id

    def peak_rss(self) -> int:
        """The largest resident memory (bytes) this actor's process has reached (models plus analyses)."""
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux KiB

    def load(self) -> str | None:
        """Load the models; None when loaded, else why they could not be (shown by the driver)."""
        from analyzer.batch.tasks import load_factory

        try:
            self.analyzer = load_factory(self.factory)(self.config)
        except AnalyzerError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the driver, which stops the batch
            return f"{type(exc).__name__}: {first_line(exc)}"
        return None

    def analyze(self, task: BatchTask, audio: bytes | None = None, shown_path: str | None = None) -> FileOutcome:
        """Analyse ``task.path`` (absolute), or the shipped ``audio`` bytes written to a temporary file.

        Results and errors name ``shown_path``, the path as the user gave it on the driver, and
        carry this node's label.
        """
        from analyzer.batch.tasks import analyze_task

        def send(update: StageUpdate) -> None:
            if self.board is not None:
                self.board.report.remote(update)

        if self.analyzer is None and (error := self.load()) is not None:
            return FileOutcome(task.index, self.worker, 0.0, error=error, file_specific=False, node=self.node)
        shown_path = shown_path or task.path
        if audio is None:
            unreadable = self._unreadable(task, shown_path)
            if unreadable is not None:
                return unreadable
            outcome = _renamed(analyze_task(self.analyzer, task, self.worker, send), task.path, shown_path)
        else:
            with tempfile.TemporaryDirectory(prefix="floorshare-") as folder:
                local = Path(folder) / Path(task.path).name
                local.write_bytes(audio)
                outcome = analyze_task(self.analyzer, replace(task, path=str(local)), self.worker, send)
            outcome = _renamed(outcome, str(local), shown_path)
        return replace(outcome, node=self.node)

    def _unreadable(self, task: BatchTask, shown_path: str) -> FileOutcome | None:
        """A shared-path file this node cannot open (not mounted here, no permission), or whose bytes are
        not the ones the driver hashed (other storage at the same path, or a file changed meanwhile), fails
        with where and what to do; neither is remembered as a bad file."""
        from analyzer.adapters.audio import file_sha256

        try:
            if task.sha256 is None:
                with open(task.path, "rb") as handle:
                    handle.read(1)
                return None
            digest = file_sha256(Path(task.path))
        except OSError as exc:
            return FileOutcome(task.index, self.worker, 0.0, node=self.node, file_specific=False,
                               error=f"{shown_path}: cannot be read on the Ray node {self.node} "
                                     f"({exc.strerror or type(exc).__name__}); {SHARED_STORAGE_HINT}")
        if digest != task.sha256:
            return FileOutcome(task.index, self.worker, 0.0, node=self.node, file_specific=False,
                               error=f"{shown_path}: the file the Ray node {self.node} reads at this path is not "
                                     f"the one the driver hashed (sha256 {digest[:12]}… there, "
                                     f"{task.sha256[:12]}… on the driver): the node sees other storage there, "
                                     f"or the file changed during the batch; {SHARED_STORAGE_HINT}")
        return None


class ProgressBoard:
    """Collects stage updates from the actors until the driver drains them."""

    def __init__(self) -> None:
        self.updates: list[StageUpdate] = []

    def report(self, update: StageUpdate) -> None:
        self.updates.append(update)

    def drain(self) -> list[StageUpdate]:
        updates, self.updates = self.updates, []
        return updates


def _renamed(outcome: FileOutcome, used: str, shown: str) -> FileOutcome:
    """Put the driver's path back into a result or an error message."""
    if used == shown:
        return outcome
    if outcome.result is not None:
        recording = replace(outcome.result.recording, path=shown)
        return replace(outcome, result=replace(outcome.result, recording=recording))
    return replace(outcome, error=(outcome.error or "").replace(used, shown))


def _this_node() -> tuple[str, str]:
    """This node's address and Ray node id (the host name and "" outside Ray)."""
    try:
        import ray

        if ray.is_initialized():
            context = ray.get_runtime_context()
            node_id = context.get_node_id()
            return f"{ray.util.get_node_ip_address()}/{node_id[:8]}", node_id
    except Exception:  # noqa: BLE001 - only a label
        pass
    return socket.gethostname(), ""


def first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
