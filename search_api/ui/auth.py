"""Sign-in and sign-out for the browser UI.

``POST /login`` checks a username and password against the workspace store (Argon2id, run in a
worker thread so the event loop keeps serving), rate-limited per account and per client address
through the store's ``login_attempts`` (shared by every worker: 429 + Retry-After). Every failure
gets the same "wrong user name or password" message, whatever the cause (unknown, disabled, wrong).
A success starts a workspace session and sets a cookie holding only its signed id (HttpOnly,
SameSite=Strict, Secure over https). The deprecated shared keys (``PERISCOPE_API_KEYS``) can still
sign in through the form's key field, limited per client in memory as before.

The sign-in form carries a signed double-submit CSRF token (there is no session yet); every form of a
signed-in page carries the session's own token, checked by ``POST /logout`` and every other form.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode

import anyio
from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import Request

from workspace.logins import LoginPolicy, login_blocked, record_login_attempt
from workspace.users import UserInfo, verify_password

from ..auditing import audit_event, client_address
from ..security import accounts_exist, authenticate, current_session
from ..sessions import LOGIN_CSRF_COOKIE, LOGIN_CSRF_MAX_AGE_S, SESSION_COOKIE, csrf_ok
from .templating import base_context, templates
from .urls import safe_redirect

router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 8192
WRONG = "Wrong user name or password."


class PageForbidden(Exception):
    """Signed in, but not allowed here: a 403 page saying why (:func:`forbidden_page`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def forbidden_page(request: Request, exc: Exception) -> Response:
    reason = exc.reason if isinstance(exc, PageForbidden) else "Not allowed."
    return templates.TemplateResponse(request, "forbidden.html", base_context(request) | {"reason": reason},
                                      status_code=403)


async def require_ui_session(request: Request) -> None:
    """Pages need a signed-in user once sign-in is required; integrators are API-only (403 page)."""
    principal = authenticate(request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": target})})
    session = current_session(request)
    if session is not None and session.user is not None and session.user.must_change_password:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, headers={"Location": "/account/password?" + urlencode({"next": target})})
    if principal.role == "integrator":
        raise PageForbidden("Integrator accounts use the API only: create a key on the My keys page (/account/keys).")


async def form_fields(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def set_session_cookie(request: Request, resp: Response, cookie: str) -> None:
    resp.set_cookie(SESSION_COOKIE, cookie, max_age=request.app.state.sessions.ttl_s, httponly=True,
                    samesite="strict", secure=request.url.scheme == "https")


def _login_page(request: Request, next_: str, error: str | None, status: int = 200,
                headers: dict[str, str] | None = None, username: str = "") -> Response:
    state = request.app.state
    token = state.sessions.new_login_token()
    ctx = base_context(request) | {"next": next_, "error": error, "login_csrf": token, "username": username,
                                   "shared_keys": bool(state.keyring),
                                   "accounts": accounts_exist(state),
                                   "oidc": getattr(state, "oidc", None) is not None}
    resp = templates.TemplateResponse(request, "login.html", ctx, status_code=status, headers=headers)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=LOGIN_CSRF_MAX_AGE_S, path="/login", httponly=True,
                    samesite="strict", secure=request.url.scheme == "https")
    return resp


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> Response:
    return _login_page(request, safe_redirect(next), None)


def login_policy(settings) -> LoginPolicy:  # noqa: ANN001 - periscope.settings.Settings (a layer above)
    return LoginPolicy(window=timedelta(seconds=settings.login_window_s),
                       per_account=settings.login_account_failures, per_client=settings.login_client_failures)


def _check_password(request: Request, username: str, password: str, client: str) -> tuple[str | None, UserInfo | None]:
    """(why blocked, None) or (None, the user or None). Blocking work: run in a thread."""
    state = request.app.state
    with state.workspace.session() as db:
        blocked = login_blocked(db, username, client, policy=login_policy(state.settings))
        if blocked:
            return blocked, None
        user = verify_password(db, username, password, hasher=state.hasher)
        record_login_attempt(db, username, client, user is not None)
    return None, user


def _signed_in(request: Request, target: str, cookie: str) -> Response:
    resp = RedirectResponse(target, status_code=303)
    set_session_cookie(request, resp, cookie)
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return resp


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await form_fields(request)
    target = safe_redirect(form.get("next"))
    state = request.app.state
    client = client_address(request)
    if not state.sessions.login_token_ok(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf")):
        return _login_page(request, target, "The sign-in form had expired. Please try again.", 403)
    if "key" in form and "username" not in form:
        return _key_sign_in(request, form.get("key", "").strip(), target, client)
    username, password = form.get("username", "").strip()[:200], form.get("password", "")
    blocked, user = await anyio.to_thread.run_sync(_check_password, request, username, password, client)
    if blocked:
        wait = state.settings.login_window_s
        audit_event(request, "login", outcome="denied", user=username or None, reason=f"rate-limited ({blocked})")
        return _login_page(request, target, f"Too many failed sign-ins. Try again in {wait // 60 or 1} minutes.",
                           429, {"Retry-After": str(wait)}, username)
    if user is None:
        audit_event(request, "login", outcome="failure", user=username or None)
        return _login_page(request, target, WRONG, 401, username=username)
    _, cookie = await anyio.to_thread.run_sync(state.sessions.create_for_user, user.id, client)
    audit_event(request, "login", user=user.username, role=user.role.value, method_used="password")
    return _signed_in(request, target, cookie)


def _key_sign_in(request: Request, key: str, target: str, client: str) -> Response:
    """The deprecated shared-key sign-in (PERISCOPE_API_KEYS), kept for one release."""
    state = request.app.state
    wait = state.login_limiter.retry_after(client)
    if wait:
        return _login_page(request, target, f"Too many failed sign-ins. Try again in {wait} seconds.", 429,
                           {"Retry-After": str(wait)})
    stored = state.keyring.match(key)
    if stored is None:
        state.login_limiter.failed(client)
        audit_event(request, "login", outcome="failure", method_used="shared-key")
        return _login_page(request, target, "That key is not valid. Ask the operator for one.", 401)
    _, cookie = state.sessions.create(key_id=stored.key_id)
    audit_event(request, "login", user=f"key:{stored.key_id}", method_used="shared-key")
    return _signed_in(request, target, cookie)


@router.post("/logout")
async def logout(request: Request) -> Response:
    session = current_session(request)
    form = await form_fields(request)
    if session is not None and not csrf_ok(session, form.get("csrf")):
        return HTMLResponse("<p>The sign-out form had expired; reload the page and sign out again.</p>",
                            status_code=403)
    if session is not None:
        authenticate(request)  # so the audit event names who signed out
        await anyio.to_thread.run_sync(request.app.state.sessions.end, session)
        audit_event(request, "logout")
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return resp
