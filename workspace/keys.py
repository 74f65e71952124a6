"""Personal API keys: created and revoked by their owner, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workspace.errors import InvalidValue, NotFound
from workspace.models import ApiKey, Scope, User, utcnow
from workspace.tokens import new_token, token_hash
from workspace.users import UserInfo, user_info

TOKEN_PREFIX = "psk_"  # recognisable in logs and by secret scanners
DISPLAY_PREFIX = 12  # "psk_" + 8 characters, shown in lists so owners can tell keys apart
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at granularity: no write on every request


@dataclass(frozen=True)
class ApiKeyInfo:
    id: int
    user_id: int
    name: str
    prefix: str
    scope: Scope
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class NewApiKey:
    token: str  # shown to the owner once; only its hash is stored
    key: ApiKeyInfo


@dataclass(frozen=True)
class KeyAuth:
    user: UserInfo
    key: ApiKeyInfo


def _info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        row.id, row.user_id, row.name, row.prefix, Scope(row.scope), row.expires_at, row.revoked_at,
        row.last_used_at, row.created_at,
    )


def create_api_key(
    db: Session, user_id: int, name: str, *, scope: Scope | str = Scope.READ,
    expires_at: datetime | None = None, now: datetime | None = None,
) -> NewApiKey:
    now = now or utcnow()
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidValue("an API key needs a name of 1 to 100 characters (what is it for?).")
    try:
        scope = Scope(scope)
    except ValueError:
        raise InvalidValue(f"{scope!r} is not a key scope; use read or write.") from None
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
        raise InvalidValue("expires_at must be a time-zone-aware date in the future.")
    if db.get(User, user_id) is None:
        raise NotFound("user id", str(user_id))
    token = new_token(TOKEN_PREFIX)
    row = ApiKey(
        user_id=user_id, name=name, prefix=token[:DISPLAY_PREFIX], key_hash=token_hash(token),
        scope=scope.value, expires_at=expires_at, created_at=now,
    )
    db.add(row)
    db.flush()
    return NewApiKey(token, _info(row))


def list_api_keys(db: Session, user_id: int, *, include_revoked: bool = False) -> list[ApiKeyInfo]:
    query = select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at, ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return [_info(row) for row in db.scalars(query)]


def revoke_api_key(
    db: Session, key_id: int, *, owner_id: int | None = None, now: datetime | None = None
) -> ApiKeyInfo:
    """Revoke a key. With ``owner_id``, someone else's key is reported as not found (no probing)."""
    row = db.get(ApiKey, key_id)
    if row is None or (owner_id is not None and row.user_id != owner_id):
        raise NotFound("API key", str(key_id))
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        db.flush()
    return _info(row)


def verify_api_key(db: Session, token: str, *, now: datetime | None = None) -> KeyAuth | None:
    """The key and its owner, or None when unknown, revoked, expired or the owner is disabled.

    Call it in a writing session: it records ``last_used_at`` (at most once a minute).
    """
    now = now or utcnow()
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = db.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.key_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    key, user = found
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now) or user.disabled:
        return None
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        db.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        key.last_used_at = now
    return KeyAuth(user_info(user), _info(key))
