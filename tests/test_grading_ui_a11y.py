"""Accessibility of the Sources page (issue 16): axe-core finds no serious/critical violation on the
table, a source's page (grade editor, history) and its 404; a workspace of its own (never the shared one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch, helpers

from periscope.settings import Settings
from test_ui_a11y import AXE, axe_violations
from web_server import ServerThread, chromium

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(180)]
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(es: Elasticsearch, module_settings: Settings, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[ServerThread]:
    db: Path = tmp_path_factory.mktemp("grading-ui") / "workspace.sqlite3"
    helpers.bulk(es, ({"_index": module_settings.index_alias, "_id": f"s-{i}", "_source": {
        "id": f"s-{i}", "source": "Wire Alpha" if i % 2 else "Blog Beta", "title": f"story {i}", "collection": "c",
        "reliability": "F", "credibility": "6"}} for i in range(10)), refresh="wait_for")
    with ServerThread(module_settings.model_copy(update={"database_url": f"sqlite:///{db}"})) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.mark.parametrize(("path", "status"), [
    ("/sources", 200), ("/sources?sort=reliability&desc=true", 200), ("/sources/Wire%20Alpha", 200),
    ("/sources/Wire%20Alpah", 404),
])
def test_sources_pages_have_no_serious_axe_violations(browser, server, path: str, status: int) -> None:
    assert AXE.is_file(), "run `npm install` (package.json lists axe-core)"
    assert axe_violations(browser, server.url, path, status) == []
