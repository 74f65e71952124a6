"""Sign-in with OpenID Connect: authorization-code flow with PKCE (S256), state and nonce.

On when ``PERISCOPE_OIDC_ISSUER`` and ``PERISCOPE_OIDC_CLIENT_ID`` are set. ``GET /login/oidc``
keeps a fresh state, nonce and PKCE verifier in a short-lived signed cookie (SameSite=Lax: it must
come back on the provider's cross-site redirect) and sends the browser to the provider.
``GET /login/oidc/callback`` checks the state, redeems the code with the verifier, verifies the ID
token (signature against the provider's JWKS, ``iss``, ``aud``, ``exp``, ``nonce``) with joserfc
(Authlib's JOSE library; PKCE from Authlib), then finds the account by (issuer, subject) or creates
one with ``PERISCOPE_OIDC_DEFAULT_ROLE``. A local account with the same user name is never taken
over: the new account gets a suffixed name instead.

The session cookie is SameSite=Strict, which browsers do not send on a redirect chain that began on
another site; so the callback answers with a tiny page that moves on to the target itself.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.requests import Request

from workspace import InvalidValue
from workspace.users import UserInfo, check_role, check_username, create_user, get_user, get_user_by_oidc, link_oidc

from ..auditing import audit_event, client_address
from .auth import set_session_cookie
from .templating import base_context, templates
from .urls import safe_redirect

router = APIRouter(include_in_schema=False)
FLOW_COOKIE = "periscope_oidc"
FLOW_MAX_AGE_S = 600
META_TTL_S = 3600  # discovery document and keys are fetched again after this
ALGORITHMS = ["RS256", "ES256", "PS256"]


class OidcError(Exception):
    """The provider or its answer cannot be used; the message is shown on the sign-in page."""


class OidcClient:
    """One configured provider: discovery and JWKS cached, the code redeemed, the ID token verified."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_url: str, default_role: str,
                 secret: bytes) -> None:
        self.issuer, self.client_id, self.client_secret = issuer.rstrip("/"), client_id, client_secret
        self.redirect_url, self.default_role = redirect_url, check_role(default_role).value
        self.flow = URLSafeTimedSerializer(secret, salt="periscope.oidc-flow")
        self._meta: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._fetched = 0.0

    async def _load(self, http: httpx.AsyncClient, *, force: bool = False) -> dict[str, Any]:
        if self._meta is None or force or time.monotonic() - self._fetched > META_TTL_S:
            try:
                meta = (await http.get(f"{self.issuer}/.well-known/openid-configuration")).raise_for_status().json()
                jwks = (await http.get(meta["jwks_uri"])).raise_for_status().json()
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                raise OidcError("the sign-in provider cannot be reached; try again later") from exc
            self._meta, self._keys, self._fetched = meta, KeySet.import_key_set(jwks), time.monotonic()
        return self._meta

    async def start(self, http: httpx.AsyncClient, next_: str) -> tuple[str, str]:
        """The provider's authorization URL and the signed flow cookie value."""
        meta = await self._load(http)
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)  # RFC 7636: 43 to 128 characters
        params = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_url,
                  "scope": "openid profile email", "state": state, "nonce": nonce,
                  "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
        cookie = self.flow.dumps({"state": state, "nonce": nonce, "verifier": verifier, "next": next_})
        return f"{meta['authorization_endpoint']}?{urlencode(params)}", cookie

    def flow_of(self, cookie: str | None, state: str | None) -> dict[str, str]:
        try:
            flow = self.flow.loads(cookie or "", max_age=FLOW_MAX_AGE_S)
        except BadSignature:
            raise OidcError("the sign-in took too long or was started elsewhere; please try again") from None
        if not state or not secrets.compare_digest(str(flow.get("state", "")), state):
            raise OidcError("the sign-in answer does not belong to this browser; please try again")
        return flow

    async def claims(self, http: httpx.AsyncClient, code: str, flow: dict[str, str]) -> dict[str, Any]:
        """Redeem ``code`` (with the PKCE verifier) and return the verified ID token's claims."""
        meta = await self._load(http)
        try:
            answer = await http.post(meta["token_endpoint"], auth=(self.client_id, self.client_secret), data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_url,
                "code_verifier": flow["verifier"]})
            id_token = answer.raise_for_status().json()["id_token"]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise OidcError("the sign-in provider refused the sign-in; please try again") from exc
        try:
            try:
                token = jwt.decode(id_token, self._keys, algorithms=ALGORITHMS)
            except JoseError:  # maybe the provider rotated its keys: fetch them once more
                await self._load(http, force=True)
                token = jwt.decode(id_token, self._keys, algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(
                leeway=60, iss={"essential": True, "value": self.issuer}, aud={"essential": True, "value": self.client_id},
                exp={"essential": True}, sub={"essential": True}, nonce={"essential": True, "value": flow["nonce"]},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise OidcError("the sign-in provider's answer could not be verified") from exc
        return token.claims


def _username_for(claims: dict[str, Any], taken: Any) -> str:
    """A user name from the claims; a suffix when the name is taken (never link to an existing account)."""
    wanted = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])
    base = re.sub(r"[^\w.@-]", "-", wanted)[:48].lstrip(".-@") or "user"
    try:
        name = check_username(base)
    except InvalidValue:
        name = "user"
    if taken(name) is None:
        return name
    return f"{name}-{hashlib.sha256(claims['sub'].encode()).hexdigest()[:8]}"


def account_for(request: Request, client: OidcClient, claims: dict[str, Any]) -> UserInfo | None:
    """The account of (issuer, subject), created at the first sign-in; None when it is disabled."""
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    with request.app.state.workspace.session() as db:
        user = get_user_by_oidc(db, issuer, subject)
        if user is None:
            name = _username_for(claims, lambda n: get_user(db, n))
            create_user(db, name, role=client.default_role, display_name=str(claims.get("name", ""))[:200])
            user = link_oidc(db, name, issuer, subject)
    return None if user is None or user.disabled else user


def _problem_page(request: Request, message: str, status: int) -> Response:
    ctx = base_context(request) | {"next": "/", "error": message, "login_csrf": request.app.state.sessions.new_login_token(),
                                   "username": "", "shared_keys": False, "oidc": True, "accounts": True}
    return templates.TemplateResponse(request, "login.html", ctx, status_code=status)


@router.get("/login/oidc")
async def oidc_start(request: Request, next: str = "/") -> Response:
    client: OidcClient | None = getattr(request.app.state, "oidc", None)
    if client is None:
        return _problem_page(request, "Sign-in with an organisation account is not configured here.", 404)
    try:
        url, cookie = await client.start(request.app.state.oidc_http, safe_redirect(next))
    except OidcError as exc:
        return _problem_page(request, str(exc).capitalize() + ".", 503)
    resp = RedirectResponse(url, status_code=303)
    resp.set_cookie(FLOW_COOKIE, cookie, max_age=FLOW_MAX_AGE_S, path="/login/oidc", httponly=True, samesite="lax",
                    secure=request.url.scheme == "https")
    return resp


@router.get("/login/oidc/callback")
async def oidc_callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    client: OidcClient | None = getattr(request.app.state, "oidc", None)
    if client is None:
        return _problem_page(request, "Sign-in with an organisation account is not configured here.", 404)
    try:
        if error or not code:
            raise OidcError("the sign-in provider did not sign you in")
        flow = client.flow_of(request.cookies.get(FLOW_COOKIE), state[:200])
        claims = await client.claims(request.app.state.oidc_http, code[:2000], flow)
    except OidcError as exc:
        audit_event(request, "login", outcome="failure", method_used="oidc", reason=str(exc))
        return _problem_page(request, str(exc).capitalize() + ".", 400)
    user = await anyio.to_thread.run_sync(account_for, request, client, claims)
    if user is None:
        audit_event(request, "login", outcome="failure", method_used="oidc", user=str(claims.get("sub")))
        return _problem_page(request, "This account is disabled. Ask an administrator.", 401)
    _, cookie = await anyio.to_thread.run_sync(request.app.state.sessions.create_for_user, user.id,
                                               client_address(request))
    request.app.state.has_accounts = True
    audit_event(request, "login", user=user.username, method_used="oidc")
    target = safe_redirect(flow.get("next"))
    resp = templates.TemplateResponse(request, "oidc_done.html", base_context(request) | {"target": target})
    set_session_cookie(request, resp, cookie)
    resp.delete_cookie(FLOW_COOKIE, path="/login/oidc")
    return resp
