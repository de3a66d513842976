"""Database fixtures: every ``db_url`` test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``FLOORSHARE_TEST_PG_URL`` (CI: ``.ci/run`` starts Debian's server).
Without it, a throwaway server is started here when ``initdb``/``pg_ctl`` exist; else the
PostgreSQL cases are skipped. Each test gets a fresh database.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))

PG_ENV = "FLOORSHARE_TEST_PG_URL"


def _pg_bin(tool: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    return found[-1] if found else shutil.which(tool)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="session")
def pg_admin_url():
    """A PostgreSQL URL whose user may create databases, or a skip."""
    if os.environ.get(PG_ENV):
        from analyzer.storage.engine import normalize_url

        yield normalize_url(os.environ[PG_ENV])
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip(f"no PostgreSQL: set {PG_ENV} or install postgresql (initdb, pg_ctl)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start a throwaway PostgreSQL")
    root = Path(tempfile.mkdtemp(prefix="floorshare-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    os.chmod(root, 0o755)
    try:
        subprocess.run(_as_server_user([initdb, "-D", str(data), "-U", "floorshare", "--auth=trust",
                                        "-E", "UTF8", "--no-sync"]), check=True, capture_output=True)
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-o",
                                        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
                                        "start"]), check=True, capture_output=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start a throwaway PostgreSQL ({exc})")
    yield f"postgresql+psycopg://floorshare@127.0.0.1:{port}/postgres"
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_admin_url):
    """A fresh, empty PostgreSQL database, dropped after the test."""
    name = f"floorshare_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'floorshare.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url, tmp_path):
    from analyzer.storage import SessionStore

    with SessionStore(db_url, audio_dir=tmp_path / "audio") as opened:
        yield opened
