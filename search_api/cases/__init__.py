"""Case files and briefing products (issue 18): marking while searching, cases, briefings, data export.

* :mod:`.marks_routes` star, tags, note, passage annotations; search within marks (``/api/v1``);
* :mod:`.routes` ``/api/v1/cases`` and the briefing product; :mod:`.view` a case as one member sees it;
* :mod:`.briefing` Jinja → HTML/Markdown, :mod:`.pdf` (Chromium), :mod:`.docx_product`, :mod:`.chart` (SVG).
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    from ..ui import cases as case_pages  # the Cases pages live with the UI, mounted with the feature
    from . import marks_routes, routes

    app.include_router(marks_routes.router)
    app.include_router(routes.router)
    app.include_router(case_pages.router)
