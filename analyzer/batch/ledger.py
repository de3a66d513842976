"""Remembers which recordings failed, so a rerun does not spend hours failing on them again.

A JSON file keyed by content hash and configuration hash, next to the SQLite database
(``<db>.batch-failures.json``) or in the user's data folder for other databases. Only the
batch's single writer (the parent process or the Ray driver) touches it. A file whose
content changes (re-exported, repaired) has a new hash and is tried again automatically;
``--retry-failed`` tries the remembered ones too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from analyzer.core.errors import StorageError


@dataclass(frozen=True, slots=True)
class Failure:
    """A remembered failure: the message and the path it had then."""

    path: str
    error: str


class FailureLedger:
    """Failures by ``(sha256, config_hash)``, saved after every change (atomic replace)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, Failure] = self._read()

    @staticmethod
    def key(sha256: str, config_hash: str) -> str:
        return f"{sha256}:{config_hash}"

    def get(self, sha256: str, config_hash: str) -> Failure | None:
        return self._entries.get(self.key(sha256, config_hash))

    def record(self, sha256: str, config_hash: str, failure: Failure) -> None:
        self._entries[self.key(sha256, config_hash)] = failure
        self._write()

    def forget(self, sha256: str, config_hash: str) -> None:
        if self._entries.pop(self.key(sha256, config_hash), None) is not None:
            self._write()

    def _read(self) -> dict[str, Failure]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {key: Failure(str(value["path"]), str(value["error"])) for key, value in data.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}  # unreadable memory of failures: start afresh (failed files are simply retried)

    def _write(self) -> None:
        data = {key: {"path": f.path, "error": f.error} for key, f in sorted(self._entries.items())}
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StorageError(f"{self.path}: cannot record batch failures ({exc.strerror}); "
                               "check that the database folder is writable") from None


def ledger_path(db_url: str) -> Path:
    """Where the ledger of the database at ``db_url`` lives."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(database.name + ".batch-failures.json")
    from analyzer.storage.engine import data_dir

    return data_dir() / "batch-failures.json"
