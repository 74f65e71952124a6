"""Static files: ours (``static/``) and front-end packages from npm (``node_modules/``), by allow-list.

The npm packages (exact versions in ``package.json``) are installed by ``scripts/setup.sh`` and never
committed; nothing is ever loaded from a CDN, so the UI and the API reference work air-gapped.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE.parent / "static"
NODE_MODULES = HERE.parents[1] / "node_modules"
VENDOR_FILES: dict[str, Path] = {
    "htmx.min.js": NODE_MODULES / "htmx.org/dist/htmx.min.js",
    "swagger-ui-bundle.js": NODE_MODULES / "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": NODE_MODULES / "swagger-ui-dist/swagger-ui.css",
    "favicon-32x32.png": NODE_MODULES / "swagger-ui-dist/favicon-32x32.png",
    "redoc.standalone.js": NODE_MODULES / "redoc/bundles/redoc.standalone.js",
}
_MEDIA = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml",
          ".ico": "image/x-icon"}
_STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*\.(css|js|svg|ico|png)$")
_CACHE = {"Cache-Control": "public, max-age=3600"}

router = APIRouter(include_in_schema=False)


def _asset_version() -> str:
    """A digest of our static files, appended to their URLs so browsers refetch after a change."""
    h = hashlib.sha256()
    for p in sorted(STATIC_DIR.glob("*")):
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()[:10]


ASSET_VERSION = _asset_version()


def vendor_installed(name: str) -> bool:
    return VENDOR_FILES[name].is_file()


@router.get("/static/vendor/{name}")
async def vendor_file(name: str) -> Response:
    path = VENDOR_FILES.get(name)
    if path is None or not path.is_file():
        return Response(f"{name} is not installed; run `bash scripts/setup.sh` (npm install).\n",
                        status_code=404, media_type="text/plain")
    return FileResponse(path, headers=_CACHE, media_type=_MEDIA[path.suffix])


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    path = STATIC_DIR / name
    if not _STATIC_NAME.match(name) or not path.is_file():
        return Response("not found\n", status_code=404, media_type="text/plain")
    return FileResponse(path, headers=_CACHE, media_type=_MEDIA[path.suffix])
