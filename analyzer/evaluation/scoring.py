"""DER and JER with pyannote.metrics, and the optimal reference <-> system speaker mapping.

Conventions (as pyannote's own benchmarks): overlapped speech is scored; the main
numbers use no forgiveness collar. For comparison with md-eval/dscore numbers we also
report DER with a 0.25 s collar on each side of every reference boundary, which is
pyannote.metrics ``collar=0.5`` (pyannote's collar is the total width).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

from analyzer.core.schema import SpeakerSegment

COLLAR_EACH_SIDE_S = 0.25


@dataclass(frozen=True, slots=True)
class DiarizationScore:
    """One file's scores; rates are fractions (0.1 = 10 %), times are seconds (no collar)."""

    der: float
    jer: float
    der_collar: float
    missed: float
    false_alarm: float
    confusion: float
    total: float


def _annotation(segments: Sequence[SpeakerSegment], uri: str):
    from pyannote.core import Annotation, Segment

    annotation = Annotation(uri=uri)
    for index, seg in enumerate(segments):
        if seg.end > seg.start:
            annotation[Segment(seg.start, seg.end), index] = seg.speaker
    return annotation


def _timeline(regions: Sequence[tuple[float, float]], uri: str):
    from pyannote.core import Segment, Timeline

    return Timeline([Segment(start, end) for start, end in regions], uri=uri)


class DiarizationScorer:
    """Scores files one by one and accumulates the overall rates (time-weighted DER).

    Args:
        collar_each_side_s: the comparison collar (0.25 s each side = md-eval ``-c 0.25``).
        ignore_overlap: also drop overlapped reference speech from the collar score
            (md-eval ``-1``; only to reproduce numbers published that way).
    """

    def __init__(self, collar_each_side_s: float = COLLAR_EACH_SIDE_S, ignore_overlap: bool = False) -> None:
        from pyannote.metrics.diarization import DiarizationErrorRate, JaccardErrorRate

        self.der = DiarizationErrorRate(collar=0.0, skip_overlap=False)
        self.jer = JaccardErrorRate(collar=0.0, skip_overlap=False)
        self.der_collar = DiarizationErrorRate(collar=2 * collar_each_side_s, skip_overlap=ignore_overlap)

    def score(self, reference: Sequence[SpeakerSegment], hypothesis: Sequence[SpeakerSegment],
              uem: Sequence[tuple[float, float]], uri: str = "file") -> DiarizationScore:
        """Score one file within the scored regions ``uem`` [(start, end), ...]."""
        ref, hyp, region = _annotation(reference, uri), _annotation(hypothesis, uri), _timeline(uem, uri)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            details = self.der(ref, hyp, uem=region, detailed=True)
            jer = self.jer(ref, hyp, uem=region)
            der_collar = self.der_collar(ref, hyp, uem=region)
        total = details["total"]
        der = (details["missed detection"] + details["false alarm"] + details["confusion"]) / total \
            if total > 0 else (1.0 if details["false alarm"] > 0 else 0.0)
        return DiarizationScore(der=der, jer=jer, der_collar=der_collar,
                                missed=details["missed detection"], false_alarm=details["false alarm"],
                                confusion=details["confusion"], total=total)

    def overall(self) -> dict[str, float]:
        """Overall DER (summed errors over summed speech), JER and DER with collar."""
        return {"der": abs(self.der), "jer": abs(self.jer), "der_collar": abs(self.der_collar)}


def optimal_mapping(reference: Sequence[SpeakerSegment], hypothesis: Sequence[SpeakerSegment],
                    uri: str = "file") -> dict[str, str]:
    """System label -> reference label maximising overlapped time (pyannote's Hungarian mapping)."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = _annotation(reference, uri), _annotation(hypothesis, uri)
    if not ref.labels() or not hyp.labels():
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dict(DiarizationErrorRate().optimal_mapping(ref, hyp))


def read_uem(path, uri: str) -> tuple[tuple[float, float], ...]:
    """Scored regions of ``uri`` from a NIST UEM file (``uri channel start end``; ``;`` comments)."""
    from pathlib import Path

    from analyzer.core.errors import InputFormatError

    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputFormatError(f"{file}: cannot read the UEM file ({exc}); check the path") from None
    regions = []
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields or fields[0].startswith((";", "#")):
            continue
        try:
            start, end = float(fields[2]), float(fields[3])
        except (IndexError, ValueError):
            raise InputFormatError(f"{file}:{number}: expected 'uri channel start end'; fix the line") from None
        if fields[0] == uri:
            regions.append((start, end))
    if not regions:
        raise InputFormatError(f"{file}: no region for recording {uri!r}; add a line '{uri} 1 START END'")
    return tuple(regions)
