"""Hand-made session results for storage and export tests (no models, no metrics code)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from analyzer.core.config import AnalysisConfig
from analyzer.core.schema import (
    DirectiveHit, Diarization, GroupIndices, Interruption, ModelRef, Provenance, Recording, SessionMetrics,
    SessionResult, SpeakerSegment, SpeakerStats, SpeakerWord, TimelineWindow, Transcript, TranscriptSegment,
    Turn, Verdict, Word,
)

SCRIPT = (  # (speaker, start, end, text)
    ("SPEAKER_00", 0.0, 4.0, "Welcome everyone, let us start with the budget."),
    ("SPEAKER_01", 4.5, 7.0, "Could we look at travel first?"),
    ("SPEAKER_00", 6.8, 12.0, "Please send me the numbers by Friday & keep it <short>."),
    ("SPEAKER_02", 12.5, 14.0, "Okay."),
    ("SPEAKER_01", 14.2, 18.5, "I think the travel line doubled since March."),
)


def sha_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _words(text: str, start: float, end: float) -> list[Word]:
    tokens = text.split()
    step = (end - start) / len(tokens)
    return [Word(round(start + i * step, 3), round(start + (i + 1) * step - 0.01, 3), tok, 0.9)
            for i, tok in enumerate(tokens)]


def _stats(label: str, share: float, turns: int, made: dict[str, int], received: dict[str, int],
           directives: int) -> SpeakerStats:
    return SpeakerStats(
        speaker=label, speaking_time=18.5 * share, overlap_time=0.2, share=share, meeting_share=share * 0.9,
        turns=turns, mean_turn=3.1, median_turn=2.9, longest_turn=5.2, monologues=0, monologue_time=0.0,
        words=10 * turns, words_per_minute=140.5, questions=1 if label == "SPEAKER_01" else 0,
        median_response_latency=0.4 if turns > 1 else None, backchannels=1 if label == "SPEAKER_02" else 0,
        interruptions_made=made, interruptions_received=received,
        directives={"total": directives, "by_category": {"request": directives}},
    )


def make_metrics(labels: tuple[str, ...], verdict: str = "hub_and_spoke", gini: float = 0.31) -> SessionMetrics:
    shares = {"SPEAKER_00": 0.55, "SPEAKER_01": 0.37, "SPEAKER_02": 0.08}
    speakers = tuple(
        _stats(label, shares.get(label, 0.0), 2 if label != "SPEAKER_02" else 1,
               {"successful": 1} if label == "SPEAKER_00" else {},
               {"successful": 1} if label == "SPEAKER_01" else {}, 2 if label == "SPEAKER_00" else 0)
        for label in labels)
    return SessionMetrics(
        duration=20.0, total_speech=16.3, overlap_time=0.2, silence_time=3.7, unattributed_words=0,
        speakers=speakers,
        interruptions=(Interruption(6.8, "SPEAKER_00", "SPEAKER_01", "successful", 0.2),),
        interruption_matrix={"SPEAKER_00": {"SPEAKER_01": 1}},
        transitions={"SPEAKER_00": {"SPEAKER_01": 1, "SPEAKER_02": 1}, "SPEAKER_01": {"SPEAKER_00": 1}},
        group=GroupIndices(gini=gini, entropy_norm=0.82, effective_speakers=2.4, inverse_simpson=2.3,
                           largest_share=0.55, speaker_changes_per_minute=12.0, turn_taking_index=0.6,
                           hub_share=0.75, spoke_to_spoke_share=0.25, reciprocity=0.5, centralization=0.4,
                           hub="SPEAKER_00"),
        verdict=Verdict(verdict, ("SPEAKER_00 held 55% of the speech", "most turns go through SPEAKER_00")),
        timeline=(TimelineWindow(0.0, 10.0, "dialogue", ("SPEAKER_00", "SPEAKER_01")),
                  TimelineWindow(10.0, 20.0, "many_to_many", ("SPEAKER_00", "SPEAKER_01", "SPEAKER_02"))),
    )


def make_result(name: str = "meeting", *, config: AnalysisConfig | None = None, metrics: bool = True,
                path: str | None = None, speaker_names: dict[str, str] | None = None,
                verdict: str = "hub_and_spoke", gini: float = 0.31) -> SessionResult:
    """A 20 s, three-speaker session whose recording hash is derived from ``name``."""
    config = config or AnalysisConfig()
    segments, turns, words, tsegs = [], [], [], []
    for index, (speaker, start, end, text) in enumerate(SCRIPT):
        segments.append(SpeakerSegment(start, end, speaker))
        ws = _words(text, start, end)
        words.extend(SpeakerWord(w, speaker, 1.0) for w in ws)
        tsegs.append(TranscriptSegment(start, end, text, tuple(ws)))
        turns.append(Turn(index, speaker, ws[0].start, ws[-1].end, text, len(ws)))
    words.append(SpeakerWord(Word(19.0, 19.4, "hmm", 0.3), None, 0.0))
    tsegs.append(TranscriptSegment(19.0, 19.4, "hmm", (words[-1].word,)))
    exclusive = [replace(s, start=max(s.start, segments[i - 1].end) if i else s.start)
                 for i, s in enumerate(segments)]
    labels = ("SPEAKER_00", "SPEAKER_01", "SPEAKER_02")
    return SessionResult(
        recording=Recording(path or f"/recordings/{name}.wav", sha_of(name), 20.0, 16000, 1),
        config=config.to_dict(),
        provenance=Provenance("0.1.0", (ModelRef("segmentation-3.0", "segmentation", "hf", "a" * 64),),
                              "cpu", "2026-11-20T10:00:00+00:00", (("torch", "2.11.0"),)),
        transcript=Transcript("en", 0.98, tuple(tsegs)),
        diarization=Diarization(tuple(segments), tuple(exclusive), labels),
        words=tuple(words),
        turns=tuple(turns),
        directives=(DirectiveHit(6.8, "SPEAKER_00", 2, "request", "please_imperative",
                                 "Please send me the numbers by Friday"),),
        metrics=make_metrics(labels, verdict, gini) if metrics else None,
        speaker_names=dict(speaker_names or {}),
    )


def save_many(url: str, worker: int, count: int) -> list[int]:
    """Worker process body for the concurrency test: open the store and save ``count`` sessions."""
    from analyzer.storage import SessionStore

    store = SessionStore(url)
    ids = [store.save(make_result(f"worker{worker}-{i}"), group="team") for i in range(count)]
    ids.append(store.save(make_result("shared"), group="team"))  # every worker saves this one
    store.rename_speaker(ids[0], "SPEAKER_00", "Ana")  # concurrent person creation in one group
    store.close()
    return ids


def insert_with_old_schema(engine, result: SessionResult, group: str = "team",
                           people: dict[str, str] | None = None) -> int:
    """Write ``result`` with plain INSERTs into the tables as the database has them now (reflected),
    as an older Floorshare would have: only the columns those tables have. Returns the session id."""
    from sqlalchemy import MetaData, insert

    from analyzer.storage.convert import fill_session_row
    from analyzer.storage.models import SessionRow

    old = MetaData()
    old.reflect(engine)
    row = SessionRow(title="old", recorded_at="2026-01-01T00:00:00+00:00", created_at="2026-01-01T00:00:00+00:00",
                     version=1, config_hash="a" * 16)
    fill_session_row(row, result)

    def columns(obj, table):  # noqa: ANN001, ANN202
        return {c.name: getattr(obj, c.name) for c in old.tables[table].c
                if c.name not in ("id", "session_id", "person_id", "group_id")}
    with engine.begin() as conn:
        gid = conn.execute(insert(old.tables["groups"]).values(name=group, created_at="2026-01-01T00:00:00+00:00")
                           ).inserted_primary_key[0]
        person_ids = {label: conn.execute(insert(old.tables["people"]).values(group_id=gid, name=name))
                      .inserted_primary_key[0] for label, name in (people or {}).items()}
        sid = conn.execute(insert(old.tables["sessions"]).values(**columns(row, "sessions"), group_id=gid)
                           ).inserted_primary_key[0]
        for speaker in row.speakers:
            conn.execute(insert(old.tables["session_speakers"]).values(
                **columns(speaker, "session_speakers"), session_id=sid, person_id=person_ids.get(speaker.label)))
        for table, children in (("diarization_segments", row.segments), ("words", row.words), ("turns", row.turns),
                                ("transcript_segments", row.transcript_segments),
                                ("interruptions", row.interruptions), ("directive_hits", row.directives)):
            for child in children:
                conn.execute(insert(old.tables[table]).values(**columns(child, table), session_id=sid))
    return sid
