"""Floorshare: measure how a meeting shares the floor, from its recording.

The public API is imported lazily so that ``import analyzer`` stays light (no torch, no
pyannote): a name is loaded from its module on first use.

    >>> from analyzer import AnalysisConfig, build_analyzer, SessionStore
    >>> result = build_analyzer(AnalysisConfig()).analyze_file("meeting.wav")  # doctest: +SKIP
    >>> SessionStore().save(result)  # doctest: +SKIP

Where things live: ``core`` (types, config, errors, alignment), ``metrics`` and ``directives``
(pure), ``adapters`` (audio, pyannote, faster-whisper, models), ``formats`` (files in and out),
``storage`` (the database), ``pipeline``, ``batch``, ``evaluation``, ``compose`` and ``cli``.
"""

__version__ = "0.1.0"

_PUBLIC = {
    "AnalysisConfig": "analyzer.core.config",
    "AnalyzerError": "analyzer.core.errors",
    "SessionResult": "analyzer.core.schema",
    "SessionMetrics": "analyzer.core.schema",
    "SpeakerStats": "analyzer.core.schema",
    "Verdict": "analyzer.core.schema",
    "Analyzer": "analyzer.pipeline.analysis",
    "build_analyzer": "analyzer.pipeline.analysis",
    "SessionStore": "analyzer.storage",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562 lazy attribute
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
