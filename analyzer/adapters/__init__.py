"""Adapters to the outside world: audio decoding (PyAV), diarization (pyannote + CAM++),
transcription (faster-whisper), the pinned model registry and the privacy guards.

Each third-party ML library has exactly one importer here; nothing above this package
imports pyannote, faster-whisper or PyAV directly.
"""
