"""Accounts, passwords, API keys, sessions and sign-in rate limiting — on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures
from workspace import AlreadyExists, InvalidValue, NotFound, Role, Scope, Workspace
from workspace.keys import create_api_key, list_api_keys, revoke_api_key, verify_api_key
from workspace.logins import LoginPolicy, login_blocked, record_login_attempt
from workspace.models import utcnow
from workspace.users import (
    create_user, get_user, link_oidc, list_users, require_user, set_disabled, set_password, set_role,
    verify_password,
)
from workspace.websessions import (
    create_session, delete_session, extend_session, get_session, purge_expired_sessions,
)

# Real Argon2id, with small parameters so the suite stays quick; the defaults are tested once below.
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"


def uniq(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:6]}"


def test_usernames_are_unique_ignoring_case(store: Workspace):
    name = uniq("Alice")
    with store.session() as db:
        made = create_user(db, name, role=Role.ANALYST, display_name=" Alice A. ", password=PASSWORD, hasher=FAST)
    assert made.username == name and made.display_name == "Alice A." and made.role is Role.ANALYST
    for clash in (name.upper(), name.lower(), f"  {name}  "):
        with pytest.raises(AlreadyExists, match="already exists"), store.session() as db:
            create_user(db, clash, role="reader")
    with store.session(readonly=True) as db:
        assert get_user(db, name.upper()).id == made.id
        assert [u.username for u in list_users(db)].count(name) == 1


def test_bad_names_and_roles_are_refused(store: Workspace):
    with store.session() as db:
        with pytest.raises(InvalidValue, match="not a role"):
            create_user(db, uniq("bob"), role="superuser")
        with pytest.raises(InvalidValue, match="not a valid username"):
            create_user(db, "bob smith", role="reader")
        with pytest.raises(InvalidValue, match="10 to 1024"):
            create_user(db, uniq("bob"), role="reader", password="short")


def test_unknown_user_suggests_close_names(store: Workspace):
    name = uniq("charlotte")
    with store.session() as db:
        create_user(db, name, role="reader")
    with store.session(readonly=True) as db, pytest.raises(NotFound) as err:
        require_user(db, name[:-1] + "x")
    assert name in err.value.suggestions and "Did you mean" in str(err.value)


def test_password_verification(store: Workspace):
    name = uniq("dave")
    with store.session() as db:
        create_user(db, name, role="analyst", password=PASSWORD, hasher=FAST)
    with store.session() as db:
        ok = verify_password(db, name.upper(), PASSWORD, hasher=FAST)
        assert ok is not None and ok.username == name and ok.last_login_at is not None
        assert verify_password(db, name, PASSWORD + "!", hasher=FAST) is None
        assert verify_password(db, uniq("nobody"), PASSWORD, hasher=FAST) is None
        assert verify_password(db, "", PASSWORD, hasher=FAST) is None
        set_disabled(db, name, True)
        assert verify_password(db, name, PASSWORD, hasher=FAST) is None
        set_disabled(db, name, False)
        set_password(db, name, "a brand new passphrase", must_change=True, hasher=FAST)
        assert verify_password(db, name, PASSWORD, hasher=FAST) is None
        again = verify_password(db, name, "a brand new passphrase", hasher=FAST)
        assert again is not None and again.must_change_password


def test_old_hash_parameters_are_upgraded_on_sign_in(store: Workspace):
    """A hash made with weaker parameters is replaced by one with argon2-cffi's defaults."""
    from sqlalchemy import select

    from workspace.models import User

    name, default = uniq("erin"), PasswordHasher()
    with store.session() as db:
        create_user(db, name, role="reader", password=PASSWORD, hasher=FAST)
    with store.session() as db:
        assert verify_password(db, name, PASSWORD, hasher=default) is not None
    with store.session(readonly=True) as db:
        stored = db.scalar(select(User.password_hash).where(User.username == name))
    assert stored.startswith("$argon2id$") and not default.check_needs_rehash(stored)
    assert f"m={default.memory_cost},t={default.time_cost},p={default.parallelism}" in stored


def test_oidc_identity_is_unique(store: Workspace):
    a, b = uniq("fay"), uniq("gus")
    with store.session() as db:
        create_user(db, a, role="reader")
        create_user(db, b, role="reader")
        assert link_oidc(db, a, "http://issuer", "sub-1").oidc_subject == "sub-1"
        with pytest.raises(AlreadyExists):
            link_oidc(db, b, "http://issuer", "sub-1")
        assert set_role(db, b, "admin").role is Role.ADMIN


def test_api_keys_verify_until_revoked_or_expired(store: Workspace):
    name = uniq("hal")
    now = utcnow()
    with store.session() as db:
        user = create_user(db, name, role="integrator")
        new = create_api_key(db, user.id, "nightly export", scope=Scope.READ)
        expiring = create_api_key(db, user.id, "short", scope="write", expires_at=now + timedelta(hours=1))
    assert new.token.startswith("psk_") and len(new.token) > 40 and new.key.prefix == new.token[:12]
    assert new.token not in repr(new.key)
    with store.session() as db:
        auth = verify_api_key(db, new.token)
        assert auth is not None and auth.user.username == name and auth.key.scope is Scope.READ
        assert auth.key.last_used_at is not None
        assert verify_api_key(db, new.token[:-1] + ("A" if new.token[-1] != "A" else "B")) is None
        assert verify_api_key(db, "not-a-key") is None
        assert verify_api_key(db, expiring.token, now=now + timedelta(minutes=59)) is not None
        assert verify_api_key(db, expiring.token, now=now + timedelta(hours=2)) is None
        with pytest.raises(NotFound):  # someone else's key looks like no key at all
            revoke_api_key(db, new.key.id, owner_id=user.id + 10_000)
        assert revoke_api_key(db, new.key.id, owner_id=user.id).revoked_at is not None
        assert verify_api_key(db, new.token) is None
        assert [k.name for k in list_api_keys(db, user.id)] == ["short"]
        assert len(list_api_keys(db, user.id, include_revoked=True)) == 2
        set_disabled(db, name, True)
        assert verify_api_key(db, expiring.token) is None


def test_api_key_input_is_checked(store: Workspace):
    with store.session() as db:
        user = create_user(db, uniq("ida"), role="analyst")
        with pytest.raises(InvalidValue, match="scope"):
            create_api_key(db, user.id, "k", scope="admin")
        with pytest.raises(InvalidValue, match="future"):
            create_api_key(db, user.id, "k", expires_at=utcnow() - timedelta(seconds=1))
        with pytest.raises(InvalidValue, match="name"):
            create_api_key(db, user.id, "  ")


def test_sessions_expire_and_end_on_disable_or_password_change(store: Workspace):
    name = uniq("jo")
    now = utcnow()
    with store.session() as db:
        user = create_user(db, name, role="analyst", password=PASSWORD, hasher=FAST)
        s1 = create_session(db, user.id, ttl=timedelta(hours=1), client_address="127.0.0.1", now=now)
        s2 = create_session(db, user.id, ttl=timedelta(hours=1), now=now)
    assert s1.token != s2.token and len(s1.session.csrf_secret) == 64
    with store.session() as db:
        live = get_session(db, s1.token, now=now + timedelta(minutes=30))
        assert live is not None and live.user.username == name and live.client_address == "127.0.0.1"
        assert get_session(db, s1.token, now=now + timedelta(hours=2)) is None
        assert extend_session(db, s1.token, ttl=timedelta(hours=1), now=now + timedelta(minutes=50))
        assert get_session(db, s1.token, now=now + timedelta(minutes=100)) is not None
        assert get_session(db, "forged") is None
        assert delete_session(db, s2.token) and not delete_session(db, s2.token)
        assert purge_expired_sessions(db, now=now + timedelta(days=1)) >= 1
        assert get_session(db, s1.token, now=now) is None
        s3 = create_session(db, user.id, ttl=timedelta(hours=1))
        set_disabled(db, name, True)
        assert get_session(db, s3.token) is None
        with pytest.raises(InvalidValue, match="enabled"):
            create_session(db, user.id, ttl=timedelta(hours=1))
        set_disabled(db, name, False)
        s4 = create_session(db, user.id, ttl=timedelta(hours=1))
        set_password(db, name, "another long passphrase", hasher=FAST)
        assert get_session(db, s4.token) is None


def test_sign_in_rate_limit_per_account_and_per_client(store: Workspace):
    name, now = uniq("kim"), utcnow()
    policy = LoginPolicy(window=timedelta(minutes=15), per_account=3, per_client=5)
    with store.session() as db:
        for i in range(3):
            assert login_blocked(db, name, "10.0.0.1", policy=policy, now=now) is None
            record_login_attempt(db, name, f"10.0.0.{i + 1}", False, now=now)
        assert login_blocked(db, name.upper(), "10.9.9.9", policy=policy, now=now) == "account"
        assert login_blocked(db, name, "10.9.9.9", policy=policy, now=now + timedelta(minutes=16)) is None
        # a success clears the account's failures (its owner got in); the client budget stays
        record_login_attempt(db, name, "10.0.0.1", True, now=now + timedelta(seconds=1))
        assert login_blocked(db, name, "10.9.9.9", policy=policy, now=now + timedelta(seconds=2)) is None
        client = f"192.0.2.{uuid.uuid4().int % 250}"
        for i in range(5):
            record_login_attempt(db, uniq("spray"), client, False, now=now)
        assert login_blocked(db, uniq("other"), client, policy=policy, now=now) == "client"
