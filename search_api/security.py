"""Who a request comes from (:func:`current_principal`), and what their role allows.

A request is authenticated by, in this order: an ``X-API-Key`` header (a personal key ``psk_…``
from the workspace store, or a deprecated shared ``PERISCOPE_API_KEYS`` key), else the signed
session cookie of a browser sign-in (:mod:`search_api.sessions`). Sign-in is required as soon as
one user account exists, keys are configured, or the server binds beyond loopback; a loopback
install with none of these stays open (the ``make run`` demo), acting as :data:`OPEN`.

Workspace look-ups here are short indexed queries run inline (no thread hop); the slow part of
signing in (Argon2) runs in a worker thread (:mod:`search_api.ui.auth`).

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
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request, Response, Security
from fastapi.security import APIKeyHeader

from workspace.access import collection_scope
from workspace.keys import TOKEN_PREFIX, verify_api_key
from workspace.models import Scope
from workspace.users import UserInfo, has_users

from .access import OPEN, ROLES, Principal
from .auditing import audit_event
from .errors import PeriscopeError, Unauthorized
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


class Forbidden(PeriscopeError):
    """Signed in, but the role or the key's scope does not allow this (API: 403 with the reason)."""

    status = 403
    title = "Forbidden"
    type = "/problems/forbidden"


ACCOUNT_CHECK_S = 2.0  # while no account exists, look again at most this often (the CLI may add one)


def keys_required(settings) -> bool:
    return bool(settings.api_keys) or settings.api_requires_key


def accounts_exist(app_state) -> bool:
    """Whether the workspace has at least one user (then everyone must sign in). Once true, stays true."""
    if getattr(app_state, "has_accounts", False):
        return True
    workspace = getattr(app_state, "workspace", None)
    if workspace is None:
        return False
    now = time.monotonic()
    if now - getattr(app_state, "accounts_checked_at", -ACCOUNT_CHECK_S) < ACCOUNT_CHECK_S:
        return False
    with workspace.session(readonly=True) as db:
        app_state.has_accounts = has_users(db)
    app_state.accounts_checked_at = now
    return app_state.has_accounts


def auth_required(request: Request) -> bool:
    return keys_required(request.app.state.settings) or accounts_exist(request.app.state)


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


def user_principal(request: Request, user: UserInfo, auth: str, *, read_only: bool = False) -> Principal:
    with request.app.state.workspace.session(readonly=True) as db:
        scope = collection_scope(db, user)
    return Principal(name=user.username, role=user.role.value, collections=scope, auth=auth, read_only=read_only)


def _shared_key_principal(request: Request, key_id: str) -> Principal:
    request.state.deprecated_auth = True
    return Principal(name=f"key:{key_id}", role="admin", collections=None, auth="shared-key")


def _resolve(request: Request) -> Principal | None:
    state = request.app.state
    key = request.headers.get("X-API-Key")
    if key is not None:  # a wrong header is not rescued by a good cookie: integrators get a clear 401
        if key.startswith(TOKEN_PREFIX) and getattr(state, "workspace", None) is not None:
            with state.workspace.session() as db:  # writes last_used_at (at most once a minute)
                found = verify_api_key(db, key)
            if found is None:
                return None
            request.state.api_key = found.key
            return user_principal(request, found.user, "api-key", read_only=found.key.scope is Scope.READ)
        stored = state.keyring.match(key)
        return _shared_key_principal(request, stored.key_id) if stored is not None else None
    session = current_session(request)
    if session is not None and session.user is not None:
        return user_principal(request, session.user, "session")
    if session is not None and session.key_id is not None:
        return _shared_key_principal(request, session.key_id)
    return None if auth_required(request) else OPEN


def authenticate(request: Request) -> Principal | None:
    """The principal of this request, or None when it must sign in (resolved once per request)."""
    cached = getattr(request.state, "principal_resolved", _UNSET)
    if cached is not _UNSET:
        return cached
    preset = getattr(request.state, "principal", None)  # set by an outer layer (code, never client input)
    if preset is not None:
        return preset
    principal = _resolve(request)
    request.state.principal_resolved = principal
    if principal is not None:
        request.state.principal = principal
        key = getattr(request.state, "api_key", None)
        if key is not None:
            _audit_key_use(request, key.prefix)
    return principal


KEY_USE_EVERY_S = 60.0  # "key use" on the audit trail: once a minute per key and process, not per request


def _audit_key_use(request: Request, prefix: str) -> None:
    seen: dict[str, float] | None = getattr(request.app.state, "key_use_seen", None)
    if seen is None:
        seen = request.app.state.key_use_seen = {}
    now = time.monotonic()
    if now - seen.get(prefix, -KEY_USE_EVERY_S) >= KEY_USE_EVERY_S:
        if len(seen) > 10_000:
            seen.clear()
        seen[prefix] = now
        audit_event(request, "key-use", target=prefix)


def is_authorised(request: Request, key: str | None = None) -> bool:
    """Open install, a valid ``X-API-Key`` (personal or shared), or (no header at all) a live session."""
    return authenticate(request) is not None


async def require_api_key(request: Request, key: str | None = Security(api_key_header),
                          response: Response = None) -> None:  # type: ignore[assignment] - FastAPI fills it
    if authenticate(request) is not None:
        if response is not None and getattr(request.state, "deprecated_auth", False):  # RFC 9745: going away
            response.headers["Deprecation"] = "true"
        return
    raise Unauthorized("sign in or send a valid X-API-Key header" if key is None else "the X-API-Key is not valid",
                       "create a personal key on the 'My keys' page (or POST /api/v1/me/keys) and send it as X-API-Key")


def current_principal(request: Request) -> Principal:
    """Who this request acts as; the access filter is built from it. 401 when nobody is signed in.

    A user (session or personal key): their role and readable collections (None for admins).
    The deprecated shared keys and an open loopback install without accounts see everything.
    """
    principal = authenticate(request)
    if principal is None:
        raise Unauthorized("sign in or send a valid X-API-Key", "ask an administrator for an account or a key")
    return principal


def require_role(*roles: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the principal, or 403 unless their role is one of ``roles``."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"

    async def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if principal.role not in roles:
            raise Forbidden(f"this needs the {' or '.join(roles)} role; you are signed in as {principal.role}",
                            "ask an administrator to change your role")
        return principal

    return dependency


async def require_write(request: Request) -> Principal:
    """A dependency for state-changing API calls: a read-only personal key gets 403 with the reason."""
    principal = current_principal(request)
    if principal.read_only:
        raise Forbidden("this API key has the read-only scope, so it cannot change anything",
                        "create a key with the write scope on 'My keys' (POST /api/v1/me/keys, scope=write)")
    return principal
