"""Floorshare: measure how a meeting shares the floor, from its recording.

The public API is imported lazily so that ``import analyzer`` stays light.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
