"""Optional API keys (``X-API-Key``): enforced when keys are configured or the server binds beyond loopback."""

from __future__ import annotations

import hmac

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from .errors import Unauthorized

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Required when the server has API keys")


async def require_api_key(request: Request, key: str | None = Security(api_key_header)) -> None:
    settings = request.app.state.settings
    if not settings.api_keys and not settings.api_requires_key:
        return
    if key and any(hmac.compare_digest(key.encode(), k.encode()) for k in settings.api_keys):
        return
    raise Unauthorized("a valid X-API-Key header is required" if key is None else "the X-API-Key is not valid",
                       "ask the operator for a key (PERISCOPE_API_KEYS) and send it as X-API-Key")
