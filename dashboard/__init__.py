"""Floorshare's Streamlit dashboard: upload, session reports, history and trends.

Pages live in :mod:`dashboard.app_pages`; they render only. Tables and charts come
from :mod:`dashboard.charts` (pure), cached reads from :mod:`dashboard.data`, and the
background analysis queue from :mod:`dashboard.jobs`.
"""
