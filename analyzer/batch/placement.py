"""Where Ray actors can go: each node's resources against what one actor needs (pure, no Ray import).

Ray knows every node's total resources as soon as the driver connects. A fixed-size cluster
(``ray start`` by hand, a static KubeRay group) where no node can ever hold an actor makes the
batch stop at once with the numbers; only a cluster with an autoscaler that can add nodes is
waited for. See docs/scale-out.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

GiB = 1024 ** 3
# The autoscaler's own node-type names when it only mirrors nodes started by hand (Ray's
# "readonly" provider): every node gets a type of its own and none can be launched.
READONLY_HEAD_TYPE = "ray.head.default"
READONLY_TYPE_PREFIX = "node_"


@dataclass(frozen=True, slots=True)
class ActorNeeds:
    """The resources one analysis actor asks Ray for."""

    cpus: float
    gpus: float = 0.0
    memory: int = 0  # bytes (Ray's logical "memory" resource)

    def as_resources(self) -> dict[str, float]:
        wanted = {"CPU": float(self.cpus), "GPU": float(self.gpus), "memory": float(self.memory)}
        return {name: amount for name, amount in wanted.items() if amount > 0}

    def describe(self) -> str:
        parts = [f"{_number(self.cpus)} CPU{'s' if self.cpus != 1 else ''}"]
        if self.gpus:
            parts.append(f"{_number(self.gpus)} GPU")
        if self.memory:
            parts.append(f"{self.memory / GiB:.1f} GiB of memory")
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """One node of the cluster as Ray reports it (``ray.nodes()``): total resources, alive or not."""

    node_id: str
    address: str
    resources: dict[str, float] = field(default_factory=dict)
    alive: bool = True

    def describe(self) -> str:
        cpus, memory = self.resources.get("CPU", 0.0), self.resources.get("memory", 0.0)
        gpus = self.resources.get("GPU", 0.0)
        text = f"{self.address}: {_number(cpus)} CPU, {memory / GiB:.1f} GiB"
        return text + (f", {_number(gpus)} GPU" if gpus else "")


def nodes_from_ray(raw: list[dict]) -> list[NodeInfo]:
    """Convert ``ray.nodes()`` entries (alive and dead) to :class:`NodeInfo`."""
    return [NodeInfo(node_id=str(entry.get("NodeID", "")), address=str(entry.get("NodeManagerAddress", "?")),
                     resources={str(k): float(v) for k, v in (entry.get("Resources") or {}).items()},
                     alive=bool(entry.get("Alive", False)))
            for entry in raw]


def actors_fitting(node: NodeInfo, needs: ActorNeeds) -> int:
    """How many actors the node's total resources hold (0 for a dead node)."""
    if not node.alive:
        return 0
    counts = []
    for name, amount in needs.as_resources().items():
        counts.append(int(node.resources.get(name, 0.0) // amount + 1e-9))
    return min(counts) if counts else 0


def capacity(nodes: list[NodeInfo], needs: ActorNeeds) -> int:
    """How many actors the alive nodes hold together, each node counted on its own."""
    return sum(actors_fitting(node, needs) for node in nodes)


def unplaceable(nodes: list[NodeInfo], needs: ActorNeeds) -> str | None:
    """Why no alive node can ever hold one actor, or None when at least one can."""
    alive = [node for node in nodes if node.alive]
    if any(actors_fitting(node, needs) for node in alive):
        return None
    shown = "; ".join(node.describe() for node in alive[:6]) or "no node is alive"
    more = f" (and {len(alive) - 6} more)" if len(alive) > 6 else ""
    return f"no node of the Ray cluster can hold a worker, which needs {needs.describe()} ({shown}{more})"


def autoscaler_can_add_nodes(status_json: bytes | str | None) -> bool:
    """Whether the cluster's autoscaler can launch nodes, from its status record.

    The record is what Ray's autoscaler monitor writes for ``ray status`` (internal key
    ``__autoscaling_status``). On a cluster started by hand the monitor mirrors the nodes with
    its read-only provider: every node type is ``ray.head.default`` or ``node_<id>`` and nothing
    can be launched. A cluster launcher or KubeRay autoscaler has node types of its own
    (``cpu_workers``, ...), and a record of pending launches. No record: no autoscaler.
    """
    if not status_json:
        return False
    try:
        data = json.loads(status_json)
        report = data.get("autoscaler_report") or {}
    except (ValueError, TypeError, AttributeError):
        return False
    if not isinstance(report, dict):
        return False
    if report.get("pending_launches") or report.get("pending_nodes"):
        return True
    types: set[str] = set()
    for key in ("active_nodes", "idle_nodes"):
        value = report.get(key) or {}
        if isinstance(value, dict):
            types.update(str(name) for name in value)
    mapping = report.get("node_type_mapping") or {}
    if isinstance(mapping, dict):
        types.update(str(name) for name in mapping.values())
    return any(name != READONLY_HEAD_TYPE and not name.startswith(READONLY_TYPE_PREFIX) for name in types)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
