"""Alembic environment of the Floorshare sessions database (shipped inside the package).

Runs online only. The engine comes from ``config.attributes["engine"]`` when the
library calls Alembic, else from ``sqlalchemy.url``. Migrations run in one
transaction that first takes a lock (``BEGIN IMMEDIATE`` on SQLite, an advisory
lock on PostgreSQL), so processes opening a new database at once migrate it once.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from analyzer.storage.engine import make_engine
from analyzer.storage.models import Base

MIGRATION_LOCK_ID = 804_2026  # any constant shared by every Floorshare process


def run_migrations_online() -> None:
    config = context.config
    engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        connection = connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_ID})
            context.configure(connection=connection, target_metadata=Base.metadata,
                              transactional_ddl=True, render_as_batch=True)
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Floorshare migrations run online only: floorshare opens the database itself")
run_migrations_online()
