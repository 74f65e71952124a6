"""The case workflow in a real browser: open a case, star/tag a document, annotate a selected passage,
add it to the case, read the case page, download the briefing (PDF, Word); axe-core on every page."""

from __future__ import annotations

import io
import unicodedata
import uuid
from collections.abc import Iterator

import pytest

from test_alerts import index_doc
from test_ui_a11y import AXE, axe_violations, browser  # noqa: F401 - fixture
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures
from web_server import ServerThread

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(240)]
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(module_settings, workspace_url, es, index_alias) -> Iterator[tuple[ServerThread, str]]:  # noqa: F811
    doc_id = "cui-" + uuid.uuid4().hex[:8]
    index_doc(es, index_alias, doc_id, f"Tanker seized near Hormuz {doc_id}", published="2024-05-06")
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": False})
    with ServerThread(settings) as srv:
        yield srv, doc_id


def select_in_body(page, start: int, end: int) -> None:
    """Select characters start..end of the document text, as a mouse drag would."""
    page.evaluate("""([s, e]) => {
        const body = document.getElementById('doc-body');
        const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
        let pos = 0, node, range = document.createRange(), started = false;
        while ((node = walker.nextNode())) {
            const len = node.data.length;
            if (!started && s < pos + len) { range.setStart(node, s - pos); started = true; }
            if (e <= pos + len) { range.setEnd(node, e - pos); break; }
            pos += len;
        }
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    }""", [start, end])


def test_case_annotate_and_export_in_the_browser(browser, server) -> None:  # noqa: F811
    srv, doc_id = server
    ctx = browser.new_context(base_url=srv.url, accept_downloads=True)
    page = ctx.new_page()
    name = "Strait " + doc_id
    page.goto("/cases")
    page.fill("#case-name", name)
    page.fill("#case-class", "OFFICIAL")
    page.click("#case-create")
    page.wait_for_url("**/cases/*")
    case_url = page.url
    page.goto(f"/doc/{doc_id}")
    page.check("#mark-star")
    page.fill("#mark-tags", "Hormuz, shipping")
    page.click("#mark-save")
    page.wait_for_selector("#mark-tag-list option[value='Hormuz']", state="attached")  # the saved page is back
    assert page.input_value("#mark-tags") == "Hormuz, shipping"
    page.fill("#mark-tags", "Hormuz, sh")  # autocomplete of the tag after the last comma
    page.wait_for_selector("#mark-tag-list option[value='Hormuz, shipping']", state="attached")
    page.fill("#mark-tags", "Hormuz, shipping")
    page.fill("#case-reason", "first report of the seizure")
    page.click("#case-add")
    page.wait_for_selector("#case-pick option:has-text('(already in)')", state="attached")
    body = page.text_content("#doc-body")
    start = body.index("Hormuz")
    select_in_body(page, start, start + len("Hormuz"))
    page.wait_for_function("document.getElementById('annot-end').value !== ''")
    assert page.text_content("#annot-quote") == "Hormuz"
    page.fill("#annot-comment", "chokepoint")
    page.click("#annot-save")
    page.wait_for_selector("mark.annot")
    assert page.text_content("mark.annot") == "Hormuz"
    page.goto(case_url)
    assert page.locator("h3", has_text="Hormuz").count() == 1 and "first report of the seizure" in page.content()
    assert page.locator("blockquote", has_text="chokepoint").count() == 1 and page.locator("svg.case-timeline").count() == 1
    with page.expect_download() as dl:
        page.click("#brief-pdf")
    pdf = dl.value
    assert pdf.suggested_filename.endswith(".pdf") and "strait" in pdf.suggested_filename
    from pypdf import PdfReader

    # lines may wrap anywhere; NFKC undoes the font's ligatures ("ff" in a random hex id comes out as "ﬀ")
    text = unicodedata.normalize("NFKC", "".join("".join(p.extract_text().split()) for p in PdfReader(pdf.path()).pages))
    assert f"id{doc_id}" in text and "chokepoint" in text
    with page.expect_download() as dl:
        page.click("#brief-docx")
    from docx import Document

    assert any("chokepoint" in p.text for p in Document(io.BytesIO(open(dl.value.path(), "rb").read())).paragraphs)
    page.goto("/marked?tag=hormuz")
    assert page.locator("li.hit").count() == 1 and page.locator("strong", has_text="Hormuz (1)").count() == 1
    page.goto("/marked?starred=true&q=nothing-matches-this")
    assert page.locator("li.hit").count() == 0
    ctx.close()
    case_path = case_url.removeprefix(srv.url)
    for path, status in (("/cases", 200), (case_path, 200), (case_path + "?group=date", 200), (f"/doc/{doc_id}", 200),
                         ("/cases/999999", 404), ("/marked", 200), ("/marked?tag=Hormuz", 200)):
        assert axe_violations(browser, srv.url, path, status) == [], path


def test_forms_need_the_csrf_token(server) -> None:
    import httpx

    srv, doc_id = server
    r = httpx.post(f"{srv.url}/cases", data={"name": "x", "csrf": "forged"})
    assert r.status_code == 403
    r = httpx.post(f"{srv.url}/ui/annotate/{doc_id}", data={"start": "0", "end": "3", "csrf": "forged"})
    assert r.status_code == 403
