"""Private by default: no telemetry, no hub access during analysis, owner-only data folders.

:func:`enforce_offline` is called before any model library is imported for an
analysis; model fetching (``floorshare models fetch``) is the only step that may use
the network, and it never calls it. Standard library only (``huggingface_hub`` is
touched only if something already imported it).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from analyzer.core.errors import StorageError

# Environment that keeps every library we load quiet and local.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",  # huggingface_hub: never contact the hub, use the local cache only
    "TRANSFORMERS_OFFLINE": "1",  # same switch for transformers-based code paths
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "PYANNOTE_METRICS_ENABLED": "0",  # pyannote.audio 4 sends usage metrics unless this is 0
}
# Streamlit's usage statistics (browser.gatherUsageStats) off, for the dashboard process.
STREAMLIT_PRIVATE_ENV = {"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def enforce_offline() -> None:
    """Switch off telemetry and hub access for this process (call before loading models).

    Sets :data:`OFFLINE_ENV` (overriding earlier values) and, when ``huggingface_hub``
    is already imported and has read its settings, flips its offline flag too.
    """
    os.environ.update(OFFLINE_ENV)
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None and hasattr(constants, "HF_HUB_OFFLINE"):
        constants.HF_HUB_OFFLINE = True
    if constants is not None and hasattr(constants, "HF_HUB_DISABLE_TELEMETRY"):
        constants.HF_HUB_DISABLE_TELEMETRY = True


def offline_env(base: dict[str, str] | None = None, *, streamlit: bool = False) -> dict[str, str]:
    """An environment for a child process (worker, dashboard) with telemetry and hub access off."""
    env = dict(os.environ if base is None else base)
    env.update(OFFLINE_ENV)
    if streamlit:
        env.update(STREAMLIT_PRIVATE_ENV)
    return env


def ensure_private_dir(path: str | Path) -> Path:
    """Create ``path`` (and parents) readable by its owner only, and tighten it if it exists.

    Parents that did not exist are created 0700 too; existing parents are left alone.

    Raises:
        StorageError: the folder cannot be created or its permissions cannot be set.
    """
    folder = Path(path).expanduser()
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        for parent in reversed(missing):
            parent.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
            parent.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
        if not folder.is_dir():
            raise StorageError(f"{folder}: exists but is not a folder; move it away or choose another data folder")
        if stat.S_IMODE(folder.stat().st_mode) & 0o077:
            folder.chmod(PRIVATE_DIR_MODE)
    except OSError as exc:
        raise StorageError(f"{folder}: cannot create a private data folder ({exc.strerror or exc}); "
                           "choose a folder you own (FLOORSHARE_DB=/your/folder/floorshare.db) "
                           "or fix its permissions") from None
    return folder


def ensure_private_file(path: str | Path) -> Path:
    """Make an existing file (a database, a kept recording) readable by its owner only.

    Raises:
        StorageError: the permissions cannot be changed.
    """
    file = Path(path)
    try:
        if stat.S_IMODE(file.stat().st_mode) & 0o077:
            file.chmod(PRIVATE_FILE_MODE)
    except OSError as exc:
        raise StorageError(f"{file}: cannot make it private ({exc.strerror or exc}); "
                           "check that you own it") from None
    return file


def is_private(path: str | Path) -> bool:
    """True when neither group nor others have any permission on ``path``."""
    return not stat.S_IMODE(Path(path).stat().st_mode) & 0o077
