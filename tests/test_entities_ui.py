"""The Warnings, entity and network pages in a real browser: content, keyboard paths, axe-core."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

import warning_corpus as corpus
from periscope.settings import Settings
from test_ui_a11y import AXE, axe_violations, browser  # noqa: F401 - browser is a shared fixture
from web_server import ServerThread

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(240)]
pytest.importorskip("playwright.sync_api")

PAGES = ["/warnings", "/warnings?interval=day&countries=FR", "/entities/person/Rising%20Person",
         "/entities/org/Alpha%20Group", "/network", "/network?org=Alpha%20Group", "/entities/person/Nobody"]


@pytest.fixture(scope="module")
def server(es: Elasticsearch, index_alias: str, module_settings: Settings) -> Iterator[ServerThread]:
    corpus.load(es, index_alias)
    with ServerThread(module_settings) as srv:
        yield srv


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_axe_violations(browser, server, path: str) -> None:
    assert AXE.is_file(), "run `npm install` (package.json lists axe-core)"
    status = 404 if "Nobody" in path else 200
    assert axe_violations(browser, server.url, path, status) == []


@pytest.fixture
def pg(browser, server) -> Iterator[object]:
    page = browser.new_page()
    yield page
    page.close()


def test_warnings_page_shows_rising_with_sparkline_and_table(pg, server) -> None:
    pg.goto(server.url + "/warnings")
    assert pg.locator("h1").count() == 1
    row = pg.locator("#warn-person tbody tr").first
    assert row.locator("th").inner_text() == "Rising Person" or "Newcomer" in row.inner_text()
    pg.wait_for_selector("#warn-person .spark canvas")  # uPlot drew it (served from node_modules)
    assert pg.locator("#warn-person details table tbody tr").count() == 2
    href = pg.locator("#warn-person tbody tr a", has_text="Documents").first.get_attribute("href")
    assert "date_from=1987-03-09" in href and "person=" in href


def test_entity_page_from_keyboard(pg, server) -> None:
    pg.goto(server.url + "/warnings")
    link = pg.locator("#warn-person tbody th a", has_text="Rising Person")
    link.focus()
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/entities/person/Rising%20Person*")
    assert "Rising Person" in pg.locator("h1").inner_text()
    assert pg.locator("#spikes tbody tr").count() >= 1
    pg.wait_for_selector("#entity-chart canvas")


def test_network_node_click_adds_filter_and_table_alternative(pg, server) -> None:
    pg.goto(server.url + "/network?types=org")
    pg.wait_for_selector("#network canvas")
    assert pg.locator("#nodes tbody tr").count() >= 3 and pg.locator("#edges tbody tr").count() >= 1
    add = pg.locator("#nodes tbody tr", has_text="Alpha Group").locator("a", has_text="Add")
    add.focus()
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/network?*org=Alpha+Group*")
