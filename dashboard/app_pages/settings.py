"""Settings & privacy: where data and models live and what the dashboard keeps."""

from __future__ import annotations

import tempfile

import streamlit as st
from sqlalchemy.engine import make_url

from analyzer.adapters.model_registry import cache_dir
from dashboard import auth, data, uploads

st.title("Settings & privacy")
store = data.store()
url = make_url(store.url).render_as_string(hide_password=True)
address = st.get_option("server.address") or "all network interfaces"
usage_stats = st.get_option("browser.gatherUsageStats")
upload_limit = st.get_option("server.maxUploadSize")

st.subheader("Where things are")
st.markdown(f"""
- **Database:** `{url}` (set with `floorshare dashboard --db URL` or the `FLOORSHARE_DB` variable)
- **Kept audio:** `{store.audio_dir}` (only for sessions analysed with “Keep the audio”; deleted with
  the session)
- **Models:** `{cache_dir()}` (set with `FLOORSHARE_MODELS`; fetched once with `floorshare models fetch`)
- **Uploads while they are analysed:** private folders `{uploads.TEMP_PREFIX}*` in `{tempfile.gettempdir()}`
""")

st.subheader("Privacy")
st.markdown(f"""
- Analysis runs on this machine; recordings, transcripts and results are not sent anywhere.
- Usage statistics to Streamlit: **{"on" if usage_stats else "off"}** (`browser.gatherUsageStats` in
  `.streamlit/config.toml`).
- Upload limit: **{upload_limit} MB** per file (`server.maxUploadSize`). Each upload is checked by decoding it,
  whatever its name; its name is reduced to safe characters, and its temporary copy is removed when the
  analysis ends or fails.
- Listening on: **{address}**, port {st.get_option("server.port")}.
- Password: **{"required" if auth.password_protected() else "none"}**. For a shared deployment set the
  `{auth.PASSWORD_ENV}` variable (or `password` under `[floorshare]` in `.streamlit/secrets.toml`) before
  starting the dashboard, and serve it over HTTPS.
""")
st.subheader("Voiceprints")
st.markdown("A group can keep a **voiceprint** (a voice embedding: biometric data) of each speaker, so its next "
            "meetings name the people it already named. Ask the group before switching it on. Voiceprints stay "
            "in the database on this machine, are never in an export, and are deleted with their session, "
            "person or group; switching a group off deletes all of its voiceprints.")
inventory = data.group_voiceprints()
if not inventory:
    st.caption("No groups yet.")
for group, entry in inventory.items():
    left, right = st.columns([2, 3])
    on = left.toggle(f"**{group}** keeps voiceprints", value=entry.enabled, key=f"voiceprints_{group}")
    right.caption(f"{entry.voiceprints} voiceprint(s) stored, of {entry.people} named person(s)"
                  if entry.enabled or entry.voiceprints else "none stored")
    if on != entry.enabled:
        deleted = data.set_voiceprints(group, on)
        st.toast(f"{group}: voiceprints on." if on else f"{group}: voiceprints off; deleted {deleted}.")
        st.rerun()

st.caption("The numbers Floorshare shows are estimates from audio: they describe how a conversation was "
           "shared, not the people in it.")
