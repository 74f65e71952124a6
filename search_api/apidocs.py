"""The API reference pages (``/docs`` Swagger UI, ``/redoc``), ``/openapi.json`` and ``/metrics``.

FastAPI's own docs pages load Swagger UI and ReDoc from a CDN and start them with an inline script;
these load them from the npm packages (``/static/vendor/…``, exact versions in ``package.json``) and
start Swagger UI from a static file, so they work air-gapped and under the Content-Security-Policy.
With API keys on, all four need a key (header or signed-in session) unless ``PERISCOPE_PUBLIC_DOCS``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from .errors import Unauthorized
from .headers import CSP
from .metrics import Metrics
from .security import api_key_header, is_authorised
from .ui.templating import base_context, templates

# Swagger UI's CSS embeds its icons as data: images. ReDoc (styled-components 5) injects <style>
# elements it cannot mark with a nonce, so /redoc alone also allows inline *styles* (never scripts).
SWAGGER_CSP = CSP.replace("default-src 'self';", "default-src 'self'; img-src 'self' data:;")
REDOC_CSP = SWAGGER_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "default-src 'self';", "default-src 'self'; worker-src 'self' blob:;")


async def require_docs_access(request: Request) -> None:
    settings = request.app.state.settings
    if settings.public_docs or is_authorised(request, await api_key_header(request)):
        return
    if request.url.path in ("/docs", "/redoc"):  # a person in a browser: sign in, then come back
        raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": request.url.path})})
    raise Unauthorized("a valid X-API-Key header is required",
                       "send X-API-Key, sign in at /login, or set PERISCOPE_PUBLIC_DOCS=true to open the docs")


def install_docs(app: FastAPI, metrics: Metrics) -> None:
    """Add the four routes; create the app with ``docs_url=redoc_url=openapi_url=None``."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(require_docs_access)])

    @router.get("/openapi.json")
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @router.get("/docs", response_class=HTMLResponse)
    async def swagger(request: Request) -> Response:
        return templates.TemplateResponse(request, "docs_swagger.html", base_context(request) | {"title": app.title},
                                          headers={"Content-Security-Policy": SWAGGER_CSP})

    @router.get("/redoc", response_class=HTMLResponse)
    async def redoc(request: Request) -> Response:
        return templates.TemplateResponse(request, "docs_redoc.html", base_context(request) | {"title": app.title},
                                          headers={"Content-Security-Policy": REDOC_CSP})

    @router.get("/metrics")
    async def prometheus() -> Response:
        data, ctype = metrics.render()
        return Response(data, media_type=ctype)

    app.include_router(router)
