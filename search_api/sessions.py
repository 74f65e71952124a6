"""Browser sessions: a signed, expiring session id in the cookie; the session itself on the server.

The cookie never holds a key: only a random session id, signed with the server secret
(``Settings.resolved_secret()``) by itsdangerous and refused after ``session_ttl_s``. What the id
stands for (which key or, later, which user signed in; its CSRF token; when it expires) lives in a
:class:`SessionStore`. The default store is in-process (a dict): sessions end when the server
restarts and are not shared between worker processes. The workspace store (SQLAlchemy) can back the
same small interface later; nothing else needs to change.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "periscope_session"
LOGIN_CSRF_COOKIE = "periscope_login_csrf"
LOGIN_CSRF_MAX_AGE_S = 3600


@dataclass
class Session:
    sid: str
    key_id: str | None  # which API key signed in (its non-secret id); None once users sign in instead
    expires_at: float
    user_id: str | None = None  # issue 12: the signed-in user
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    created_at: float = field(default_factory=time.time)

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


class SessionStore(Protocol):
    def save(self, session: Session) -> None: ...
    def load(self, sid: str) -> Session | None: ...
    def delete(self, sid: str) -> None: ...


class MemorySessionStore:
    """Sessions of this process (thread-safe). Expired ones are pruned as new ones are saved."""

    def __init__(self, max_sessions: int = 10_000) -> None:
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.max_sessions = max_sessions

    def save(self, session: Session) -> None:
        with self._lock:
            if len(self._items) >= self.max_sessions:
                self._items = {k: s for k, s in self._items.items() if not s.expired}
                while len(self._items) >= self.max_sessions:  # still full: drop the oldest
                    self._items.pop(min(self._items, key=lambda k: self._items[k].created_at))
            self._items[session.sid] = session

    def load(self, sid: str) -> Session | None:
        with self._lock:
            return self._items.get(sid)

    def delete(self, sid: str) -> None:
        with self._lock:
            self._items.pop(sid, None)


class Sessions:
    """Creates, finds and ends sessions; signs and checks the cookie value and login CSRF tokens."""

    def __init__(self, store: SessionStore, secret: bytes, ttl_s: int) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self._cookie = URLSafeTimedSerializer(secret, salt="periscope.session")
        self._login_csrf = URLSafeTimedSerializer(secret, salt="periscope.login-csrf")

    def create(self, *, key_id: str | None, user_id: str | None = None) -> tuple[Session, str]:
        """A new session and the (signed) cookie value that names it."""
        session = Session(sid=secrets.token_urlsafe(32), key_id=key_id, user_id=user_id,
                          expires_at=time.time() + self.ttl_s)
        self.store.save(session)
        return session, self._cookie.dumps(session.sid)

    def find(self, cookie_value: str | None) -> Session | None:
        """The live session a cookie names, or ``None`` (missing, forged, too old, ended)."""
        if not cookie_value or len(cookie_value) > 512:
            return None
        try:
            sid = self._cookie.loads(cookie_value, max_age=self.ttl_s)
        except BadSignature:  # includes SignatureExpired
            return None
        session = self.store.load(sid) if isinstance(sid, str) else None
        if session is None or session.expired:
            return None
        return session

    def end(self, session: Session) -> None:
        self.store.delete(session.sid)

    # --- CSRF for the sign-in form (no session yet): a signed double-submit token ------------------
    def new_login_token(self) -> str:
        return self._login_csrf.dumps(secrets.token_urlsafe(16))

    def login_token_ok(self, cookie_token: str | None, form_token: str | None) -> bool:
        if not cookie_token or not form_token or not secrets.compare_digest(cookie_token, form_token):
            return False
        try:
            self._login_csrf.loads(form_token, max_age=LOGIN_CSRF_MAX_AGE_S)
        except BadSignature:
            return False
        return True


def csrf_ok(session: Session | None, token: str | None) -> bool:
    """A state-changing form from a signed-in page carries its session's CSRF token."""
    return session is not None and bool(token) and secrets.compare_digest(session.csrf, token or "")
