"""axe-core on the Watchlists, Batch search, saved-search edit and Warnings (with its alert form) pages:
no serious or critical violation, one h1 each; the list forms work from the keyboard alone (real server,
browser, workspace on both databases)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from test_ui_a11y import AXE, axe_violations, browser  # noqa: F401 - fixture
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures
from web_server import ServerThread
from workspace import batches, open_store
from workspace import saved_searches as saved
from workspace import watchlists
from workspace.watchlists import Entry

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(240)]
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(module_settings, workspace_url) -> Iterator[tuple[ServerThread, dict[str, int]]]:  # noqa: F811
    with open_store(workspace_url) as ws:
        with ws.session() as db:
            s = saved.create(db, "local", "Oil watch", {"q": "oil"}, watch=True, email_to="desk@example.org")
            w = watchlists.create(db, "local", "Sanctions", [Entry("Rosneft", aliases=("Rosneft Oil",)),
                                                             Entry("Aurora", "vessel")])
            b = batches.save(db, "local", "names", [
                {"term": "oil", "q": "oil", "count": 3, "relation": "eq", "error": None, "link": "/?q=oil",
                 "hits": [{"id": "d1", "title": "Oil up", "url": None}]},
                {"term": "gas", "q": "gas", "count": None, "relation": "eq", "error": None, "link": "/?q=gas",
                 "hits": [], "pending": True}])
        ids = {"saved": s.id, "watchlist": w.id, "batch": b.id}
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": False})
    with ServerThread(settings) as srv:
        yield srv, ids


def test_pages_have_no_serious_axe_violations(browser, server) -> None:  # noqa: F811
    srv, ids = server
    assert AXE.is_file()
    for path in ("/watchlists", f"/watchlists/{ids['watchlist']}", "/batch", f"/batch/{ids['batch']}",
                 f"/saved/{ids['saved']}/edit", "/warnings?q=oil"):
        assert axe_violations(browser, srv.url, path, 200) == [], path


def test_watchlist_form_by_keyboard(browser, server) -> None:  # noqa: F811
    srv, _ = server
    ctx = browser.new_context(base_url=srv.url)
    try:
        pg = ctx.new_page()
        pg.goto("/watchlists")
        pg.focus("#wl-name")
        pg.keyboard.type("Keyboard list")
        for _ in range(3):  # description, file, text area
            pg.keyboard.press("Tab")
        pg.keyboard.type("Opec\nSaudi Aramco | Aramco")
        pg.keyboard.press("Tab")
        pg.keyboard.press("Tab")  # format select, then the button
        with pg.expect_navigation():
            pg.keyboard.press("Enter")
        assert pg.locator("h1").inner_text() == "Keyboard list"
        assert pg.locator("table.trend-table tbody tr").count() == 2
    finally:
        ctx.close()
