"""Floorshare: measure how a meeting shares the floor, from its recording.

The public API is imported lazily so that ``import analyzer`` stays light (no torch, no
pyannote): a name is loaded from its module on first use.

    >>> from analyzer import AnalysisConfig, SessionStore, analyze_file
    >>> session = analyze_file("meeting.wav", config=AnalysisConfig(), store=SessionStore())  # doctest: +SKIP
    >>> session.session_id, session.result.metrics.verdict.label  # doctest: +SKIP

Where things live: ``core`` (types, config, errors, alignment), ``metrics`` and ``directives``
(pure), ``adapters`` (audio, pyannote, faster-whisper, models), ``formats`` (files in and out),
``storage`` (the database), ``pipeline``, ``batch``, ``evaluation``, ``compose`` and ``cli``.
"""

__version__ = "0.1.0"

_PUBLIC = {  # name -> (module, attribute)
    "analyze_file": ("analyzer.pipeline.session", "analyze_recording"),
    "StoredSession": "analyzer.pipeline.session",
    "StoreOptions": "analyzer.pipeline.session",
    "AnalysisConfig": "analyzer.core.config",
    "AnalyzerError": "analyzer.core.errors",
    "SessionResult": "analyzer.core.schema",
    "SessionMetrics": "analyzer.core.schema",
    "SpeakerStats": "analyzer.core.schema",
    "Verdict": "analyzer.core.schema",
    "VerdictLabel": "analyzer.core.schema",
    "DirectiveSummary": "analyzer.core.schema",
    "InterruptionCounts": "analyzer.core.schema",
    "Analyzer": "analyzer.pipeline.analysis",
    "build_analyzer": "analyzer.pipeline.analysis",
    "SessionStore": "analyzer.storage",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562 lazy attribute
    where = _PUBLIC.get(name)
    if where is None:
        raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
    import importlib

    module, attribute = where if isinstance(where, tuple) else (where, name)
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
