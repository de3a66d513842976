"""Typed errors. Each message names the file or value, what is wrong, and what to do.

The CLI maps :class:`AnalyzerError` to exit code 1 and prints its message on one line.
"""

from __future__ import annotations


class AnalyzerError(Exception):
    """Base class of every error Floorshare raises on purpose."""

    exit_code = 1


class AudioError(AnalyzerError):
    """An input recording cannot be used (missing, unreadable, no audio, too short)."""


class ModelError(AnalyzerError):
    """A model is missing, fails its checksum, or cannot be loaded."""


class ConfigError(AnalyzerError):
    """A configuration value or file is invalid."""

    exit_code = 2


class StorageError(AnalyzerError):
    """The database or an output location cannot be read or written."""


class InputFormatError(AnalyzerError):
    """A reference file (RTTM, transcript, manifest, scenario) is malformed."""
