"""``floorshare dashboard``: start the Streamlit dashboard headless and print its URL."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import typer

from analyzer.cli.commands import options as o
from analyzer.cli.commands.stored import fail
from analyzer.cli.console import console, err_console
from analyzer.core.errors import AnalyzerError

DB_ENV = "FLOORSHARE_DB"
STARTUP_TIMEOUT_S = 90.0
LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "::1")


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)


def dashboard(
    port: int = typer.Option(8501, "--port", "-p", min=1, max=65535, help="Port to listen on."),
    db: o.Db = None,
    address: str = typer.Option("localhost", "--address", help="Interface to listen on: localhost (only this "
                                "machine) or 0.0.0.0 to share it (set FLOORSHARE_DASHBOARD_PASSWORD then)."),
) -> None:
    """Open the dashboard: upload recordings, read session reports, follow a group's trends.

    Runs until Ctrl-C. Everything stays on this machine.
    """
    try:
        env = dashboard_env(db)
        check_port_free(address, port)
    except AnalyzerError as exc:
        raise fail(exc) from None
    process = subprocess.Popen(streamlit_command(port, address), env=env)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)  # `kill` stops Streamlit too, as Ctrl-C does
    try:
        if wait_until_healthy(process, port, address):
            url = f"http://{'localhost' if address in ('0.0.0.0', '::', *LOCAL_ADDRESSES) else address}:{port}"
            console.print(f"Floorshare dashboard: [bold]{url}[/bold]  (Ctrl-C to stop)", highlight=False)
        code = process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        code = 0
    raise typer.Exit(code)


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def streamlit_command(port: int, address: str) -> list[str]:
    """The ``streamlit run`` command line; the privacy settings are passed, not only read from config."""
    app = dashboard_folder() / "streamlit_app.py"
    from dashboard.uploads import UPLOAD_LIMIT_MB

    return [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
            "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.maxUploadSize", str(UPLOAD_LIMIT_MB), "--client.toolbarMode", "viewer"]


def dashboard_folder() -> Path:
    """The ``dashboard`` package next to ``analyzer`` (project folder or site-packages), made importable."""
    folder = Path(__file__).resolve().parents[3] / "dashboard"
    if str(folder.parent) not in sys.path:
        sys.path.append(str(folder.parent))
    return folder


def dashboard_env(db: str | None) -> dict[str, str]:
    """The Streamlit process's environment: offline, no usage statistics, the database checked and set.

    Raises:
        StorageError: the database cannot be opened or upgraded (the message names it and the fix).
    """
    from analyzer.adapters.privacy import offline_env
    from analyzer.storage import SessionStore
    from analyzer.storage.engine import normalize_url

    env = offline_env(streamlit=True)
    if db:
        env[DB_ENV] = normalize_url(db)
    store = SessionStore(env.get(DB_ENV) or None)  # opens and migrates now, so errors show here
    store.close()
    return env


def check_port_free(address: str, port: int) -> None:
    """Raise a one-line error when another program already listens on ``port``."""
    host = "127.0.0.1" if address in LOCAL_ADDRESSES else address
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise AnalyzerError(f"port {port} on {address}: cannot listen there ({exc.strerror}); "
                                f"choose another with --port, e.g. --port {port + 1}") from None


def wait_until_healthy(process: subprocess.Popen, port: int, address: str,
                       timeout: float = STARTUP_TIMEOUT_S) -> bool:
    """Poll Streamlit's health endpoint until it answers (True) or the process ends (False)."""
    host = "127.0.0.1" if address in ("0.0.0.0", "::", *LOCAL_ADDRESSES) else address
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # local: never through a proxy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with opener.open(f"http://{host}:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    if process.poll() is None:
        err_console.print(f"the dashboard did not answer within {timeout:.0f} s; it may still be starting")
    return False
