"""Freed memory handed back while an analysis runs (analyzer.adapters.memory_release)."""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import time

import pytest

from analyzer.adapters.memory_release import MemoryReleaser, _malloc_trim
from analyzer.evaluation.rss import current_rss_mib


def test_it_trims_every_interval_and_once_at_the_end():
    calls = []
    with MemoryReleaser(0.01, trim=lambda pad: calls.append(pad) or 1) as releaser:
        time.sleep(0.1)
    assert len(calls) >= 3 and set(calls) == {0}
    ended = len(calls)
    time.sleep(0.05)
    assert len(calls) == ended == releaser.calls  # the thread stopped with the block


def test_zero_interval_never_trims():
    calls = []
    with MemoryReleaser(0.0, trim=lambda pad: calls.append(pad) or 1):
        time.sleep(0.03)
    assert calls == []


@pytest.mark.skipif(platform.system() != "Linux" or _malloc_trim() is None, reason="glibc's malloc_trim")
def test_freed_heap_memory_goes_back_to_the_system():
    """Blocks of 2 MB freed between blocks still in use (holes in the heap, not its top) stay resident
    until malloc_trim gives their pages back."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free(ctypes.c_void_p(_touched(libc, 4 << 20)))  # an mmapped block freed: glibc's mmap threshold rises
    blocks = [_touched(libc, 2 << 20) for _ in range(150)]  # 2 MB each, now from the heap
    for block in blocks[::2]:  # every other one: holes between blocks in use
        libc.free(ctypes.c_void_p(block))
    kept = current_rss_mib()
    releaser = MemoryReleaser(1.0)
    releaser.release()
    after = current_rss_mib()
    for block in blocks[1::2]:
        libc.free(ctypes.c_void_p(block))
    print(f"RSS {kept:.0f} MiB after freeing 150 MB in holes, {after:.0f} after the trim")
    assert releaser.calls == 1 and after < kept - 100, (kept, after)


def _touched(libc, size: int) -> int:
    address = libc.malloc(size)
    assert address
    ctypes.memset(address, 1, size)
    return address
