"""Batch analysis of folders: discovery, resume, per-file isolation, local and Ray engines.

- :mod:`analyzer.batch.discovery`: ``discover`` finds recordings by extension and content.
- :mod:`analyzer.batch.runner`: ``BatchRunner`` plans (skips what is stored, remembers failures)
  and runs a plan on an engine, storing each result as it arrives (the single writer).
- :mod:`analyzer.batch.local` / :mod:`analyzer.batch.ray_engine`: worker processes or Ray actors
  that each load the models once.
- :mod:`analyzer.batch.report`: ``BatchReport``, what happened to each file.

This package imports nothing on purpose: worker processes import it before they set their
thread counts. See docs/scale-out.md.
"""
