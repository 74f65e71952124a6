"""The analysts' web UI: server-rendered pages at ``/`` over the same service layer as the API.

Why server-rendered: every page is one call into ``request.app.state.service`` (the code path
``/api/v1`` uses), so the UI cannot drift from the API, works with JavaScript off, and the URL query
string *is* the state. A little JavaScript (``static/periscope.js``) and htmx (npm, served from
``node_modules``; never a CDN) only enhance it. Modules:

* :mod:`.state` URL state and paging; :mod:`.pages` the routes; :mod:`.auth` sign-in/out;
* :mod:`.hits` display shaping on top of the API's ``Hit``; :mod:`.timeline` histogram geometry;
* :mod:`.html` the only HTML built in Python; :mod:`.urls` safe links and redirects;
* :mod:`.labels` names people read; :mod:`.errors` messages per exception type;
* :mod:`.templating` the Jinja environment; :mod:`.assets` static and npm files;
* :mod:`.warnings`, :mod:`.entities`, :mod:`.network` strategic warning (trends, entity pages, network).
"""

from fastapi import APIRouter

from . import assets, auth, entities, ingest_page, network, pages, sources, warnings

router = APIRouter(include_in_schema=False)
router.include_router(assets.router)
router.include_router(auth.router)
router.include_router(pages.router)
router.include_router(warnings.router)
router.include_router(entities.router)
router.include_router(network.router)
router.include_router(ingest_page.router)
router.include_router(sources.router)  # source registry and grades (issue 16)

__all__ = ["router"]
