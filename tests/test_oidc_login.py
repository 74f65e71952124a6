"""OpenID Connect sign-in end to end against a real provider (mock-oauth2-server): the browser is sent
to the provider's login form, comes back with a code, and lands signed in as a new reader account."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from tests.identity_helpers import FAST_SETTINGS, uniq
from tests.workspace_fixtures import oidc_server, pg_server, store, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration
REDIRECT = "http://testserver/login/oidc/callback"


@pytest.fixture(scope="module")
def client(module_settings, workspace_url, store, oidc_server):
    settings = module_settings.model_copy(update={
        "database_url": workspace_url, **FAST_SETTINGS, "oidc_issuer": oidc_server.issuer(),
        "oidc_client_id": "periscope-test", "oidc_client_secret": "not-a-secret", "oidc_redirect_url": REDIRECT})
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def _provider_login(authorize_url: str, username: str) -> str:
    """What the person does at the provider: open its login form and submit it. Returns the callback URL."""
    with httpx.Client(follow_redirects=False, timeout=30) as http:
        form = http.get(authorize_url)
        assert form.status_code == 200 and 'name="username"' in form.text
        done = http.post(str(form.url), data={"username": username,
                                              "claims": '{"name": "Olga OIDC", "preferred_username": "%s"}' % username})
    assert done.status_code == 302
    return done.headers["location"]


def test_sign_in_through_the_provider_creates_a_reader_and_lands_signed_in(client):
    name = uniq("olga")
    start = client.get("/login/oidc", params={"next": "/?q=oil"})
    assert start.status_code == 303
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    back = _provider_login(start.headers["location"], name)
    assert back.startswith(REDIRECT)
    landed = client.get(back.removeprefix("http://testserver"))
    assert landed.status_code == 200, re.findall(r"role=\"alert\">([^<]*)", landed.text)
    assert 'href="/?q=oil"' in landed.text
    assert "samesite=strict" in landed.headers["set-cookie"].lower()
    me = client.get("/api/v1/me").json()
    assert me["name"] == name and me["role"] == "reader" and me["auth"] == "session"
    assert client.get("/?q=oil").status_code == 200
    # a second sign-in finds the same account by (issuer, subject)
    client.cookies.clear()
    again = _provider_login(client.get("/login/oidc").headers["location"], name)
    client.get(again.removeprefix("http://testserver"))
    assert client.get("/api/v1/me").json()["name"] == name
    client.cookies.clear()


def test_a_forged_state_or_a_replayed_code_is_refused(client):
    start = client.get("/login/oidc")
    back = _provider_login(start.headers["location"], uniq("mallory"))
    forged = re.sub(r"state=[^&]+", "state=forged", back)
    r = client.get(forged.removeprefix("http://testserver"))
    assert r.status_code == 400 and "does not belong" in r.text
    client.cookies.clear()  # another browser (no flow cookie) replaying the answer
    r = client.get(back.removeprefix("http://testserver"))
    assert r.status_code == 400 and client.get("/api/v1/me").status_code == 401
    assert client.get("/login/oidc/callback", params={"error": "access_denied"}).status_code == 400
