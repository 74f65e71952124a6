"""The search page when facet counts are estimates (search_api/sampling.py): "≈" before every estimated
count, a note saying why, "about" in the timeline's labels; axe still finds nothing serious."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch, helpers

from mappings import index_name
from periscope.settings import Settings
from test_ui import corpus_docs
from test_ui_a11y import AXE, axe_violations
from web_server import ServerThread, chromium

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(180)]
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(es: Elasticsearch, module_settings: Settings) -> Iterator[ServerThread]:
    docs = corpus_docs()
    helpers.bulk(es, ({"_index": index_name(module_settings.index_alias), "_id": d["id"], "_source": d}
                      for d in docs), refresh="wait_for")
    with ServerThread(module_settings) as srv:
        # a tiny sample size instead of a big index: a search matching more than 14 of the 16 documents is
        # sampled (p ≈ 0.44: an empty sample, which would show no value, has a chance of ~1 in 10,000)
        srv.server.config.app.state.service.facet_sample_docs = 7
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def test_estimated_counts_are_labelled(browser, server) -> None:
    ctx = browser.new_context(base_url=server.url)
    try:
        pg = ctx.new_page()
        assert pg.goto("/?duplicates=show").status == 200
        assert "random sample" in pg.locator("#sampled-note").inner_text()
        counts = pg.locator("#facet-language .count")
        assert counts.count() > 0
        for i in range(counts.count()):
            assert counts.nth(i).inner_text().startswith("≈")
            assert counts.nth(i).get_attribute("aria-label").startswith("about ")
        if pg.locator("#timeline").count():
            assert "estimated" in pg.locator(".timeline-wrap figcaption").inner_text()
        # a search matching few documents: exact counts, no note, no ≈
        assert pg.goto("/?q=zzyzx+qwertyuiop").status == 200
        assert pg.locator("#sampled-note").count() == 0 and "≈" not in pg.locator("aside").inner_text()
    finally:
        ctx.close()


def test_no_serious_axe_violations_with_estimates(browser, server) -> None:
    assert AXE.is_file(), "run `npm install` (package.json lists axe-core)"
    assert axe_violations(browser, server.url, "/?duplicates=show", 200) == []
