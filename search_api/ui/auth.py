"""Sign-in and sign-out for the browser UI.

``POST /login`` checks the key (rate-limited per client address), starts a server-side session and
sets a cookie holding only its signed id (HttpOnly, SameSite=Strict, Secure over https). The sign-in
form carries a signed double-submit CSRF token (there is no session yet); every form of a signed-in
page carries the session's own token, checked by ``POST /logout``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import Request

from ..security import current_session, keys_required
from ..sessions import LOGIN_CSRF_COOKIE, LOGIN_CSRF_MAX_AGE_S, SESSION_COOKIE, csrf_ok
from .templating import base_context, templates
from .urls import safe_redirect

router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 8192


async def require_ui_session(request: Request) -> None:
    """Pages need a signed-in session when keys are on; without one, go to the sign-in page."""
    if keys_required(request.app.state.settings) and current_session(request) is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": target})})


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def _login_page(request: Request, next_: str, error: str | None, status: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    sessions = request.app.state.sessions
    token = sessions.new_login_token()
    ctx = base_context(request) | {"next": next_, "error": error, "login_csrf": token}
    resp = templates.TemplateResponse(request, "login.html", ctx, status_code=status, headers=headers)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=LOGIN_CSRF_MAX_AGE_S, path="/login", httponly=True,
                    samesite="strict", secure=request.url.scheme == "https")
    return resp


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> Response:
    return _login_page(request, safe_redirect(next), None)


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await _form(request)
    target = safe_redirect(form.get("next"))
    app = request.app.state
    client = request.client.host if request.client else "unknown"
    wait = app.login_limiter.retry_after(client)
    if wait:
        return _login_page(request, target, f"Too many failed sign-ins. Try again in {wait} seconds.", 429,
                           {"Retry-After": str(wait)})
    if not app.sessions.login_token_ok(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf")):
        return _login_page(request, target, "The sign-in form had expired. Please try again.", 403)
    key = app.keyring.match(form.get("key", "").strip())
    if key is None:
        app.login_limiter.failed(client)
        return _login_page(request, target, "That key is not valid. Ask the operator for one.", 401)
    _, cookie = app.sessions.create(key_id=key.key_id)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(SESSION_COOKIE, cookie, max_age=app.sessions.ttl_s, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https")
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return resp


@router.post("/logout")
async def logout(request: Request) -> Response:
    session = current_session(request)
    form = await _form(request)
    if session is not None and not csrf_ok(session, form.get("csrf")):
        return HTMLResponse("<p>The sign-out form had expired; reload the page and sign out again.</p>",
                            status_code=403)
    if session is not None:
        request.app.state.sessions.end(session)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return resp
