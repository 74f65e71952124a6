"""Sign-in attempts and rate limiting, per account and per client address.

Kept in the database, not in memory: the API runs several worker processes (and maybe machines),
and per-process counters would multiply an attacker's budget by their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workspace.models import LoginAttempt, utcnow
from workspace.users import username_key


@dataclass(frozen=True)
class LoginPolicy:
    window: timedelta = timedelta(minutes=15)
    per_account: int = 5  # failures on one account, from anywhere, since its last success
    per_client: int = 20  # failures from one address, on any accounts


def record_login_attempt(
    db: Session, username: str, client_address: str, succeeded: bool, *, now: datetime | None = None
) -> None:
    db.add(LoginAttempt(
        username_key=username_key(username)[:64], client_address=client_address[:64],
        succeeded=succeeded, at=now or utcnow(),
    ))
    db.flush()


def login_blocked(
    db: Session, username: str, client_address: str, *, policy: LoginPolicy = LoginPolicy(),
    now: datetime | None = None,
) -> str | None:
    """Why a sign-in must be refused right now ("account" or "client"), or None.

    Account failures count from the account's last success within the window, so the owner signing
    in clears them; client failures always count for the whole window.
    """
    since = (now or utcnow()) - policy.window
    key = username_key(username)[:64]
    last_ok = db.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username_key == key, LoginAttempt.succeeded.is_(True), LoginAttempt.at >= since
        )
    )
    failures = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
    account = failures.where(LoginAttempt.username_key == key)
    account = account.where(LoginAttempt.at > last_ok) if last_ok else account.where(LoginAttempt.at >= since)
    if db.scalar(account) >= policy.per_account:
        return "account"
    if db.scalar(failures.where(LoginAttempt.client_address == client_address[:64],
                                LoginAttempt.at >= since)) >= policy.per_client:
        return "client"
    return None


def purge_login_attempts(db: Session, *, older_than: timedelta, now: datetime | None = None) -> int:
    result = db.execute(delete(LoginAttempt).where(LoginAttempt.at < (now or utcnow()) - older_than))
    return int(result.rowcount)  # type: ignore[attr-defined]
