"""Browser sessions: the cookie carries a random token; the store keeps its SHA-256 as the id.

Cookie signing, HttpOnly/SameSite flags and CSRF token derivation belong to the web layer; this
module keeps the server-side truth: who, until when, from where, and the per-session CSRF secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workspace.errors import InvalidValue
from workspace.models import User, WebSession, utcnow
from workspace.tokens import new_token, token_hash
from workspace.users import UserInfo, user_info


@dataclass(frozen=True)
class SessionInfo:
    user: UserInfo
    created_at: datetime
    expires_at: datetime
    csrf_secret: str
    client_address: str


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie; never stored
    session: SessionInfo


def create_session(
    db: Session, user_id: int, *, ttl: timedelta, client_address: str = "", now: datetime | None = None
) -> NewSession:
    now = now or utcnow()
    if ttl <= timedelta(0):
        raise InvalidValue("a session lifetime must be positive.")
    user = db.get(User, user_id)
    if user is None or user.disabled:
        raise InvalidValue("sessions are only for existing, enabled users.")
    token = new_token()
    row = WebSession(
        id=token_hash(token), user_id=user_id, created_at=now, expires_at=now + ttl,
        csrf_secret=secrets.token_hex(32), client_address=client_address[:64],
    )
    db.add(row)
    db.flush()
    return NewSession(token, _info(row, user))


def _info(row: WebSession, user: User) -> SessionInfo:
    return SessionInfo(user_info(user), row.created_at, row.expires_at, row.csrf_secret, row.client_address)


def get_session(db: Session, token: str, *, now: datetime | None = None) -> SessionInfo | None:
    """The live session for a cookie token; None when unknown, expired or the user is disabled."""
    now = now or utcnow()
    if not token or len(token) > 200:
        return None
    found = db.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.id == token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= now or user.disabled:
        return None
    return _info(row, user)


def extend_session(db: Session, token: str, *, ttl: timedelta, now: datetime | None = None) -> bool:
    """Sliding expiry: a live session now ends ``ttl`` from ``now``. False when it is gone."""
    now = now or utcnow()
    row = db.get(WebSession, token_hash(token))
    if row is None or row.expires_at <= now:
        return False
    row.expires_at = now + ttl
    db.flush()
    return True


def delete_session(db: Session, token: str) -> bool:
    """Sign out; False when there was no such session."""
    result = db.execute(delete(WebSession).where(WebSession.id == token_hash(token)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_user_sessions(db: Session, user_id: int) -> int:
    result = db.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_expired_sessions(db: Session, *, now: datetime | None = None) -> int:
    """Delete every expired session (housekeeping); returns how many."""
    result = db.execute(delete(WebSession).where(WebSession.expires_at <= (now or utcnow())))
    return int(result.rowcount)  # type: ignore[attr-defined]
