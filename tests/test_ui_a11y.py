"""Accessibility of the analyst UI: axe-core (npm, injected from node_modules) on the search, document,
sign-in and error pages must find no serious or critical violation; structure checks axe cannot make."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch, helpers

from mappings import index_name
from periscope.settings import Settings
from test_ui import corpus_docs
from web_server import KEY, ServerThread, chromium, free_port

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(180)]
pytest.importorskip("playwright.sync_api")
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def server(es: Elasticsearch, module_settings: Settings) -> Iterator[ServerThread]:
    helpers.bulk(es, ({"_index": index_name(module_settings.index_alias), "_id": d["id"], "_source": d}
                      for d in corpus_docs()), refresh="wait_for")
    with ServerThread(module_settings) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def axe_violations(browser, base_url: str, path: str, status: int) -> list[str]:
    # axe is injected as an inline script: only the test's context bypasses the page's CSP
    ctx = browser.new_context(base_url=base_url, bypass_csp=True)
    try:
        pg = ctx.new_page()
        assert pg.goto(path).status == status
        assert pg.locator("h1").count() == 1, f"{path}: one h1 per page"
        pg.add_script_tag(path=str(AXE))
        result = pg.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                for v in result["violations"] if v["impact"] in ("serious", "critical")]
    finally:
        ctx.close()


@pytest.mark.parametrize(("path", "status"), [
    ("/", 200), ("/?q=sanctions&language=en", 200), ("/?q=zzyzx+qwertyuiop", 200), ("/doc/en-1", 200),
    ("/doc/no-such-id", 404), ("/?q=%22unclosed", 400), ("/?date_from=2024-13-45", 400), ("/login", 200),
])
def test_no_serious_axe_violations(browser, server, path: str, status: int) -> None:
    assert AXE.is_file(), "run `npm install` (package.json lists axe-core)"
    assert axe_violations(browser, server.url, path, status) == []


def test_unavailable_page_has_no_serious_axe_violations(browser, module_settings: Settings) -> None:
    dead = module_settings.model_copy(update={"es_url": [f"http://127.0.0.1:{free_port()}"], "es_max_retries": 0,
                                              "es_request_timeout": 2.0})
    with ServerThread(dead) as srv:
        assert axe_violations(browser, srv.url, "/?q=oil", 503) == []


@pytest.fixture
def pg(browser, server) -> Iterator[object]:
    """A page in a fresh context (CSP on, as users get it)."""
    ctx = browser.new_context(base_url=server.url)
    yield ctx.new_page()
    ctx.close()


def test_skip_link_goes_past_the_facets(pg) -> None:
    pg.goto("/?q=sanctions")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip"
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.activeElement.id") == "main"
    pg.keyboard.press("Tab")  # the next stop is in the results, not in the sidebar's facets
    assert pg.evaluate("!!document.activeElement.closest('main') && !document.activeElement.closest('aside')")


def test_opening_a_document_focuses_its_heading(pg) -> None:
    pg.goto("/?q=sanctions")
    pg.locator("#hits li.hit .hit-title a").first.click()
    pg.wait_for_url("**/doc/**")
    pg.wait_for_function("() => document.activeElement && document.activeElement.id === 'doc-title'")
    pg.goto("/doc/en-1")  # a full page load too
    pg.wait_for_function("() => document.activeElement && document.activeElement.id === 'doc-title'")


def test_typing_a_date_does_not_submit_until_done(pg) -> None:
    pg.goto("/?q=sanctions")
    date = pg.locator("#date_from")
    date.click(position={"x": 12, "y": 10})  # the month segment
    pg.keyboard.type("03012024", delay=60)
    pg.wait_for_timeout(400)
    assert "date_from" not in pg.url, f"submitted while typing: {pg.url}"
    pg.keyboard.press("Enter")
    pg.wait_for_url("**date_from=2024-03-01**")


def test_timeline_is_not_an_image_holding_links(pg) -> None:
    pg.goto("/")
    svg = pg.locator("#timeline")
    assert svg.get_attribute("role") != "img"
    links = svg.locator("a")
    assert links.count() >= 1
    assert all(a.get_attribute("aria-label") for a in links.all())
    links.first.focus()  # keyboard operable: bars are reachable and followable
    assert pg.evaluate("document.activeElement.closest('svg') !== null")


def test_sign_in_and_out_under_the_csp(browser, server, module_settings: Settings) -> None:
    with ServerThread(module_settings.model_copy(update={"api_keys": [KEY]})) as srv:
        for bypass_csp in (False, True):  # first as users get it (CSP on), then with axe injected
            ctx = browser.new_context(base_url=srv.url, bypass_csp=bypass_csp)
            pg = ctx.new_page()
            csp: list[str] = []
            pg.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
            pg.goto("/doc/en-1")
            pg.wait_for_url("**/login?next=%2Fdoc%2Fen-1")
            pg.fill("#key", KEY)
            pg.get_by_role("button", name="Sign in").click()
            pg.wait_for_url(srv.url + "/doc/en-1")
            assert pg.locator("#doc-title").count() == 1
            if bypass_csp:
                pg.add_script_tag(path=str(AXE))
                result = pg.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
                assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
            pg.get_by_role("button", name="Sign out").click()
            pg.wait_for_url("**/login")
            assert pg.goto("/").url.endswith("/login?next=%2F")  # signed out for real
            assert not csp, csp[0][:300]
            ctx.close()
