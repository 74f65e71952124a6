"""API keys and who a request comes from.

Keys are enforced when some are configured or the server binds beyond loopback. Integrators send
``X-API-Key``; analysts in a browser sign in once at ``/login`` and then carry a session cookie
(:mod:`search_api.sessions`) that the UI pages and the API both accept.

Keys are kept hashed (a DB-ready form): ``PERISCOPE_API_KEYS`` entries may be plain keys (hashed
with SHA-256 when loaded), ``sha256:<64 hex>``, or an Argon2 hash (``$argon2id$…``). SHA-256 is
enough for long random keys (nothing to brute-force); Argon2 is accepted for keys an operator chose
by hand, and a successful Argon2 check is remembered by the key's SHA-256 so each request does not
pay for it again. Every comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from .access import OPEN, Principal
from .errors import Unauthorized
from .sessions import SESSION_COOKIE, Session

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Required when the server has API keys")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_argon2 = PasswordHasher()
_UNSET = object()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredKey:
    key_id: str  # non-secret id (a digest prefix) for sessions and logs
    scheme: str  # "sha256" | "argon2"
    hash: str


def stored_key(entry: str) -> StoredKey:
    """One ``PERISCOPE_API_KEYS`` entry in stored form (a plain key is hashed here)."""
    if entry.startswith("sha256:"):
        digest = entry.removeprefix("sha256:").lower()
        if not _HEX64.match(digest):
            raise ValueError("a sha256: key entry must be 64 hex digits")
        return StoredKey(digest[:12], "sha256", digest)
    if entry.startswith("$argon2"):
        return StoredKey(_sha256(entry)[:12], "argon2", entry)
    digest = _sha256(entry)
    return StoredKey(digest[:12], "sha256", digest)


class KeyRing:
    """The configured keys, hashed; :meth:`match` finds the one a presented key is."""

    def __init__(self, entries: list[str]) -> None:
        self.keys = [stored_key(e) for e in entries]
        self.ids = frozenset(k.key_id for k in self.keys)
        self._argon2_ok: dict[str, str] = {}  # sha256(presented) -> key_id, for verified Argon2 keys

    def __bool__(self) -> bool:
        return bool(self.keys)

    def match(self, presented: str | None) -> StoredKey | None:
        if not presented or len(presented) > 1024:
            return None
        digest = _sha256(presented)
        found: StoredKey | None = None
        for k in self.keys:  # no early exit: time does not depend on which key matched
            if k.scheme == "sha256" and hmac.compare_digest(digest, k.hash):
                found = k
        if found is not None:
            return found
        remembered = self._argon2_ok.get(digest)
        for k in self.keys:
            if k.scheme != "argon2":
                continue
            if remembered == k.key_id:
                return k
            try:
                _argon2.verify(k.hash, presented)
            except (VerificationError, InvalidHashError):
                continue
            if len(self._argon2_ok) < 1000:
                self._argon2_ok[digest] = k.key_id
            return k
        return None


def keys_required(settings) -> bool:
    return bool(settings.api_keys) or settings.api_requires_key


def current_session(request: Request) -> Session | None:
    """The signed-in browser session of this request, if any (and its key is still configured).

    Looked up once per request (the guard and the page template both ask).
    """
    cached = getattr(request.state, "periscope_session", _UNSET)
    if cached is not _UNSET:
        return cached
    session = request.app.state.sessions.find(request.cookies.get(SESSION_COOKIE))
    if session is not None and session.key_id is not None and session.key_id not in request.app.state.keyring.ids:
        session = None
    request.state.periscope_session = session
    return session


def is_authorised(request: Request, key: str | None) -> bool:
    """Keys off, a valid ``X-API-Key``, or (no header at all) a live session cookie.

    A wrong header is not rescued by a good cookie: integrators get a clear 401.
    """
    if not keys_required(request.app.state.settings):
        return True
    if key is not None:
        return request.app.state.keyring.match(key) is not None
    return current_session(request) is not None


async def require_api_key(request: Request, key: str | None = Security(api_key_header)) -> None:
    if is_authorised(request, key):
        return
    raise Unauthorized("a valid X-API-Key header is required" if key is None else "the X-API-Key is not valid",
                       "ask the operator for a key (PERISCOPE_API_KEYS) and send it as X-API-Key")


def current_principal(request: Request) -> Principal:
    """Who this (already authorised) request acts as; the access filter is built from it.

    Resolved once per request. Without keys (a loopback, single-user install) the caller sees every
    collection; the deprecated shared keys (``PERISCOPE_API_KEYS``) also see everything, as before.
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    settings = request.app.state.settings
    principal = OPEN
    if keys_required(settings):
        key = request.headers.get("X-API-Key")
        stored = request.app.state.keyring.match(key) if key is not None else None
        session = current_session(request) if key is None else None
        key_id = stored.key_id if stored is not None else (session.key_id if session is not None else None)
        if key_id is None:
            raise Unauthorized("sign in or send a valid X-API-Key", "ask the operator for an account or a key")
        principal = Principal(name=f"key:{key_id}", role="admin", collections=None, auth="shared-key")
    request.state.principal = principal
    return principal
