"""Floorshare dashboard entry point: page setup, optional password, navigation.

Run with ``floorshare dashboard`` (or ``streamlit run dashboard/streamlit_app.py``).
The database comes from ``FLOORSHARE_DB``; a password is required when
``FLOORSHARE_DASHBOARD_PASSWORD`` is set.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts this file's folder on sys.path, not the project root; the pages
# import `dashboard.*` and `analyzer.*` as packages (also when the project is not installed).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from analyzer.core.errors import AnalyzerError  # noqa: E402
from dashboard import auth, data  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="Floorshare", page_icon=":material/forum:", layout="wide")

if not auth.signed_in():
    st.stop()
try:
    data.store()  # opens (and upgrades) the database once per server
except AnalyzerError as exc:
    st.error(str(exc), icon=":material/database:")
    st.stop()

PAGES = {
    "analyse": st.Page(PAGES_DIR / "analyse.py", title="Analyse", icon=":material/upload_file:", url_path="analyse"),
    "report": st.Page(PAGES_DIR / "report.py", title="Session report", icon=":material/insights:",
                      url_path="report"),
    "feedback": st.Page(PAGES_DIR / "feedback.py", title="Feedback for the group", icon=":material/co_present:",
                        url_path="feedback"),
    "sessions": st.Page(PAGES_DIR / "sessions.py", title="Sessions", icon=":material/list:", url_path="sessions"),
    "trends": st.Page(PAGES_DIR / "trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
    "agreements": st.Page(PAGES_DIR / "agreements.py", title="Agreements", icon=":material/handshake:",
                          url_path="agreements"),
    "settings": st.Page(PAGES_DIR / "settings.py", title="Settings & privacy", icon=":material/shield:",
                        url_path="settings"),
}


def _start() -> None:
    """The root address (``/``) opens Analyse at its own address, so that every page, the first one
    included, has an address that works when typed or bookmarked (``/analyse``)."""
    st.switch_page(PAGES["analyse"], query_params=dict(st.query_params))


# Streamlit serves the default page at "/" only; a hidden start page takes that place so that
# `/analyse` is an ordinary page address rather than "Page not found".
navigation = st.navigation([st.Page(_start, title="Start", url_path="start", default=True, visibility="hidden"),
                            *PAGES.values()])
st.sidebar.caption("Floorshare runs on this machine: recordings and results never leave it.")
navigation.run()
