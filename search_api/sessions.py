"""Browser sessions: a signed, expiring session id in the cookie; the session itself on the server.

The cookie never holds a secret: only a random session id, signed with the server secret
(``Settings.resolved_secret()``) by itsdangerous and refused after ``session_ttl_s``.

* A **user** who signs in (password or OpenID Connect) gets a row in the workspace store's
  ``sessions`` table (:mod:`workspace.websessions`): the same database for every worker and every
  machine (PostgreSQL deployments share them), keyed by the token's SHA-256, with its CSRF secret.
  Disabling the user or resetting their password deletes the rows: the next request is refused.
* The deprecated **shared-key** sign-in (``PERISCOPE_API_KEYS``, kept for one release) has no user
  to tie a row to, so its sessions stay in :class:`SqliteSessionStore`, a file under the cache dir.

The two are told apart by the signed value: user-session tokens carry the ``w:`` prefix.
Workspace calls here are single indexed look-ups; they run inline (short) on the event loop.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from itsdangerous import BadSignature, URLSafeTimedSerializer

from workspace import Workspace
from workspace.users import UserInfo
from workspace.websessions import SessionInfo, create_session, delete_session, get_session

SESSION_COOKIE = "periscope_session"
LOGIN_CSRF_COOKIE = "periscope_login_csrf"
LOGIN_CSRF_MAX_AGE_S = 3600
USER_PREFIX = "w:"  # signed values naming a workspace (user) session


@dataclass
class Session:
    sid: str
    key_id: str | None  # which API key signed in (its non-secret id); None once users sign in instead
    expires_at: float
    user_id: str | None = None  # legacy column of the key-session file (always None there)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    created_at: float = field(default_factory=time.time)
    user: UserInfo | None = None  # the signed-in account (workspace sessions)

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


class SqliteSessionStore:
    """Sessions in one SQLite file (stdlib ``sqlite3``, WAL): shared by the worker processes of a machine.

    A connection per operation (cheap for a local file) keeps it free of thread and lifecycle state.
    Rows are keyed by the SHA-256 of the session id, so the file alone does not hand out live cookies.
    """

    _COLUMNS = "key_id, user_id, csrf, created_at, expires_at"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS sessions (sid_hash TEXT PRIMARY KEY, key_id TEXT, user_id TEXT,"
                       " csrf TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL)")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(str(self.path), timeout=10, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    @staticmethod
    def _hash(sid: str) -> str:
        return hashlib.sha256(sid.encode("utf-8")).hexdigest()

    def save(self, session: Session) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (time.time(),))
            db.execute(f"INSERT OR REPLACE INTO sessions (sid_hash, {self._COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                       (self._hash(session.sid), session.key_id, session.user_id, session.csrf,
                        session.created_at, session.expires_at))

    def load(self, sid: str) -> Session | None:
        with self._connect() as db:
            row = db.execute(f"SELECT {self._COLUMNS} FROM sessions WHERE sid_hash = ?", (self._hash(sid),)).fetchone()
        if row is None:
            return None
        key_id, user_id, csrf, created_at, expires_at = row
        return Session(sid=sid, key_id=key_id, user_id=user_id, csrf=csrf, created_at=created_at,
                       expires_at=expires_at)

    def delete(self, sid: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE sid_hash = ?", (self._hash(sid),))


class Sessions:
    """Creates, finds and ends sessions; signs and checks the cookie value and login CSRF tokens."""

    def __init__(self, store: SessionStore, secret: bytes, ttl_s: int, workspace: Workspace | None = None) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.workspace = workspace
        self._cookie = URLSafeTimedSerializer(secret, salt="periscope.session")
        self._login_csrf = URLSafeTimedSerializer(secret, salt="periscope.login-csrf")

    def create(self, *, key_id: str | None, user_id: str | None = None) -> tuple[Session, str]:
        """A new session and the (signed) cookie value that names it."""
        session = Session(sid=secrets.token_urlsafe(32), key_id=key_id, user_id=user_id,
                          expires_at=time.time() + self.ttl_s)
        self.store.save(session)
        return session, self._cookie.dumps(session.sid)

    def create_for_user(self, user_id: int, client_address: str = "") -> tuple[Session, str]:
        """A workspace session for a signed-in account and the signed cookie value that names it."""
        assert self.workspace is not None, "user sessions need the workspace store"
        with self.workspace.session() as db:
            made = create_session(db, user_id, ttl=timedelta(seconds=self.ttl_s), client_address=client_address)
        return self._user_session(made.token, made.session), self._cookie.dumps(USER_PREFIX + made.token)

    @staticmethod
    def _user_session(token: str, info: SessionInfo) -> Session:
        return Session(sid=USER_PREFIX + token, key_id=None, expires_at=info.expires_at.timestamp(),
                       csrf=info.csrf_secret, created_at=info.created_at.timestamp(), user=info.user)

    def find(self, cookie_value: str | None) -> Session | None:
        """The live session a cookie names, or ``None`` (missing, forged, too old, ended, user disabled)."""
        if not cookie_value or len(cookie_value) > 512:
            return None
        try:
            sid = self._cookie.loads(cookie_value, max_age=self.ttl_s)
        except BadSignature:  # includes SignatureExpired
            return None
        if not isinstance(sid, str):
            return None
        if sid.startswith(USER_PREFIX):
            if self.workspace is None:
                return None
            token = sid.removeprefix(USER_PREFIX)
            with self.workspace.session(readonly=True) as db:
                info = get_session(db, token)
            return self._user_session(token, info) if info is not None else None
        session = self.store.load(sid)
        if session is None or session.expired:
            return None
        return session

    def end(self, session: Session) -> None:
        if session.sid.startswith(USER_PREFIX):
            if self.workspace is not None:
                with self.workspace.session() as db:
                    delete_session(db, session.sid.removeprefix(USER_PREFIX))
            return
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
