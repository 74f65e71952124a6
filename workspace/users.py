"""Local accounts: create, look up, enable/disable, passwords (Argon2id via argon2-cffi)."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workspace.errors import AlreadyExists, InvalidValue, NotFound
from workspace.models import Role, User, WebSession, utcnow
from workspace.store import add_unique

USERNAME = re.compile(r"^\w[\w.@-]{0,63}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 1024
HASHER = PasswordHasher()  # argon2-cffi's defaults (RFC 9106 low-memory profile, Argon2id)


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None
    must_change_password: bool
    has_password: bool
    oidc_issuer: str | None
    oidc_subject: str | None


def user_info(row: User) -> UserInfo:
    return UserInfo(
        row.id, row.username, row.display_name, Role(row.role), row.disabled, row.created_at,
        row.last_login_at, row.must_change_password, row.password_hash is not None,
        row.oidc_issuer, row.oidc_subject,
    )


def username_key(name: str) -> str:
    """The form uniqueness and look-ups use: NFKC, case-folded (``Alice`` = ``ALICE`` = ``alice``)."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()


def check_username(name: str) -> str:
    name = unicodedata.normalize("NFKC", name.strip())
    if not USERNAME.match(name):
        raise InvalidValue(
            f"{name!r} is not a valid username: 1-64 letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit."
        )
    return name


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidValue(
            f"{role!r} is not a role; choose one of {', '.join(r.value for r in Role)}."
        ) from None


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidValue(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters.")
    return password


def generate_password() -> str:
    """A one-time password to hand over (about 96 bits)."""
    return secrets.token_urlsafe(12)


def _row(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username_key == username_key(username)))


def user_row(db: Session, username: str) -> User:
    row = _row(db, username)
    if row is None:
        raise NotFound("user", username, db.scalars(select(User.username)).all())
    return row


def create_user(
    db: Session, username: str, *, role: Role | str, display_name: str = "",
    password: str | None = None, must_change_password: bool = False, hasher: PasswordHasher = HASHER,
) -> UserInfo:
    """A new account; ``password=None`` makes an account that can only sign in through OIDC."""
    name = check_username(username)
    role = check_role(role)
    if _row(db, name) is not None:  # before hashing: Argon2 is deliberately slow
        raise AlreadyExists("user", name)
    row = User(
        username=name, username_key=username_key(name), display_name=display_name.strip()[:200],
        role=role.value, must_change_password=must_change_password,
        password_hash=hasher.hash(check_password(password)) if password is not None else None,
    )
    add_unique(db, row, select(User.id).where(User.username_key == row.username_key), "user", name)
    return user_info(row)


def get_user(db: Session, username: str) -> UserInfo | None:
    row = _row(db, username)
    return user_info(row) if row else None


def get_user_by_id(db: Session, user_id: int) -> UserInfo | None:
    row = db.get(User, user_id)
    return user_info(row) if row else None


def require_user(db: Session, username: str) -> UserInfo:
    """The user, or :class:`NotFound` with close usernames as suggestions."""
    return user_info(user_row(db, username))


def list_users(db: Session, *, include_disabled: bool = True) -> list[UserInfo]:
    query = select(User).order_by(User.username_key)
    if not include_disabled:
        query = query.where(User.disabled.is_(False))
    return [user_info(row) for row in db.scalars(query)]


def set_disabled(db: Session, username: str, disabled: bool) -> UserInfo:
    """Disable (sign out everywhere: sessions deleted) or enable an account."""
    row = user_row(db, username)
    row.disabled = disabled
    if disabled:
        db.execute(delete(WebSession).where(WebSession.user_id == row.id))
    db.flush()
    return user_info(row)


def set_role(db: Session, username: str, role: Role | str) -> UserInfo:
    row = user_row(db, username)
    row.role = check_role(role).value
    db.flush()
    return user_info(row)


def set_password(
    db: Session, username: str, password: str, *, must_change: bool = False,
    hasher: PasswordHasher = HASHER,
) -> UserInfo:
    """Store a new password hash and end every session of the account."""
    row = user_row(db, username)
    row.password_hash = hasher.hash(check_password(password))
    row.must_change_password = must_change
    db.execute(delete(WebSession).where(WebSession.user_id == row.id))
    db.flush()
    return user_info(row)


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("periscope-timing-equaliser")


def verify_password(
    db: Session, username: str, password: str, *, hasher: PasswordHasher = HASHER,
    now: datetime | None = None,
) -> UserInfo | None:
    """The user when the password is right and the account enabled, else None.

    Unknown, disabled and password-less accounts still cost one Argon2 verification, so the answer
    time does not tell which usernames exist. A hash made with older parameters is upgraded and
    ``last_login_at`` set, so call it in a writing session.
    """
    row = _row(db, username) if 0 < len(username) <= 200 else None
    stored = row.password_hash if row is not None and not row.disabled else None
    try:
        hasher.verify(stored or _dummy_hash(hasher), password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    if stored is None or row is None:
        return None
    if hasher.check_needs_rehash(stored):
        row.password_hash = hasher.hash(password)
    row.last_login_at = now or utcnow()
    db.flush()
    return user_info(row)


def get_user_by_oidc(db: Session, issuer: str, subject: str) -> UserInfo | None:
    row = db.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    return user_info(row) if row else None


def link_oidc(db: Session, username: str, issuer: str, subject: str) -> UserInfo:
    """Tie an account to an OpenID Connect identity (one account per issuer+subject)."""
    row = user_row(db, username)
    other = get_user_by_oidc(db, issuer, subject)
    if other is not None and other.id != row.id:
        raise AlreadyExists("OIDC identity", f"{issuer} {subject}")
    row.oidc_issuer, row.oidc_subject = issuer, subject
    db.flush()
    return user_info(row)


def has_users(db: Session) -> bool:
    """Whether any account exists (the web layer then requires everyone to sign in)."""
    return db.scalar(select(User.id).limit(1)) is not None
