"""Nothing leaves the machine while analysing: sockets blocked, telemetry off, hub offline.

One full analysis of the bundled sample runs in a child process whose environment
asks for the opposite (telemetry on, hub online) and whose every network connection
and DNS lookup raises and is recorded. When unprivileged user namespaces exist
(``unshare -rn``), the child also runs in an empty network namespace (no interfaces
but loopback down), so even C-level sockets cannot reach anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.kernels import kernel_path

SAMPLE = SAMPLES / "pyannote-sample" / "sample.wav"
HOSTILE_ENV = {"PYANNOTE_METRICS_ENABLED": "1", "HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0",
               "HF_HUB_DISABLE_TELEMETRY": "0"}

GUARD = r'''
import json, os, socket, sys
attempts = []
def refuse(kind):
    def blocked(*args, **kwargs):
        attempts.append(f"{kind} {args[1:] if kind == 'connect' else args[:2]!r}")
        raise OSError(101, "network blocked by the Floorshare offline test")
    return blocked
real_connect = socket.socket.connect
def connect(self, address, *rest):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        return refuse("connect")(self, address)
    return real_connect(self, address, *rest)
socket.socket.connect = connect
socket.socket.connect_ex = connect
socket.getaddrinfo = refuse("getaddrinfo")
socket.create_connection = refuse("create_connection")
report_path, argv = sys.argv[1], sys.argv[2:]
code = 0
try:
    from analyzer.cli.app import main
    sys.argv = ["floorshare", *argv]
    main()
except SystemExit as exc:
    code = exc.code or 0
report = {"exit_code": code, "attempts": attempts}
import huggingface_hub.constants as hub
from pyannote.audio.telemetry.metrics import is_metrics_enabled
report.update(hub_offline=bool(hub.HF_HUB_OFFLINE), pyannote_metrics=is_metrics_enabled(),
              env={k: os.environ.get(k)
                   for k in ("PYANNOTE_METRICS_ENABLED", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")})
open(report_path, "w").write(json.dumps(report))
'''


def network_namespace_prefix() -> list[str]:
    """``unshare -rn`` when this machine lets an ordinary process make a network namespace."""
    if not shutil.which("unshare"):
        return []
    try:
        ok = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return ["unshare", "-rn"] if ok else []


def run_guarded(tmp: Path, argv: list[str], env_overrides: dict[str, str]) -> dict:
    guard = tmp / "guard.py"
    guard.write_text(GUARD)
    report = tmp / "report.json"
    env = {**os.environ, **env_overrides, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([*network_namespace_prefix(), sys.executable, str(guard), str(report), *argv],
                          env=env, cwd=tmp, capture_output=True, text=True, timeout=1800)
    assert report.exists(), proc.stderr[-3000:]
    data = json.loads(report.read_text())
    data["stderr"] = proc.stderr
    return data


@pytest.fixture(scope="module")
def offline_analysis(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("offline")
    data = run_guarded(tmp, ["analyze", str(SAMPLE), "--out", str(tmp / "out"), "--db", str(tmp / "db.sqlite"),
                             "--device", "cpu"], HOSTILE_ENV)
    data["out"] = tmp / "out"
    return data


@pytest.mark.integration
def test_full_analysis_succeeds_with_the_network_blocked(offline_analysis: dict) -> None:
    assert offline_analysis["exit_code"] == 0, offline_analysis["stderr"][-3000:]
    result = json.loads((offline_analysis["out"] / "sample" / "result.json").read_text())
    assert len(result["diarization"]["speakers"]) >= 2 and len(result["words"]) > 20, (
        f"{len(result['diarization']['speakers'])} speakers, {len(result['words'])} words ({kernel_path()})")


@pytest.mark.integration
def test_nothing_tried_to_connect(offline_analysis: dict) -> None:
    assert offline_analysis["attempts"] == []


@pytest.mark.integration
def test_pyannote_telemetry_off_during_analysis(offline_analysis: dict) -> None:
    assert offline_analysis["pyannote_metrics"] is False
    assert offline_analysis["env"]["PYANNOTE_METRICS_ENABLED"] == "0"


@pytest.mark.integration
def test_hub_offline_during_analysis(offline_analysis: dict) -> None:
    """Even when the user's environment says HF_HUB_OFFLINE=0, analysis never uses the hub."""
    assert offline_analysis["hub_offline"] is True
    assert offline_analysis["env"]["HF_HUB_OFFLINE"] == "1"


def test_importing_diarize_turns_pyannote_telemetry_off() -> None:
    code = ("import os; import analyzer.adapters.diarize; from pyannote.audio.telemetry.metrics import is_metrics_enabled; "
            "print(os.environ['PYANNOTE_METRICS_ENABLED'], is_metrics_enabled())")
    env = {**os.environ, "PYANNOTE_METRICS_ENABLED": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["0", "False"]


def test_enforce_offline_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from analyzer.adapters.privacy import OFFLINE_ENV, enforce_offline

    for key, value in HOSTILE_ENV.items():
        monkeypatch.setenv(key, value)
    import huggingface_hub.constants as hub

    monkeypatch.setattr(hub, "HF_HUB_OFFLINE", False)
    enforce_offline()
    assert {key: os.environ[key] for key in OFFLINE_ENV} == OFFLINE_ENV
    assert hub.HF_HUB_OFFLINE is True


def test_offline_env_for_child_processes() -> None:
    from analyzer.adapters.privacy import offline_env

    env = offline_env({"PATH": "/bin", "HF_HUB_OFFLINE": "0"}, streamlit=True)
    assert env["HF_HUB_OFFLINE"] == "1" and env["PYANNOTE_METRICS_ENABLED"] == "0"
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false" and env["PATH"] == "/bin"


def test_streamlit_usage_statistics_are_off() -> None:
    from analyzer.cli.commands.dashboard import streamlit_command

    command = streamlit_command(8501, "localhost")
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "localhost"
