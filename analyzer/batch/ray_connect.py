"""Joining a Ray cluster (or starting a private one for the job), with token authentication.

Also reads what Ray knows at connect: every node's resources and whether an autoscaler can add
nodes (:mod:`analyzer.batch.placement` decides from those).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from analyzer.batch.placement import NodeInfo, autoscaler_can_add_nodes, nodes_from_ray
from analyzer.batch.ray_actor import first_line
from analyzer.core.errors import AnalyzerError, ConfigError

LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024  # results are small; leave the memory to the models
AUTH_MODE_ENV = "RAY_AUTH_MODE"
AUTH_TOKEN_ENV = "RAY_AUTH_TOKEN"
AUTH_TOKEN_PATH_ENV = "RAY_AUTH_TOKEN_PATH"
AUTOSCALING_STATUS_KEY = "__autoscaling_status"  # what Ray's autoscaler monitor writes for `ray status`


def connect(address: str | None, num_cpus: int | None) -> bool:
    """Join ``address`` or start a local Ray for this job; return True when started here.

    A local Ray gets a fresh random token (token authentication stays on, nothing is written to
    ``~/.ray``). For a cluster, the token comes from ``RAY_AUTH_TOKEN``, ``RAY_AUTH_TOKEN_PATH``
    or ``~/.ray/auth_token`` when the cluster uses token authentication.

    Raises:
        ConfigError: Ray cannot start or the cluster refuses the connection.
    """
    import ray

    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING,
             "configure_logging": True}
    try:
        if address:
            _use_cluster_token()
            ray.init(address=address, **quiet)
            return True
        _use_job_token()
        ray.init(num_cpus=num_cpus, object_store_memory=LOCAL_OBJECT_STORE_BYTES, **quiet)
        return True
    except AnalyzerError:
        raise
    except Exception as exc:  # noqa: BLE001 - Ray raises many types; each becomes one line
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        hint = ("set RAY_AUTH_TOKEN (from `ray get-auth-token` on the head node) or RAY_AUTH_MODE=disabled "
                "if the cluster has no token authentication" if "auth" in str(exc).lower()
                else "check the address and that the cluster runs the same Ray and Python versions")
        raise ConfigError(f"cannot connect to {where} ({type(exc).__name__}: {first_line(exc)}); {hint}") \
            from None


def _use_job_token() -> None:
    """Keep Ray's token authentication on for the job's own cluster, with a token that lives in memory."""
    if os.environ.get(AUTH_MODE_ENV) is not None:
        return  # the user chose: respect it
    os.environ[AUTH_MODE_ENV] = "token"
    if not os.environ.get(AUTH_TOKEN_ENV) and not os.environ.get(AUTH_TOKEN_PATH_ENV):
        os.environ[AUTH_TOKEN_ENV] = secrets.token_hex(32)
    _reload_ray_auth_settings()


def _use_cluster_token() -> None:
    """Ray enables token mode for an explicit address only when told; do it when a token is at hand."""
    if os.environ.get(AUTH_MODE_ENV) is not None:
        return
    default_token = Path.home() / ".ray" / "auth_token"
    if os.environ.get(AUTH_TOKEN_ENV) or os.environ.get(AUTH_TOKEN_PATH_ENV) or default_token.exists():
        os.environ[AUTH_MODE_ENV] = "token"
        _reload_ray_auth_settings()


def _reload_ray_auth_settings() -> None:
    """Ray caches its settings at import; make this process see the variables set above (as Ray itself does)."""
    try:
        from ray._raylet import AuthenticationTokenLoader, Config
    except ImportError:  # Ray without token authentication: nothing cached
        return
    Config.initialize("")
    AuthenticationTokenLoader.instance().reset_cache()


def cluster_nodes(ray) -> list[NodeInfo]:
    """Every node Ray knows (alive and dead) with its total resources."""
    return nodes_from_ray(ray.nodes())


def cluster_autoscales(ray) -> bool:
    """Whether an autoscaler can add nodes to the connected cluster (False when unknown)."""
    try:
        from ray.experimental import internal_kv

        return autoscaler_can_add_nodes(internal_kv._internal_kv_get(AUTOSCALING_STATUS_KEY))
    except Exception:  # noqa: BLE001 - an older or newer Ray without this record: treat as fixed size
        return False
