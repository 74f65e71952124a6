"""CSRF tokens for the UI's state-changing forms (save a search, ...).

Signed in: the session's own token. Without accounts (a loopback install) there is no session, so a
signed, expiring token from the server secret stands in: a page on another site can neither read ours
to copy it nor forge one.
"""

from __future__ import annotations

from starlette.requests import Request

from ..security import current_session
from ..sessions import csrf_ok


def form_token(request: Request) -> str:
    session = current_session(request)
    return session.csrf if session is not None else request.app.state.sessions.new_login_token()


def token_ok(request: Request, token: str | None) -> bool:
    session = current_session(request)
    if session is not None:
        return csrf_ok(session, token)
    return request.app.state.sessions.login_token_ok(token, token)  # the signature and its age
