"""With API keys on, the UI asks for a key once (cookie) and the API accepts the header or that cookie."""

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(module_settings):
    settings = module_settings.model_copy(update={"api_keys": ["s3cret-key"]})
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
    r = client.post("/login", content="key=nope&next=%2F", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401 and "not valid" in r.text
    assert "periscope_key" not in r.cookies


def test_sign_in_sets_cookie_used_by_pages_and_api(client):
    r = client.post("/login", content="key=s3cret-key&next=%2F%3Fq%3Doil",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 303 and r.headers["location"] == "/?q=oil"
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    client.cookies.set("periscope_key", "s3cret-key")
    assert client.get("/?q=oil").status_code == 200
    assert client.get("/api/v1/search", params={"q": "oil"}).status_code == 200
    # a wrong header is not rescued by a good cookie: integrators get a clear 401
    assert client.get("/api/v1/search", headers={"X-API-Key": "bad"}).status_code == 401
    client.cookies.clear()


def test_open_redirects_are_refused(client):
    r = client.post("/login", content="key=s3cret-key&next=https%3A%2F%2Fevil.example",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.headers["location"] == "/"
    r = client.post("/login", content="key=s3cret-key&next=%2F%2Fevil.example",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.headers["location"] == "/"
