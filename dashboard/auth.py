"""Optional password protection for a shared deployment.

When ``FLOORSHARE_DASHBOARD_PASSWORD`` is set (or ``[floorshare] password`` in
Streamlit's ``secrets.toml``), every page asks for it once per browser session.
Without it the dashboard is open to whoever reaches its address, which is why
``floorshare dashboard`` listens on localhost unless told otherwise.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

PASSWORD_ENV = "FLOORSHARE_DASHBOARD_PASSWORD"
_STATE_KEY = "auth_signed_in"


def configured_password() -> str | None:
    """The dashboard password from the environment or secrets, or None when there is none."""
    password = os.environ.get(PASSWORD_ENV, "")
    if not password:
        try:
            password = str(st.secrets.get("floorshare", {}).get("password", ""))
        except Exception:  # no secrets.toml: Streamlit raises when secrets are read
            password = ""
    return password or None


def password_protected() -> bool:
    return configured_password() is not None


def signed_in() -> bool:
    """True when no password is configured or this browser session gave it; else show the form."""
    expected = configured_password()
    if expected is None or st.session_state.get(_STATE_KEY):
        return True
    st.title("Floorshare")
    with st.form("auth_form"):
        given = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        if hmac.compare_digest(given.encode(), expected.encode()):
            st.session_state[_STATE_KEY] = True
            st.rerun()
        st.error("That password is not right. Ask whoever runs this dashboard.")
    return False
