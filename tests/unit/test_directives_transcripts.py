"""The directive detector on real transcripts (human references of real recordings)."""

from __future__ import annotations

from pathlib import Path

from analyzer.core.schema import Turn
from analyzer.directives import find_directives

STM = Path(__file__).resolve().parents[2] / "samples" / "pyannote-sample" / "sample.stm"
MAX_GAP_S = 1.0

# The reference transcript of openai/whisper tests/jfk.flac (MIT; the 1961 recording is public domain),
# as shipped in ../shared/data/asr/jfk.reference.txt.
JFK = ("And so my fellow Americans, ask not what your country can do for you, "
       "ask what you can do for your country.")


def read_stm_turns(path: Path) -> tuple[Turn, ...]:
    """STM lines ``uri channel speaker start end text`` -> turns (same speaker, gap <= MAX_GAP_S merged)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(";;"):
            continue
        _uri, _channel, speaker, start, end, text = line.split(maxsplit=5)
        rows.append((speaker, float(start), float(end), text))
    turns: list[Turn] = []
    for speaker, start, end, text in sorted(rows, key=lambda r: r[1]):
        last = turns[-1] if turns else None
        if last and last.speaker == speaker and start - last.end <= MAX_GAP_S:
            turns[-1] = Turn(last.index, speaker, last.start, end, f"{last.text} {text}",
                             last.word_count + len(text.split()))
        else:
            turns.append(Turn(len(turns), speaker, start, end, text, len(text.split())))
    return tuple(turns)


def test_pyannote_sample_conversation_has_no_directives() -> None:
    turns = read_stm_turns(STM)
    assert [t.speaker for t in turns] == ["Diane", "Sheila", "Diane", "Sheila", "Diane", "Sheila", "Diane",
                                          "Sheila", "Diane"]
    texts = " ".join(t.text for t in turns)
    assert texts.count("you know") == 2 and "what can I say?" in texts  # hard negatives from real speech
    assert find_directives(turns) == ()


def test_pyannote_sample_as_lowercase_unpunctuated_asr_has_no_directives() -> None:
    turns = tuple(Turn(t.index, t.speaker, t.start, t.end,
                       "".join(c for c in t.text.lower() if c.isalnum() or c in " '"), t.word_count)
                  for t in read_stm_turns(STM))
    assert find_directives(turns) == ()


def test_real_speech_imperatives_are_found_with_quotes_and_times() -> None:
    turn = Turn(0, "JFK", 0.0, 11.0, JFK, len(JFK.split()))
    hits = find_directives((turn,))
    assert [(h.category, h.rule) for h in hits] == [("imperative", "imperative.verb_first")] * 2
    assert [h.text for h in hits] == ["ask not what your country can do for you",
                                      "ask what you can do for your country"]
    assert 0.0 < hits[0].time < hits[1].time < 11.0
