"""Exports of a session: each format parsed back and checked against the result."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from session_builders import make_result

from analyzer.core.errors import ConfigError
from analyzer.formats.exports import EVENT_FORMATS, EXPORT_FORMATS, export, to_csv_people, to_csv_turns, to_srt, to_vtt
from analyzer.formats.report_html import to_html
from analyzer.formats.rttm import read_rttm

NAMES = {"SPEAKER_00": "Ana Lopez", "SPEAKER_01": "Ben", "SPEAKER_02": "Chi"}
SRT_TIME = r"(\d\d):(\d\d):(\d\d),(\d\d\d)"
VTT_TIME = r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)"


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    """A strict SubRip reader: numbered blocks, ``start --> end``, then text lines."""
    cues = []
    for number, block in enumerate(text.strip().split("\n\n"), start=1):
        lines = block.split("\n")
        assert lines[0] == str(number), block
        match = re.fullmatch(f"{SRT_TIME} --> {SRT_TIME}", lines[1])
        assert match, lines[1]
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        assert 0 <= start < end
        assert len(lines) >= 3 and lines[2].strip()
        cues.append((start, end, "\n".join(lines[2:])))
    return cues


def parse_vtt(text: str) -> list[tuple[float, float, str, str]]:
    """A strict WebVTT reader for cues of one voice span: returns (start, end, voice, text)."""
    blocks = text.strip().split("\n\n")
    assert blocks[0] == "WEBVTT"
    cues = []
    for block in blocks[1:]:
        timing, payload = block.split("\n", 1)
        match = re.fullmatch(f"{VTT_TIME} --> {VTT_TIME}", timing)
        assert match, timing
        voice = re.fullmatch(r"<v ([^>]+)>([^<]*)", payload)
        assert voice, payload
        assert "&" not in re.sub(r"&(amp|lt|gt);", "", voice.group(2))  # every & < > escaped
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        assert 0 <= start < end
        unescape = lambda s: s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")  # noqa: E731
        cues.append((start, end, unescape(voice.group(1)), unescape(voice.group(2))))
    return cues


def test_srt_has_every_word_and_names():
    result = make_result(speaker_names=NAMES)
    cues = parse_srt(to_srt(result))
    said = " ".join(text.split(": ", 1)[1] for _, _, text in cues).split()
    assert said == [w.word.text for w in result.words if w.speaker is not None]
    assert cues[0][2].startswith("Ana Lopez: Welcome")
    assert all(end - start <= 6.0 + 1e-6 for start, end, _ in cues)


def test_vtt_voices_carry_names_and_escape_markup():
    result = make_result(speaker_names=NAMES)
    cues = parse_vtt(to_vtt(result))
    assert {voice for _, _, voice, _ in cues} == {"Ana Lopez", "Ben", "Chi"}
    assert any("& keep it <short>." in text for _, _, _, text in cues)
    assert cues[0][0] == pytest.approx(result.turns[0].start, abs=1e-3)


def test_rttm_read_back_by_pyannote_database_and_by_our_reader(tmp_path):
    from pyannote.database.util import load_rttm

    result = make_result(speaker_names=NAMES)
    path = tmp_path / "meeting.rttm"
    path.write_text(export(result, "rttm"))
    annotation = load_rttm(str(path))["meeting"]
    assert set(annotation.labels()) == {"Ana_Lopez", "Ben", "Chi"}
    expected = sum(s.duration for s in result.diarization.segments if s.speaker == "SPEAKER_00")
    assert annotation.label_duration("Ana_Lopez") == pytest.approx(expected, abs=1e-3)
    ours = read_rttm(path)["meeting"]
    assert len(ours) == len(result.diarization.segments)


def test_csv_people_and_turns_parse_back():
    result = make_result(speaker_names=NAMES)
    people = list(csv.DictReader(io.StringIO(to_csv_people(result))))
    assert [p["name"] for p in people] == ["Ana Lopez", "Ben", "Chi"]
    assert float(people[0]["share"]) == pytest.approx(0.55)
    assert people[0]["directives"] == "2" and people[0]["interruptions_made"] == "1"
    turns = list(csv.DictReader(io.StringIO(to_csv_turns(result))))
    assert [t["text"] for t in turns] == [t.text for t in result.turns]
    assert turns[2]["name"] == "Ana Lopez" and float(turns[2]["start_s"]) == pytest.approx(result.turns[2].start)


def test_json_export_is_the_result_json():
    from analyzer.formats.serialize import result_from_dict

    result = make_result(speaker_names=NAMES)
    data = json.loads(export(result, "json"))
    assert data["speakers"][0]["name"] == "Ana Lopez"
    assert result_from_dict(data).turns == result.turns


def test_markdown_has_verdict_people_and_transcript():
    text = export(make_result(speaker_names=NAMES), "md")
    assert "## Verdict: hub and spoke" in text
    assert re.search(r"^\| Ana Lopez \| 00:00:10 \| 55% \| 2 \|", text, re.M)
    assert "**Ben** [00:00:04]: Could we look at travel first?" in text


class _ResourceFinder(HTMLParser):
    """Collects every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for key, value in attrs:
            if key in ("src", "href", "xlink:href", "srcset", "action", "poster", "data") and value:
                self.references.append(value)
            if key == "style" and value and "url(" in value:
                self.references.append(value)


def test_html_is_self_contained_and_escaped():
    page = to_html(make_result(speaker_names=NAMES))
    finder = _ResourceFinder()
    finder.feed(page)
    assert finder.references == []
    assert not re.search(r"https?:|//[a-z]|@import|url\(", page, re.I)
    assert {"svg", "rect", "table"} <= finder.tags and "script" not in finder.tags and "link" not in finder.tags
    assert "Ana Lopez" in page and "SPEAKER_00" not in page
    assert "&lt;short&gt;" in page and "<short>" not in page


@pytest.mark.browser
def test_html_opens_headless_without_any_request(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    path = tmp_path / "report.html"
    path.write_text(to_html(make_result(speaker_names=NAMES)), encoding="utf-8")
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        chromium = Path("/usr/bin/chromium")  # Debian's (.ci/run installs it); never downloaded
        try:
            browser = pw.chromium.launch(executable_path=str(chromium) if chromium.exists() else None,
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
        except Exception as exc:  # noqa: BLE001 - no browser installed here
            pytest.skip(f"no headless Chromium ({str(exc).splitlines()[0]})")
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        assert page.locator("svg").count() >= 2
        assert "Ana Lopez" in page.inner_text("body")
        browser.close()
    assert requests == [path.as_uri()]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_every_format_works_without_metrics(fmt):
    text = export(make_result(metrics=False, speaker_names={"SPEAKER_01": "Ben"}), fmt)
    if fmt in EVENT_FORMATS:  # no events in this session: only the header, nobody named
        assert text == "label,name,start_s,end_s,above_db,quote\n"
    else:
        assert "Ben" in text


def test_unknown_format_is_a_usage_error():
    with pytest.raises(ConfigError, match="unknown export format 'docx'; choose one of json, csv"):
        export(make_result(), "docx")


def test_aliases():
    result = make_result()
    assert export(result, "markdown") == export(result, "md")
    assert export(result, "WebVTT") == export(result, "vtt")


def test_exports_write_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for fmt in EXPORT_FORMATS:
        export(make_result(), fmt)
    assert list(Path(tmp_path).iterdir()) == []


def test_with_names_replaces_whole_labels_only():
    from analyzer.formats.names import with_names

    result = make_result(speaker_names={"SPEAKER_0": "Zed", "SPEAKER_01": "Ben"})
    assert with_names(result, "SPEAKER_01 spoke to SPEAKER_0 and SPEAKER_00.") == "Ben spoke to Zed and SPEAKER_00."
