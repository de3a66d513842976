"""`floorshare dashboard`: the Streamlit command line it builds, its environment and its errors."""

from __future__ import annotations

import socket
import tomllib

from typer.testing import CliRunner

from analyzer.cli.app import build_app
from analyzer.cli.commands import dashboard as command
from dashboard.uploads import UPLOAD_LIMIT_MB
from tests.conftest import ROOT


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_streamlit_runs_headless_private_and_with_the_upload_limit():
    args = command.streamlit_command(8600, "localhost")
    assert args[1:4] == ["-m", "streamlit", "run"] and args[4].endswith("dashboard/streamlit_app.py")
    assert option(args, "--server.port") == "8600" and option(args, "--server.address") == "localhost"
    assert option(args, "--server.headless") == "true"
    assert option(args, "--browser.gatherUsageStats") == "false"
    assert option(args, "--server.maxUploadSize") == str(UPLOAD_LIMIT_MB)


def test_the_project_config_says_the_same():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["headless"] is True and config["server"]["address"] == "localhost"
    assert config["server"]["maxUploadSize"] == UPLOAD_LIMIT_MB


def test_the_database_is_opened_first_and_passed_to_streamlit(tmp_path, monkeypatch):
    monkeypatch.delenv("FLOORSHARE_DB", raising=False)
    env = command.dashboard_env(str(tmp_path / "team.db"))
    assert env["FLOORSHARE_DB"] == f"sqlite:///{tmp_path / 'team.db'}"
    assert (tmp_path / "team.db").exists()  # created and migrated before Streamlit starts
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"
    assert env["HF_HUB_OFFLINE"] == "1"


def test_a_bad_database_is_one_line_and_exit_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(build_app(), ["dashboard", "--db", str(blocker / "x.db"), "--port", "8601"])
    assert result.exit_code == 1
    message = result.output.replace("\n", "")  # Rich wraps long lines at the terminal's width
    assert message.startswith("error: ") and message.count("error:") == 1 and "Traceback" not in message
    assert str(blocker) in message and "--db" in message


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(build_app(), ["dashboard", "--db", str(tmp_path / "x.db"),
                                                  "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on localhost: cannot listen there" in result.output
    assert "--port" in result.output and "Traceback" not in result.output
