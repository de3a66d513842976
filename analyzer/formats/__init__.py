"""Input and output formats: RTTM, reference transcripts, result.json, text/CSV/subtitle/
Markdown/HTML exports, the per-recording output folder and atomic file writes.

Depends only on :mod:`analyzer.core`; no analysis logic and no database.
"""
