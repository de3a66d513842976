"""The test clusters' port allocator (tests/ray_cluster.py): CI once failed when a node's worker-port
range overlapped a port picked for another component of the same node."""

from tests.ray_cluster import _PortAllocator, _ephemeral_range


def test_blocks_never_overlap_and_stay_below_the_ephemeral_range():
    ports = _PortAllocator()
    low, _ = _ephemeral_range()
    taken: list[range] = []
    for size in (50, 1, 1, 1, 1, 1, 1, 50, 1, 1):
        base = ports.take(size)
        block = range(base, base + size)
        assert block.stop <= min(low, 32768), f"{block} reaches the ephemeral range starting at {low}"
        assert all(not set(block) & set(other) for other in taken), f"{block} overlaps one given before"
        taken.append(block)
