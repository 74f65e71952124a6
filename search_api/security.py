"""Optional API keys: enforced when keys are configured or the server binds beyond loopback.

Integrators send ``X-API-Key``; analysts in a browser sign in once at ``/login``, which stores the key
in an HttpOnly, SameSite=Strict cookie that both the UI pages and the API accept (so the UI's
export links and suggestions work without the browser adding headers).
"""

from __future__ import annotations

import hmac

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from .errors import Unauthorized

COOKIE_NAME = "periscope_key"
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Required when the server has API keys")


def keys_required(settings) -> bool:
    return bool(settings.api_keys) or settings.api_requires_key


def key_is_valid(settings, key: str | None) -> bool:
    return bool(key) and any(hmac.compare_digest(key.encode(), k.encode()) for k in settings.api_keys)


async def require_api_key(request: Request, key: str | None = Security(api_key_header)) -> None:
    settings = request.app.state.settings
    if not keys_required(settings):
        return
    if key_is_valid(settings, key) or (key is None and key_is_valid(settings, request.cookies.get(COOKIE_NAME))):
        return
    raise Unauthorized("a valid X-API-Key header is required" if key is None else "the X-API-Key is not valid",
                       "ask the operator for a key (PERISCOPE_API_KEYS) and send it as X-API-Key")
