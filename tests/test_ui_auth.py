"""With API keys on, the UI asks for a key once and then carries a session; the API accepts the header
or that session cookie."""

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from web_server import sign_in

pytestmark = pytest.mark.integration
KEY = "s3cret-key"  # loopback: any key is allowed


@pytest.fixture(scope="module")
def client(module_settings):
    settings = module_settings.model_copy(update={"api_keys": [KEY]})
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def test_pages_redirect_to_sign_in_without_key(client):
    r = client.get("/?q=oil")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2F%3Fq%3Doil"
    assert client.get("/doc/x").status_code == 303
    assert client.get("/api/v1/search").status_code == 401
    assert client.get("/login").status_code == 200


def test_wrong_key_is_refused_and_nothing_is_set(client):
    r = sign_in(client, "nope")
    assert r.status_code == 401 and "not valid" in r.text
    assert "periscope_session" not in r.cookies
    client.cookies.clear()


def test_sign_in_sets_a_session_cookie_used_by_pages_and_api(client):
    r = sign_in(client, KEY, "/?q=oil")
    assert r.status_code == 303 and r.headers["location"] == "/?q=oil"
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert KEY not in cookie  # the cookie names a session, it never holds the key
    assert client.get("/?q=oil").status_code == 200
    assert client.get("/api/v1/search", params={"q": "oil"}).status_code == 200
    # a wrong header is not rescued by a good cookie: integrators get a clear 401
    assert client.get("/api/v1/search", headers={"X-API-Key": "bad"}).status_code == 401
    client.cookies.clear()


def test_open_redirects_are_refused(client):
    for target in ("https://evil.example", "//evil.example"):
        r = sign_in(client, KEY, target)
        assert r.headers["location"] == "/"
        client.cookies.clear()
