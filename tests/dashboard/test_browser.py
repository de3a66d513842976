"""End to end in a real headless Chromium: `floorshare dashboard`, upload, real models, report, rename.

Debian's chromium (/usr/bin/chromium, installed by .ci/run) is driven by Playwright's Python
package; no browser is ever downloaded. Screenshots are kept in test-artifacts/dashboard/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analyzer.storage import SessionStore
from dashboard.wording import verdict_title
from tests.conftest import ROOT, SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
ANALYSIS_TIMEOUT_MS = 20 * 60 * 1000  # 1-2 min on 2 idle cores; generous for a loaded machine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install -y chromium; .ci/run installs it)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(port: int, server: subprocess.Popen, timeout: float = 120.0) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the dashboard process exited; see test-artifacts/dashboard/server.log"
        try:
            with opener.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the dashboard did not answer on port {port} within {timeout:.0f} s")


@pytest.fixture
def server(tmp_path):
    """`floorshare dashboard --port P --db TMP` as a user starts it; stopped (SIGTERM) afterwards."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port, db = free_port(), tmp_path / "floorshare.db"
    env = {k: v for k, v in os.environ.items() if k not in ("FLOORSHARE_DB", "FLOORSHARE_DASHBOARD_PASSWORD")}
    with (ARTIFACTS / "server.log").open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "analyzer", "dashboard", "--port", str(port),
                                    "--db", str(db)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        try:
            wait_healthy(port, process)
            yield f"http://localhost:{port}", db
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert "Floorshare dashboard: http://localhost:" in (ARTIFACTS / "server.log").read_text()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF (Chromium writes one uncompressed ``/Type /Page`` object per page)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_upload_sample_read_report_rename_and_reload(server):
    from playwright.sync_api import expect, sync_playwright

    from analyzer.metrics.agreements import STARTING_GOALS

    url, db = server
    with SessionStore(str(db)) as store:  # the group's agreements, in force before the meeting
        store.set_goals("default", STARTING_GOALS, valid_from="2000-01-01")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 5200})  # tall: the whole report in one shot
        page.goto(url)
        expect(page.get_by_role("heading", name="Analyse a recording")).to_be_visible(timeout=60_000)
        page.set_input_files("input[type=file]", str(SAMPLES / "pyannote-sample" / "sample.wav"))
        expect(page.get_by_text("sample.wav").first).to_be_visible(timeout=30_000)
        page.get_by_text("Keep the audio so that turns can be played back").click()  # off by default
        page.get_by_role("button", name="Analyse", exact=True).click()
        expect(page.get_by_text("diarize:").first).to_be_visible(timeout=120_000)  # live progress per stage
        shot(page, "1-analysing")

        expect(page.get_by_role("heading", name="Session report")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
        assert "/report?session=" in page.url
        with SessionStore(str(db)) as store:
            (summary,) = store.list_sessions()
            result = store.load(summary.id)
        assert result.diarization.speakers == ("SPEAKER_00", "SPEAKER_01")
        expect(page.get_by_role("heading", name=verdict_title(summary.verdict))).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name="Our agreements")).to_be_visible(timeout=30_000)
        for label in result.diarization.speakers:
            expect(page.get_by_label(label, exact=True)).to_have_value(label, timeout=60_000)  # rename inputs
        expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=60_000)
        expect(page.locator("audio")).to_have_count(1)  # the kept audio, playable from any turn
        page.wait_for_timeout(5000)  # let the charts draw
        shot(page, "2-report")

        page.get_by_label("SPEAKER_01", exact=True).fill("Bea")
        page.get_by_role("button", name="Save names").click()
        page.wait_for_timeout(3000)
        page.reload()
        expect(page.get_by_role("heading", name="Session report")).to_be_visible(timeout=60_000)
        expect(page.get_by_label("SPEAKER_01", exact=True)).to_have_value("Bea", timeout=60_000)
        with SessionStore(str(db)) as store:
            assert store.load(summary.id).speaker_names == {"SPEAKER_01": "Bea"}
        expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(5000)
        shot(page, "3-after-rename-and-reload")

        for address, heading in (("analyse", "Analyse a recording"), ("trends", "Trends")):  # typed addresses
            page.goto(f"{url}/{address}")
            expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Page not found")).to_have_count(0)
            assert page.url.rstrip("/").endswith(f"/{address}")

        projector = browser.new_page(viewport={"width": 1280, "height": 720})  # a projector's screen
        projector.goto(f"{url}/feedback?session={summary.id}")
        block = projector.locator("#floorshare-feedback")
        expect(block).to_be_visible(timeout=60_000)
        expect(block.get_by_text("Bea", exact=True)).to_be_visible()  # the name given, not the label
        expect(block.get_by_text("Our agreements:")).to_be_visible()
        assert "SPEAKER_" not in block.inner_text()
        assert block.bounding_box()["height"] <= 720  # one screen, no scrolling
        projector.wait_for_timeout(1000)
        shot(projector, "4-feedback")
        pdf = projector.pdf(path=str(ARTIFACTS / "feedback.pdf"), prefer_css_page_size=True, print_background=True)
        assert pdf_pages(pdf) == 1, f"the printed feedback has {pdf_pages(pdf)} pages"
        browser.close()
