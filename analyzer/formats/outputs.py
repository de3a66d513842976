"""Write the per-recording output folder: result.json, diarization.rttm, transcript.txt."""

from __future__ import annotations

import re
from pathlib import Path

from analyzer.core.errors import StorageError
from analyzer.core.schema import SessionResult
from analyzer.formats.exports import to_rttm, to_transcript_text
from analyzer.formats.fileio import write_text_atomic
from analyzer.formats.serialize import write_result_json


def output_folder(out: Path, recording_path: str) -> Path:
    stem = Path(recording_path).stem
    safe = re.sub(r"[\\/\x00-\x1f]", "_", stem).strip() or "recording"
    return out / safe


def write_outputs(result: SessionResult, out: Path) -> Path:
    """Write the three files for one result under ``out/<stem>/`` and return that folder."""
    folder = output_folder(out, result.recording.path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"{folder}: cannot create the output folder ({exc.strerror}); "
                           "choose a writable --out folder") from None
    write_result_json(result, folder / "result.json")
    write_text_atomic(folder / "diarization.rttm", to_rttm(result, uri=folder.name))
    write_text_atomic(folder / "transcript.txt", to_transcript_text(result))
    return folder
