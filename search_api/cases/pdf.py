"""HTML → PDF with headless Chromium through Playwright (``page.pdf()``), offline.

Debian's chromium is launched (never a browser download of Playwright's own). Every request the page
would make is aborted: the product is self-contained (inline CSS, inline SVG), and a template that
tries to load a remote font or script fails closed instead of leaking the reader's address.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


class PdfUnavailable(RuntimeError):
    """Chromium is missing or could not start."""


async def html_to_pdf(html: str, chromium: str = CHROMIUM) -> bytes:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    if not Path(chromium).exists():
        raise PdfUnavailable(f"no Chromium at {chromium}, so no PDF can be made")
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            try:
                page = await browser.new_page(java_script_enabled=False)  # a product is static: no script runs
                await page.route("**/*", lambda route: route.abort())
                await page.set_content(html, wait_until="load")
                return await page.pdf(format="A4", print_background=True, display_header_footer=False,
                                      margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
            finally:
                await browser.close()
    except PlaywrightError as exc:
        raise PdfUnavailable(f"Chromium failed while printing the briefing: {str(exc)[:300]}") from None
