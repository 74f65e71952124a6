"""Finding 8: one safe-redirect check, used by the sign-in ``next`` and the document page's ``back`` link."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from search_api.ui.urls import safe_redirect
from web_server import KEY, sign_in

# As the browser sends them (percent-encoded in the query string) ...
ENCODED = ["/%5Cevil.example/", "/%09/evil.example/", "%5C%5Cevil", "/%5Ctevil", "https://evil", "//evil.example",
           "/%0a/evil.example", "/%0d%0a/evil", "%2F%2Fevil.example", "/%2F/evil.example", "/%5C/evil", "http:/evil",
           "javascript:alert(1)"]
# ... and as the application sees them (decoded once).
DECODED = ["/\\evil.example/", "/\t/evil.example/", "\\\\evil", "/\tevil", "https://evil", "//evil.example",
           "/\n/evil.example", " /x", "/x y", "/%2F/evil", "/%5Cevil", "/%09/evil", "/\x00/evil", "/\x7f", "", None]


@pytest.mark.parametrize("target", DECODED)
def test_unsafe_targets_fall_back_to_home(target: str | None) -> None:
    assert safe_redirect(target) == "/"


@pytest.mark.parametrize("target", ["/", "/?q=oil&language=en", "/doc/abc?back=%2F", "/docs", "/?q=Москва", "/?q=%22a+b%22", "/?q=oil%20prices", "/?q=a%5Cb"])
def test_same_site_paths_are_kept(target: str) -> None:
    assert safe_redirect(target) == target


@pytest.fixture(scope="module")
def client(module_settings):
    with TestClient(create_app(module_settings.model_copy(update={"api_keys": [KEY]})),
                    follow_redirects=False) as c:
        yield c


@pytest.mark.integration
@pytest.mark.parametrize("encoded", ENCODED)
def test_back_link_never_leaves_the_site(client: TestClient, encoded: str) -> None:
    sign_in(client)
    r = client.get(f"/doc/any-id?back={encoded}")
    backs = re.findall(r'<a class="back" href="([^"]*)"', r.text)
    assert backs and set(backs) == {"/"}, (encoded, backs)


@pytest.mark.integration
@pytest.mark.parametrize("encoded", ENCODED)
def test_sign_in_never_redirects_off_site(client: TestClient, encoded: str) -> None:
    client.cookies.clear()
    from urllib.parse import unquote

    r = sign_in(client, next_=unquote(encoded))
    assert r.status_code == 303 and r.headers["location"] == "/", (encoded, r.headers.get("location"))
    # the sign-in page does not echo it either
    page = client.get("/login", params={"next": unquote(encoded)})
    assert 'name="next" value="/"' in page.text
