"""Scoring Floorshare against references: diarization (DER/JER), balance, interruptions, verdict, WER.

Modules: :mod:`.scoring` (DER and JER with pyannote.metrics, optimal speaker mapping),
:mod:`.shares` (per-person share error), :mod:`.matching` (interruption precision/recall),
:mod:`.wer` (word error rate), :mod:`.manifest` (manifest files), :mod:`.runner`
(``floorshare eval``), :mod:`.bench` (``floorshare bench``). Metric logic lives here, never
in the CLI.
"""
