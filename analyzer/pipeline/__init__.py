"""The analysis pipeline: the :class:`~analyzer.pipeline.analysis.Analyzer` (audio ->
diarization + transcript -> words attributed -> turns -> metrics -> session result), the small
protocols its models satisfy, and metrics computed from stored segments and words.
"""
