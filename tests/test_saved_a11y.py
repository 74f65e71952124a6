"""axe-core on the Saved pages and on a results page carrying the "Save search" form: no serious or
critical violation, one h1 each (real server, browser, workspace on both databases)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from test_ui_a11y import AXE, axe_violations, browser  # noqa: F401 - fixture
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures
from web_server import ServerThread
from workspace import alerts as ledger
from workspace import open_store
from workspace import saved_searches as saved

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(180)]
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(module_settings, workspace_url) -> Iterator[tuple[ServerThread, int]]:  # noqa: F811
    with open_store(workspace_url) as ws:
        with ws.session() as db:
            s = saved.create(db, "local", "Oil watch", {"q": "oil"}, watch=True, description="crude and OPEC")
            saved.create(db, "local", "Broken", {"q": '"open'})
        with ws.session() as db:
            ledger.record_matches(db, [ledger.Match(s.id, "d1", "Oil up", "https://example.org/1", "<mark>oil</mark> up", None)],
                                  {s.id: ["webhook"]})
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": False})
    with ServerThread(settings) as srv:
        yield srv, s.id


def test_saved_pages_have_no_serious_axe_violations(browser, server) -> None:  # noqa: F811
    srv, sid = server
    assert AXE.is_file()
    for path in ("/saved", f"/saved/{sid}", "/?q=oil", "/saved/999999"):
        status = 404 if path.endswith("999999") else 200
        assert axe_violations(browser, srv.url, path, status) == [], path
