"""AppTest: the meeting date on the Analyse page (from the recording unless typed in) and on the report."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard import jobs
from tests.dashboard.test_pages import FAKE_MEETING, all_text, open_page  # noqa: F401 - what the fake models answer


def test_an_upload_without_a_typed_date_takes_the_date_in_its_name(seeded, fake_models, tmp_path):  # noqa: F811
    from tests.conftest import write_tone_wav

    at = open_page("app_pages/analyse.py")
    field = next(d for d in at.date_input if d.label == "Meeting date")
    assert field.value is None  # empty: the recording decides, not today
    wav = write_tone_wav(tmp_path / "x.wav", 72.0, freq=523.0).read_bytes()
    at.file_uploader[0].set_value(("team 20260301.wav", wav, "audio/wav"))
    next(b for b in at.button if b.label == "Analyse").click().run()
    job = jobs.job_queue().jobs()[-1]
    assert jobs.job_queue().wait(job, 60) and job.status == "done", job.error
    stored = seeded.store.summary(job.session_id)
    assert (stored.recorded_at, stored.date_source) == ("2026-03-01T00:00:00+00:00", "file name")
    from dashboard import widgets

    shown: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(widgets.st, "success", lambda text, **_: shown.append(text))
        patch.setattr(widgets.st, "page_link", lambda *args, **kwargs: None)
        widgets.job_status(job, 0, own=True)  # the line the Analyse page shows for the finished upload
    assert "Meeting date: 2026-03-01 (from the file name)." in shown[0]
    at.run()
    assert "2026-03-01 (from the file name)" in all_text(at)  # the report says where the date came from


def test_a_typed_date_wins_and_a_plain_upload_gets_the_upload_day(seeded, fake_models, tmp_path):  # noqa: F811
    from tests.conftest import write_tone_wav

    at = open_page("app_pages/analyse.py")
    next(d for d in at.date_input if d.label == "Meeting date").set_value(date(2026, 2, 3))
    at.file_uploader[0].set_value(("team 20260301.wav", write_tone_wav(tmp_path / "a.wav", 72.0, freq=300.0)
                                   .read_bytes(), "audio/wav"))
    next(b for b in at.button if b.label == "Analyse").click().run()
    typed = jobs.job_queue().jobs()[-1]
    assert jobs.job_queue().wait(typed, 60) and typed.status == "done", typed.error
    assert seeded.store.summary(typed.session_id).recorded_at == "2026-02-03T00:00:00+00:00"
    assert seeded.store.summary(typed.session_id).date_source == "given"
    at = open_page("app_pages/analyse.py")
    at.file_uploader[0].set_value(("plain.wav", write_tone_wav(tmp_path / "b.wav", 72.0, freq=700.0)
                                   .read_bytes(), "audio/wav"))
    next(b for b in at.button if b.label == "Analyse").click().run()
    plain = jobs.job_queue().jobs()[-1]
    assert jobs.job_queue().wait(plain, 60) and plain.status == "done", plain.error
    stored = seeded.store.summary(plain.session_id)
    assert (stored.recorded_at[:10], stored.date_source) == (date.today().isoformat(), "upload")


def test_the_report_corrects_title_and_date_and_trends_follow(seeded):
    at = open_page("app_pages/report.py", session=str(seeded.open))
    at.text_input(key=f"details_title_{seeded.open}").input("Schedule chat (October)")
    at.date_input(key=f"details_date_{seeded.open}").set_value(date(2026, 10, 20))
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    summary = seeded.store.summary(seeded.open)
    assert (summary.title, summary.recorded_at, summary.date_source) == (
        "Schedule chat (October)", "2026-10-20T00:00:00+00:00", "given")
    assert "Schedule chat (October)" in [h.value for h in at.header]
    trends = open_page("app_pages/trends.py")
    trends.selectbox(key="trends_group").set_value("Team").run()
    sessions = next(df.value for df in trends.dataframe if "balance" in df.value.columns)
    assert list(sessions["title"]) == ["Schedule chat (October)", "Monday planning"]  # by meeting date
    assert str(sessions["meeting date"].iloc[0].date()) == "2026-10-20"

