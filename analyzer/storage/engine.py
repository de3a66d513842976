"""Where the database is, how to connect to it, and bringing its schema up to date.

The URL comes from the caller (``--db``), else ``$FLOORSHARE_DB``, else a SQLite
file in the user's data directory. A bare path is taken as a SQLite file.
SQLite connections get foreign keys, WAL, a busy timeout and ``BEGIN IMMEDIATE``
for writes, so several processes can write one file without losing results.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from analyzer.core.errors import StorageError

ENV_VAR = "FLOORSHARE_DB"
APP_NAME = "floorshare"
BUSY_TIMEOUT_MS = 30_000


def _user_data_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False).resolve()


def data_dir() -> Path:
    """The per-user data folder (created, or tightened, to mode 0700: owner only)."""
    from analyzer.adapters.privacy import ensure_private_dir

    return ensure_private_dir(_user_data_path())


def default_db_url() -> str:
    """``$FLOORSHARE_DB`` when set, else ``sqlite:///<user data dir>/floorshare.db``."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return normalize_url(env)
    return f"sqlite:///{data_dir() / 'floorshare.db'}"


def normalize_url(url: str) -> str:
    """Accept a SQLAlchemy URL or a path to a SQLite file; ``postgresql://`` uses psycopg 3."""
    url = url.strip()
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+]*://", url):
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with Floorshare's connection settings; errors name the URL and the fix."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"{url!r}: not a database URL; use sqlite:///PATH, a file path, "
                           "or postgresql://USER:PASSWORD@HOST/DB") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError) as exc:
        raise StorageError(f"{parsed.render_as_string(hide_password=True)}: cannot use this database "
                           f"({exc}); check the URL given by --db or {ENV_VAR}") from None


def _sqlite_engine(parsed) -> Engine:  # noqa: ANN001 - sqlalchemy URL
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().resolve().parent
        if folder == _user_data_path():
            _make_private_dir(folder)
        elif not folder.is_dir():
            raise StorageError(f"{folder}: the database folder does not exist; create it or give "
                               f"another --db / {ENV_VAR}")
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        if database not in ("", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _make_private_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StorageError(f"{folder}: cannot create the data folder ({exc.strerror}); "
                           f"set {ENV_VAR} to a writable database location") from None


def migrations_dir() -> Path:
    """The Alembic scripts shipped inside the package (``analyzer/storage/migrations``)."""
    return Path(str(resources.files("analyzer.storage") / "migrations"))


def alembic_config(url: str):  # noqa: ANN201 - alembic.config.Config
    """An Alembic config that runs the packaged migrations against ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(migrations_dir())).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` on ``engine`` (serialised across processes)."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    command.upgrade(config, revision)


def ensure_schema(engine: Engine) -> None:
    """Upgrade to the newest schema unless the database is already there."""
    try:
        if current_revision(engine) == head_revision():
            return
        upgrade(engine)
    except SQLAlchemyError as exc:
        raise StorageError(f"{engine.url.render_as_string(hide_password=True)}: cannot open or migrate "
                           f"the database ({_first_line(exc)}); check --db / {ENV_VAR} and that the "
                           "server is running") from None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
