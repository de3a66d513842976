"""Score the directive detector on a labelled TSV set (``text<TAB>category`` per line).

Overall precision/recall/F1 are directive-vs-none: any label other than ``none`` is a
directive, so sets labelled with other category names still score. Per category, the
detector's category is that of its first hit in the line (``none`` when nothing fires).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from analyzer.core.errors import InputFormatError
from analyzer.directives.detector import Detector
from analyzer.directives.lexicon import CATEGORIES, load_lexicon

NONE = "none"
SPEED_REPEATS = 5


@dataclass(frozen=True, slots=True)
class LabelledLine:
    line_no: int
    text: str
    category: str


@dataclass(frozen=True, slots=True)
class Prediction:
    line: LabelledLine
    category: str  # first hit's category or "none"
    rule: str  # first hit's rule id or ""

    @property
    def correct_binary(self) -> bool:
        return (self.line.category != NONE) == (self.category != NONE)

    @property
    def wrong_category(self) -> bool:
        """Both say directive but not the same category (only for labels the detector knows)."""
        return self.line.category in CATEGORIES and self.category != NONE and self.category != self.line.category


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int  # lines labelled with it
    predicted: int  # lines the detector put in it

    def to_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "support": self.support, "predicted": self.predicted}


@dataclass(frozen=True)
class EvaluationReport:
    """Scores of one run over a labelled set, with the lines it got wrong and its speed."""

    overall: Score
    per_category: dict[str, Score]
    misclassified: tuple[Prediction, ...]
    lines: int
    words: int
    ms_per_1000_words: float

    def to_dict(self) -> dict[str, Any]:
        return {"precision": round(self.overall.precision, 4), "recall": round(self.overall.recall, 4),
                "f1": round(self.overall.f1, 4),
                "per_category": {name: score.to_dict() for name, score in self.per_category.items()},
                "lines": self.lines, "words": self.words,
                "ms_per_1000_words": round(self.ms_per_1000_words, 3)}


def default_set_path(language: str = "en") -> Path:
    """The evaluation set shipped with the package for ``language``."""
    return Path(str(resources.files("analyzer.directives") / "data" / f"eval_{language}.tsv"))


def read_labelled(path: Path) -> list[LabelledLine]:
    """Read a UTF-8 ``text<TAB>category`` file; blank lines and lines starting with ``#`` are skipped.

    Raises:
        InputFormatError: the file is missing, not UTF-8, has a line without a tab, or no lines.
    """
    try:
        content = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFormatError(f"{path}: file not found; pass a UTF-8 TSV of text<TAB>category lines") from None
    except UnicodeDecodeError:
        raise InputFormatError(f"{path}: not UTF-8 text; save it as UTF-8 (text<TAB>category lines)") from None
    except OSError as exc:
        raise InputFormatError(f"{path}: cannot be read ({exc.strerror}); check the path") from None
    lines = []
    for number, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        text, tab, category = raw.rpartition("\t")
        if not tab or not text.strip() or not category.strip():
            raise InputFormatError(f"{path}:{number}: expected text<TAB>category, got {raw[:60]!r}; "
                                   f"separate the text and its label with one tab")
        lines.append(LabelledLine(number, text.strip(), category.strip().lower()))
    if not lines:
        raise InputFormatError(f"{path}: no labelled lines; add text<TAB>category lines")
    return lines


def evaluate(lines: Sequence[LabelledLine], language: str = "en") -> EvaluationReport:
    """Run the detector over ``lines`` and score it (see the module docstring)."""
    detector = Detector(load_lexicon(language))
    predictions = []
    for line in lines:
        hits = detector.detect(line.text)
        predictions.append(Prediction(line, hits[0].category if hits else NONE, hits[0].rule if hits else ""))
    words = sum(len(line.text.split()) for line in lines)
    return EvaluationReport(
        overall=_binary_score(predictions), per_category=_category_scores(predictions),
        misclassified=tuple(p for p in predictions if not p.correct_binary or p.wrong_category),
        lines=len(lines), words=words, ms_per_1000_words=measure_speed(detector, lines, words))


def measure_speed(detector: Detector, lines: Sequence[LabelledLine], words: int) -> float:
    """Best of a few passes over the texts, in milliseconds per 1,000 words."""
    best = float("inf")
    for _ in range(SPEED_REPEATS):
        began = time.perf_counter()
        for line in lines:
            detector.detect(line.text)
        best = min(best, time.perf_counter() - began)
    return 1000.0 * best / max(1, words) * 1000.0


def _binary_score(predictions: Sequence[Prediction]) -> Score:
    gold = [p.line.category != NONE for p in predictions]
    said = [p.category != NONE for p in predictions]
    true_pos = sum(g and s for g, s in zip(gold, said))
    return _score(true_pos, sum(said), sum(gold))


def _category_scores(predictions: Sequence[Prediction]) -> dict[str, Score]:
    names = [*CATEGORIES, *sorted({p.line.category for p in predictions} - set(CATEGORIES) - {NONE})]
    scores = {}
    for name in names:
        true_pos = sum(p.category == name and p.line.category == name for p in predictions)
        scores[name] = _score(true_pos, sum(p.category == name for p in predictions),
                              sum(p.line.category == name for p in predictions))
    return scores


def _score(true_pos: int, predicted: int, support: int) -> Score:
    precision = true_pos / predicted if predicted else 0.0
    recall = true_pos / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, support, predicted)
