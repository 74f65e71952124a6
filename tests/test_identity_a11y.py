"""The sign-in, account and admin pages in a real browser (chromium): signed in by keyboard, under the
CSP (no violation logged), one h1 each, no serious or critical axe violations, forms usable by keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.identity_helpers import FAST_SETTINGS, PASSWORD, add_user, uniq
from web_server import ServerThread, chromium

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.integration
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/account/keys", "/account/password", "/admin/users", "/admin/collections", "/admin/audit"]


@pytest.fixture(scope="module")
def admin_server(module_settings, tmp_path_factory) -> Iterator[tuple[ServerThread, str]]:
    from workspace import open_store, sqlite_url

    url = sqlite_url(tmp_path_factory.mktemp("ws") / "workspace.sqlite3")
    name = uniq("root")
    with open_store(url) as ws:
        add_user(ws, name, "admin")
    with ServerThread(module_settings.model_copy(update={"database_url": url, **FAST_SETTINGS})) as srv:
        yield srv, name


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _sign_in_by_keyboard(pg, name: str) -> None:
    pg.goto("/admin/users")
    pg.wait_for_url("**/login?next=%2Fadmin%2Fusers")
    pg.keyboard.type(name)  # the user name field has the focus
    pg.keyboard.press("Tab")
    pg.keyboard.type(PASSWORD)
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/admin/users")


def test_admin_pages_are_accessible_and_keyboard_operable(browser, admin_server) -> None:
    assert AXE.is_file(), "run `npm install` (package.json lists axe-core)"
    srv, name = admin_server
    strict = browser.new_context(base_url=srv.url)
    pg = strict.new_page()
    csp: list[str] = []
    pg.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    _sign_in_by_keyboard(pg, name)
    pg.focus("#new-username")  # create a user by keyboard only: type, Enter submits the form
    newcomer = uniq("nora")
    pg.keyboard.type(newcomer)
    pg.keyboard.press("Enter")
    pg.wait_for_selector("#one-time-password")
    assert len(pg.text_content("#one-time-password").strip()) >= 12
    for path in PAGES:
        assert pg.goto(path).status == 200 and pg.locator("h1").count() == 1, path
    assert not csp, csp[0][:300]
    cookies = strict.cookies()
    strict.close()
    # axe is injected as an inline script: only this context bypasses the page's CSP
    ctx = browser.new_context(base_url=srv.url, bypass_csp=True)
    ctx.add_cookies(cookies)
    try:
        page = ctx.new_page()
        for path in PAGES + ["/login"]:
            page.goto(path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            serious = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
                       for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert serious == [], (path, serious)
    finally:
        ctx.close()
