"""AppTest of every dashboard page against a seeded database (no browser)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import jobs
from tests.dashboard.conftest import APP, LED_MEETING
from tests.conftest import seg, words_from_script

# The Analyse page's fake models answer with the led meeting (tests/conftest.py: fake_models).
FAKE_MEETING = ([seg(s, e, speaker) for s, e, speaker, _ in LED_MEETING],
                words_from_script([(s, e, text) for s, e, _, text in LED_MEETING]))

TIMEOUT = 60


def open_page(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error", "title",
                                  "header", "subheader") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_report_shows_verdict_shares_and_every_section(seeded):
    at = open_page("app_pages/report.py", session=str(seeded.led))
    text = all_text(at)
    result = seeded.store.load(seeded.led)
    assert "Monday planning" in text
    assert "One to many" in text  # the verdict in plain words
    assert "Ana spoke" in text  # a reason, with the group's name for SPEAKER_00
    assert "not judgements" in text or "no judgement" in text  # the estimates note
    subheaders = [s.value for s in at.subheader]
    for section in ("Speaking share", "Who spoke when", "How the conversation ran over time", "Interruptions",
                    "Who spoke after whom", "Directive language", "Questions and response latency",
                    "Transcript", "Name the speakers", "Download"):
        assert section in subheaders
    share_table = next(df.value for df in at.dataframe if "share (%)" in df.value.columns)
    ana = next(s for s in result.metrics.speakers if s.speaker == "SPEAKER_00")
    row = share_table[share_table["person"] == "Ana"].iloc[0]
    assert row["share (%)"] == pytest.approx(round(100 * ana.share, 1))
    silent = share_table[share_table["silent attendee"]]
    assert list(silent["share (%)"]) == [0.0] and len(silent) == 1
    quotes = next(df.value for df in at.dataframe if "quote" in df.value.columns)
    assert "you need to check the totals" in " ".join(quotes["quote"])
    assert len(at.get("audio")) == 1  # the audio was kept, so turns can be played


def test_transcript_search_filters_turns(seeded):
    at = open_page("app_pages/report.py", session=str(seeded.led))
    at.text_input(key="transcript_search").input("launch").run()
    transcript = next(df.value for df in at.dataframe if {"text", "turn"} <= set(df.value.columns))
    assert len(transcript) == 2 and all("launch" in t for t in transcript["text"])


def test_rename_persists_to_the_database_and_every_view(seeded):
    at = open_page("app_pages/report.py", session=str(seeded.led))
    at.text_input(key=f"rename_{seeded.led}_SPEAKER_01").input("Ben")
    at.button[[b.label for b in at.button].index("Save names")].click().run()
    assert not at.exception
    assert seeded.store.load(seeded.led).speaker_names["SPEAKER_01"] == "Ben"
    share_table = next(df.value for df in at.dataframe if "share (%)" in df.value.columns)
    assert "Ben" in set(share_table["person"]) and "SPEAKER_01" not in set(share_table["person"])
    again = open_page("app_pages/report.py", session=str(seeded.led))
    assert again.text_input(key=f"rename_{seeded.led}_SPEAKER_01").value == "Ben"


def test_report_without_a_session_offers_a_choice(seeded):
    at = open_page("app_pages/report.py")
    assert at.selectbox[0].label == "Session"
    at.selectbox[0].set_value(seeded.open).run()
    assert "Schedule chat" in all_text(at)
    assert "The audio was not kept for this session" in all_text(at) and not at.get("audio")


def test_sessions_filters_by_group_and_verdict(seeded):
    at = open_page("app_pages/sessions.py")
    table = at.dataframe[0].value
    assert set(table["title"]) == {"Monday planning", "Schedule chat", "Board review"}
    at.selectbox(key="sessions_group").set_value("Board").run()
    assert list(at.dataframe[0].value["title"]) == ["Board review"]
    at.selectbox(key="sessions_group").set_value("All groups").run()
    led_verdict = seeded.store.summary(seeded.led).verdict
    at.multiselect(key="sessions_verdicts").set_value([led_verdict]).run()
    titles = set(at.dataframe[0].value["title"])
    assert "Monday planning" in titles
    assert all(s.verdict == led_verdict for s in seeded.store.list_sessions() if s.title in titles)


def test_sessions_open_a_report(seeded):
    at = open_page("app_pages/sessions.py")
    at.selectbox(key="sessions_selected").set_value(seeded.open).run()
    at.button(key="sessions_open").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Session report"] and at.query_params["session"] == str(seeded.open)
    assert "Schedule chat" in all_text(at)


def test_an_unreachable_database_is_one_line_not_a_traceback(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FLOORSHARE_DB", str(blocker / "x.db"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert len(at.error) == 1 and str(blocker) in at.error[0].value and "\n" not in at.error[0].value


def test_sessions_delete_asks_for_confirmation(seeded):
    at = open_page("app_pages/sessions.py")
    at.selectbox(key="sessions_selected").set_value(seeded.other).run()
    at.button(key="sessions_delete").click().run()
    assert any("Delete **Board review" in w.value for w in at.warning)
    assert len(seeded.store.list_sessions()) == 3  # nothing deleted before the confirmation
    at.button(key="sessions_delete_yes").click().run()
    assert not at.exception
    assert {s.id for s in seeded.store.list_sessions()} == {seeded.led, seeded.open}
    assert "Board review" not in set(at.dataframe[0].value["title"])


def test_trends_show_indices_verdicts_and_named_people(seeded):
    at = open_page("app_pages/trends.py")
    at.selectbox(key="trends_group").set_value("Team").run()
    assert not at.exception
    sessions = next(df.value for df in at.dataframe if "balance" in df.value.columns)
    assert list(sessions["title"]) == ["Monday planning", "Schedule chat"]  # oldest first
    trends = seeded.store.trends("Team")
    assert list(sessions["balance"]) == [round(s.indices.entropy_norm, 3) for s in trends.sessions]
    people = next(df.value for df in at.dataframe if "interruptions made" in df.value.columns)
    assert set(people["person"]) == {"Ana"} and len(people) == 2


def test_settings_say_where_the_data_is(seeded, tmp_path):
    at = open_page("app_pages/settings.py")
    text = all_text(at)
    assert str(tmp_path / "floorshare.db") in text
    assert "models" in text.lower() and "Upload limit" in text
    assert "Password: **none**" in text


def test_analyse_page_lists_groups_and_accepts_uploads(seeded):
    at = open_page("app_pages/analyse.py")
    assert at.title[0].value == "Analyse a recording"
    group_box = next(s for s in at.selectbox if s.label == "Group")
    assert {"Team", "Board"} <= set(group_box.options)
    assert len(at.get("file_uploader")) == 1


def test_password_is_required_when_configured(seeded, monkeypatch):
    monkeypatch.setenv("FLOORSHARE_DASHBOARD_PASSWORD", "s3cret")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Floorshare"]  # only the sign-in form, no page
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert at.error and "not right" in at.error[0].value
    at.text_input[0].input("s3cret")
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["Analyse a recording"]


def upload_folders() -> set[str]:
    import tempfile
    from pathlib import Path

    from dashboard.uploads import TEMP_PREFIX

    return {p.name for p in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*")}


def test_upload_is_analysed_stored_and_its_report_opens(seeded, fake_models, tmp_path):
    from tests.conftest import write_tone_wav

    before = upload_folders()
    wav = write_tone_wav(tmp_path / "upload.wav", 72.0, freq=523.0).read_bytes()
    at = open_page("app_pages/analyse.py")
    at.file_uploader[0].set_value(("../Weekly sync (room 2).wav", wav, "audio/wav"))
    next(t for t in at.text_input if t.label == "…or a new group").input("Design crew")
    next(t for t in at.text_input if t.label == "Attendees").input("Ana, Ben, Chloe, Dev")
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = jobs.job_queue().jobs()[-1]
    assert job.name == "Weekly_sync_room_2.wav"  # sanitised: no folders, no spaces or brackets
    assert jobs.job_queue().wait(job, 60) and job.status == "done", job.error
    at.run()  # the page notices the finished job and opens its report
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Session report"]
    stored = seeded.store.summary(job.session_id)
    assert (stored.group, stored.title) == ("Design crew", "Weekly sync room 2")
    result = seeded.store.load(job.session_id)
    assert any(s.silent_attendee for s in result.metrics.speakers)  # the attendee list reached the metrics
    assert result.recording.path == "Weekly_sync_room_2.wav"  # no temporary path stored
    assert not list(seeded.store.audio_dir.glob(f"{result.recording.sha256}.*"))  # audio not kept by default
    assert upload_folders() == before  # the temporary upload is gone


def test_a_text_file_named_mp3_is_refused_in_one_line(seeded, fake_models):
    before = upload_folders()
    at = open_page("app_pages/analyse.py")
    at.file_uploader[0].set_value(("notes.mp3", b"this is not audio at all\n" * 40, "audio/mpeg"))
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("notes.mp3: ") and "audio" in at.error[0].value
    assert "\n" not in at.error[0].value and "/tmp" not in at.error[0].value
    assert jobs.job_queue().jobs() == []
    assert upload_folders() == before


def test_analyses_of_others_show_running_with_progress_and_queued(seeded, monkeypatch, tmp_path):
    import io

    from analyzer.core.config import AnalysisConfig
    from dashboard import jobs, uploads
    from tests.conftest import write_tone_wav
    from tests.dashboard.test_jobs_uploads import GatedAnalyzer

    gated = GatedAnalyzer()
    monkeypatch.setattr(jobs, "load_analyzer", lambda: gated)
    jobs.job_queue.clear()
    try:
        queue = jobs.job_queue()
        submitted = []
        for name, freq in (("first.wav", 200.0), ("second.wav", 300.0)):
            wav = write_tone_wav(tmp_path / name, 3.0, freq=freq)
            staged = uploads.stage_upload(io.BytesIO(wav.read_bytes()), name, wav.stat().st_size)
            submitted.append(queue.submit(staged, store=seeded.store, group="Team", title=name,
                                          config=AnalysisConfig()))
        for _ in range(250):
            if submitted[0].status == jobs.RUNNING:
                break
            threading_wait(0.02)
        at = open_page("app_pages/analyse.py")
        text = all_text(at)
        assert "Someone else's recording: analysing" in text
        assert "Someone else's recording: waiting, 1 ahead of it" in text
        assert "first.wav" not in text and "second.wav" not in text  # other people's file names stay private
        assert [p.proto.text for p in at.get("progress")][:2] == ["decode: done", "diarize: 0%"]
    finally:
        gated.gate.set()
        for job in submitted:
            queue.wait(job, 30)
        jobs.job_queue.clear()


def threading_wait(seconds: float) -> None:
    import threading

    threading.Event().wait(seconds)


def test_silent_attendees_can_be_named_too(seeded):
    at = open_page("app_pages/report.py", session=str(seeded.led))
    silent = next(s.speaker for s in seeded.store.load(seeded.led).metrics.speakers if s.silent_attendee)
    at.text_input(key=f"rename_{seeded.led}_{silent}").input("Devi")
    at.button[[b.label for b in at.button].index("Save names")].click().run()
    assert not at.exception
    assert seeded.store.load(seeded.led).speaker_names[silent] == "Devi"
    share_table = next(df.value for df in at.dataframe if "share (%)" in df.value.columns)
    assert share_table[share_table["person"] == "Devi"]["silent attendee"].item()


def test_downloads_offer_the_html_report_and_every_export_with_names(seeded):
    from analyzer.formats.exports import EVENT_FORMATS, EXPORT_FORMATS
    from dashboard import data

    at = open_page("app_pages/report.py", session=str(seeded.led))
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["HTML report (opens offline, can be emailed)", "Download .json"]
    formats = at.selectbox(key="export_format")
    assert set(formats.options) >= {"JSON (everything)", "CSV, one row per person", "RTTM (who spoke when)",
                                    "SRT subtitles", "WebVTT subtitles", "Markdown"}
    formats.set_value("vtt").run()
    assert [b.proto.label for b in at.get("download_button")][1] == "Download .vtt"
    html = data.session_export(seeded.led, "html", "Monday planning")
    assert html.startswith("<!DOCTYPE html") or html.lower().startswith("<!doctype html")
    assert "Monday planning" in html and "Ana" in html
    for fmt in EXPORT_FORMATS:
        exported = data.session_export(seeded.led, fmt, "Monday planning")
        if fmt in EVENT_FORMATS:  # no events in this session: only the header, nobody named
            assert exported.startswith("label,name,"), exported
            continue
        assert "Ana" in exported, fmt


def test_a_stored_analysis_refreshes_the_cached_lists(seeded, monkeypatch, tmp_path):
    import io

    from analyzer.core.config import AnalysisConfig
    from dashboard import data, jobs, uploads
    from tests.conftest import write_tone_wav
    from tests.dashboard.test_jobs_uploads import GatedAnalyzer

    gated = GatedAnalyzer()
    monkeypatch.setattr(jobs, "load_analyzer", lambda: gated)
    jobs.job_queue.clear()
    try:
        wav = write_tone_wav(tmp_path / "late.wav", 3.0, freq=610.0)
        staged = uploads.stage_upload(io.BytesIO(wav.read_bytes()), "late.wav", wav.stat().st_size)
        job = jobs.job_queue().submit(staged, store=seeded.store, group="Team", title="late",
                                      config=AnalysisConfig())
        cached = data.list_sessions()  # the Sessions page reads this while the analysis runs
        gated.gate.set()
        assert jobs.job_queue().wait(job, 30) and job.status == jobs.DONE
        assert len(data.list_sessions()) == len(cached) + 1
    finally:
        gated.gate.set()
        jobs.job_queue.clear()


def test_selecting_a_turn_plays_the_recording_from_its_start(seeded):
    at = open_page("app_pages/report.py", session=str(seeded.led))
    (audio,) = at.get("audio")
    assert (audio.proto.start_time, audio.proto.autoplay) == (0, False)
    turn = seeded.store.load(seeded.led).turns[3]
    at.session_state["transcript_table"] = {"selection": {"rows": [3], "columns": [], "cells": []}}
    at.run()
    (audio,) = at.get("audio")
    assert (audio.proto.start_time, audio.proto.autoplay) == (int(turn.start), True)
    assert any(m.value.startswith("Playing from 00:00:30: **Ana**") for m in at.markdown)
