"""Finding 14: strong keys beyond loopback, keys kept hashed, sign-in rate limit, logout with CSRF,
and a cookie that holds a signed, expiring session id, never the key."""

from __future__ import annotations

import hashlib
import secrets
import socket
import time

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from periscope.settings import SettingsError, load_settings
from search_api.app import create_app
from search_api.security import KeyRing
from search_api.sessions import SESSION_COOKIE, MemorySessionStore, Sessions, SqliteSessionStore
from web_server import KEY, csrf_token, sign_in


@pytest.mark.parametrize("key", ["x", "short-key", "a" * 64, "abababababababababababab", "password1234567890ab"[:19]])
def test_weak_keys_are_refused_beyond_loopback(key: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(api_host="0.0.0.0", api_keys=[key])
    message = str(info.value)
    assert "PERISCOPE_API_KEYS" in message and "too weak" in message and "token_urlsafe" in message
    assert key not in message.split("(")[0]  # the key itself is never echoed


def test_strong_or_hashed_keys_are_accepted_beyond_loopback() -> None:
    strong = secrets.token_urlsafe(32)
    s = load_settings(api_host="0.0.0.0", api_keys=[strong, "sha256:" + "ab" * 32])
    assert len(s.api_keys) == 2
    assert load_settings(api_host="127.0.0.1", api_keys=["dev"]).api_keys == ["dev"]  # loopback: a dev's choice


def test_keys_are_kept_hashed_and_compared_whatever_the_form() -> None:
    plain, hashed_one, argon_one = "plain-" + secrets.token_hex(12), secrets.token_hex(16), "chosen by a person 42!"
    ring = KeyRing([plain, "sha256:" + hashlib.sha256(hashed_one.encode()).hexdigest(), PasswordHasher().hash(argon_one)])
    assert all(k.scheme in ("sha256", "argon2") and plain not in k.hash for k in ring.keys)
    for good in (plain, hashed_one, argon_one, argon_one):  # the second Argon2 check comes from memory
        assert ring.match(good) is not None
    for bad in ("", None, plain + "x", hashed_one.upper(), "sha256:" + hashed_one, argon_one[:-1], "x" * 5000):
        assert ring.match(bad) is None
    with pytest.raises(ValueError):
        KeyRing(["sha256:not-hex"])


@pytest.fixture
def client(module_settings):
    settings = module_settings.model_copy(update={"api_keys": [KEY], "login_failures_per_minute": 10})
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


@pytest.mark.integration
def test_cookie_holds_a_signed_session_id_not_the_key(client: TestClient) -> None:
    r = sign_in(client)
    assert r.status_code == 303
    cookie = client.cookies[SESSION_COOKIE]
    assert KEY not in cookie and KEY not in r.headers["set-cookie"]
    set_cookie = r.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "max-age=" in set_cookie
    assert client.get("/").status_code == 200
    # a forged or tampered cookie is no session
    client.cookies.set(SESSION_COOKIE, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert client.get("/").status_code == 303
    client.cookies.set(SESSION_COOKIE, KEY)  # the old cookie format (the raw key) no longer signs anyone in
    assert client.get("/").status_code == 303
    assert client.get("/api/v1/search").status_code == 401


@pytest.mark.integration
def test_sessions_expire(client: TestClient) -> None:
    sign_in(client)
    sessions = client.app.state.sessions
    session = sessions.find(client.cookies[SESSION_COOKIE])
    session.expires_at = time.time() - 1
    sessions.store.save(session)
    assert client.get("/").status_code == 303


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_session_stores_keep_the_same_contract(tmp_path, kind: str) -> None:
    store = MemorySessionStore(max_sessions=3) if kind == "memory" else SqliteSessionStore(tmp_path / "s.sqlite3")
    sessions = Sessions(store, b"k" * 32, ttl_s=3600)
    first, cookie = sessions.create(key_id="abc")
    found = sessions.find(cookie)
    assert found is not None and (found.sid, found.key_id, found.csrf) == (first.sid, "abc", first.csrf)
    assert first.sid not in cookie.split(".")[-1]  # the signature part is not the id
    assert sessions.find(cookie + "x") is None and sessions.find(first.sid) is None  # unsigned id: refused
    assert Sessions(store, b"other-secret" * 3, ttl_s=3600).find(cookie) is None  # another server's secret
    sessions.end(found)
    assert sessions.find(cookie) is None
    for _ in range(5):  # full stores make room instead of growing without bound
        sessions.create(key_id="abc")


@pytest.mark.integration
def test_a_session_is_seen_by_every_worker(module_settings) -> None:
    """Two app instances on one cache dir stand for two uvicorn worker processes."""
    settings = module_settings.model_copy(update={"api_keys": [KEY]})
    with TestClient(create_app(settings), follow_redirects=False) as a, \
            TestClient(create_app(settings), follow_redirects=False) as b:
        sign_in(a)
        b.cookies.set(SESSION_COOKIE, a.cookies[SESSION_COOKIE])
        assert b.get("/").status_code == 200


@pytest.mark.integration
def test_sign_in_needs_the_form_csrf_token(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"key": KEY, "next": "/", "csrf": "forged"})
    assert r.status_code == 403 and SESSION_COOKIE not in r.cookies
    client.cookies.clear()
    page = client.get("/login")
    token = csrf_token(page.text)
    client.cookies.clear()  # a cross-site form has the token text but not our cookie
    r = client.post("/login", data={"key": KEY, "next": "/", "csrf": token})
    assert r.status_code == 403


@pytest.mark.integration
def test_failed_sign_ins_are_rate_limited_per_client(client: TestClient) -> None:
    codes = [sign_in(client, key="wrong-" + str(i)).status_code for i in range(10)]
    assert codes == [401] * 10
    r = sign_in(client, key="wrong-again")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "Too many failed sign-ins" in r.text
    # while blocked even the right key waits (no oracle for guessing)
    assert sign_in(client).status_code == 429
    # the API keeps accepting X-API-Key
    assert client.get("/api/v1/search", headers={"X-API-Key": KEY}).status_code == 200


@pytest.mark.integration
def test_logout_needs_the_session_csrf_token_and_ends_the_session(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/")
    assert page.status_code == 200 and 'action="/logout"' in page.text
    cookie = client.cookies[SESSION_COOKIE]
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    r = client.post("/logout", data={"csrf": csrf_token(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    client.cookies.set(SESSION_COOKIE, cookie)  # replaying the old cookie does not bring the session back
    assert client.get("/").status_code == 303


def test_serve_refuses_a_weak_key_when_the_host_option_widens_the_bind(monkeypatch) -> None:
    from typer.testing import CliRunner

    from periscope import settings as settings_module
    from periscope.cli import app

    monkeypatch.setenv("PERISCOPE_API_KEYS", "short")
    monkeypatch.setenv("PERISCOPE_API_HOST", "127.0.0.1")
    settings_module.get_settings.cache_clear()
    # a port already taken: should the check ever be missing, uvicorn exits instead of serving forever
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        try:
            result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(taken.getsockname()[1])])
        finally:
            settings_module.get_settings.cache_clear()
    assert result.exit_code == 1
    assert "too weak" in result.output and "short" not in result.output.split("(")[0]


def test_the_failure_limiter_refills_and_stays_bounded() -> None:
    from search_api.ratelimit import FailureLimiter

    limiter = FailureLimiter(limit=2, period_s=0.2, max_clients=3)
    limiter.failed("a")
    limiter.failed("a")
    assert limiter.retry_after("a") >= 1 and limiter.retry_after("b") == 0  # per client
    time.sleep(0.15)  # 0.2 s / 2 tokens: one token back after 0.1 s
    assert limiter.retry_after("a") == 0
    for client in ("c", "d", "e", "f"):
        limiter.failed(client)
    assert len(limiter._buckets) == 3
