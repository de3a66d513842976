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

navigation = st.navigation([
    st.Page(PAGES_DIR / "analyse.py", title="Analyse", icon=":material/upload_file:", url_path="analyse",
            default=True),
    st.Page(PAGES_DIR / "report.py", title="Session report", icon=":material/insights:", url_path="report"),
    st.Page(PAGES_DIR / "sessions.py", title="Sessions", icon=":material/list:", url_path="sessions"),
    st.Page(PAGES_DIR / "trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
    st.Page(PAGES_DIR / "settings.py", title="Settings & privacy", icon=":material/shield:",
            url_path="settings"),
])
st.sidebar.caption("Floorshare runs on this machine: recordings and results never leave it.")
navigation.run()
