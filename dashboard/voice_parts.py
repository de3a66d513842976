"""Report sections for who is who: voice matches (confirm, correct, reject) and diarization
corrections (merge two speakers, split a stretch, re-assign a turn). Rendering only: the store
and :mod:`analyzer.pipeline.corrections` do the work and recompute every number."""

from __future__ import annotations

import streamlit as st

from analyzer.core.errors import AnalyzerError
from analyzer.formats.names import display_name
from analyzer.core.schema import SessionResult
from dashboard import data

STATUS = {"suggested": "suggested: please confirm", "confirmed": "confirmed", "rejected": "rejected",
          "new": "new voice"}


def matches(result: SessionResult, session_id: int, group: str) -> None:
    """Each speaker's voice match and its confidence, with confirm / correct / reject."""
    st.subheader("Who is who")
    if not result.speaker_matches:
        enabled = data.group_voiceprints().get(group)
        state = "keeps voiceprints" if enabled is not None and enabled.enabled else "keeps no voiceprints"
        st.caption(f"Group {group} {state}; this session has no voice matches. A group that keeps voiceprints "
                   "(switch it on under Settings & privacy) names the people it knows in its next meetings.")
        return
    st.caption("Speakers are matched to the people this group named before, by voice. Confidence is the "
               "similarity of the voices (1 = identical). Confirm a right match, correct or reject a wrong one: "
               "the person's voiceprint learns from confirmed voices only.")
    for label, match in result.speaker_matches.items():
        with st.container(border=True):
            left, mid, right = st.columns([3, 2, 4])
            who = match.person or display_name(result, label)
            confidence = f" · confidence {match.confidence:.2f}" if match.confidence is not None else ""
            left.markdown(f"**{who}** ({label})  \n{STATUS.get(match.status, match.status)}{confidence}")
            if match.person and match.status != "confirmed":
                if mid.button("Confirm", key=f"confirm_{session_id}_{label}", icon=":material/check:"):
                    _do(lambda: data.confirm_speaker(session_id, label), f"Confirmed {match.person}.")
                if mid.button("Reject", key=f"reject_{session_id}_{label}", icon=":material/close:"):
                    _do(lambda: data.reject_speaker(session_id, label), f"{label} is no longer {match.person}.")
            name = right.text_input("It is really…", key=f"correct_{session_id}_{label}",
                                    placeholder="a name", label_visibility="collapsed")
            if right.button("Correct", key=f"correct_button_{session_id}_{label}") and name.strip():
                _do(lambda: data.rename_speaker(session_id, label, name.strip()), f"{label} is {name.strip()}.")


def doubt_fixes(result: SessionResult, session_id: int) -> None:
    """Under the "may be one person" warning, one button per such pair (merge the one with less
    speech into the other); a speaker who "may be two people" is pointed to the split below."""
    from analyzer.metrics.confidence import merge_suggestions

    for keep, drop in merge_suggestions(result):
        if st.button(f"They are one person: merge {display_name(result, drop)} into {display_name(result, keep)}",
                     key=f"doubt_merge_{session_id}_{keep}_{drop}", icon=":material/call_merge:"):
            _merge(session_id, keep, drop)
    present = set(result.diarization.speakers)
    if any(c.maybe_two and c.speaker in present for c in result.diarization.confidence):
        st.caption("Two people heard as one? Give the stretch that was someone else's to a new speaker under "
                   "**Correct who spoke when** below (Split a stretch).")


def _merge(session_id: int, keep: str, drop: str) -> None:
    from analyzer.pipeline.corrections import merge_speakers

    _do(lambda: data.correct_session(session_id, lambda r, v: merge_speakers(r, keep, drop, voice=v)),
        f"Merged {drop} into {keep}.")


def corrections(result: SessionResult, session_id: int) -> None:
    """Merge two speakers, split a stretch of one, or give a turn to someone else."""
    from analyzer.pipeline.corrections import reassign_turn, split_speaker

    st.subheader("Correct who spoke when")
    labels = list(result.diarization.speakers)
    if not labels:
        st.caption("No speakers to correct.")
        return
    st.caption("When one person was split into two speakers, merge them; when two people were heard as one, "
               "split the stretch (or the turn) that was someone else's. Every number, the verdict, the exports "
               "and the trends are recomputed.")
    name = {label: f"{display_name(result, label)} ({label})" for label in labels}
    merge, split, turn = st.tabs(["Merge two speakers", "Split a stretch", "Re-assign a turn"])
    with merge:
        a, b = st.columns(2)
        keep = a.selectbox("Keep", labels, format_func=name.get, key="merge_keep")
        drop = b.selectbox("…and merge into it", [x for x in labels if x != keep], format_func=name.get,
                           key="merge_drop")
        if st.button("Merge", key="merge_button", disabled=drop is None):
            _merge(session_id, keep, drop)
    with split:
        a, b, c, d = st.columns(4)
        label = a.selectbox("Speaker", labels, format_func=name.get, key="split_label")
        start = b.number_input("From (s)", min_value=0.0, value=0.0, step=1.0, key="split_from")
        end = c.number_input("To (s)", min_value=0.0, value=float(result.recording.duration), step=1.0,
                             key="split_to")
        into = d.selectbox("Was really", [None, *[x for x in labels if x != label]],
                           format_func=lambda x: "a new speaker" if x is None else name[x], key="split_into")
        if st.button("Split", key="split_button"):
            _do(lambda: data.correct_session(session_id, lambda r, v: split_speaker(r, label, start, end, into, voice=v)[0]),
                f"Split {label} from {start:g} s to {end:g} s.")
    with turn:
        a, b = st.columns(2)
        index = a.number_input("Turn number", min_value=0, max_value=max(0, len(result.turns) - 1), value=0,
                               step=1, key="turn_index")
        into_turn = b.selectbox("Was really", [None, *labels],
                                format_func=lambda x: "a new speaker" if x is None else name[x], key="turn_into")
        if st.button("Re-assign", key="turn_button"):
            _do(lambda: data.correct_session(session_id, lambda r, v: reassign_turn(r, int(index), into_turn, voice=v)[0]),
                f"Turn {int(index)} re-assigned.")


def _do(action, message: str) -> None:  # noqa: ANN001
    try:
        note = action()
    except AnalyzerError as exc:
        st.error(str(exc))
        return
    st.toast(f"{message} Note: {note[0].upper()}{note[1:]}." if isinstance(note, str) and note else message)
    st.rerun()
