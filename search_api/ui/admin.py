"""Account pages: "My keys" for every signed-in user, and the administrators' users, collections and audit.

Same operations as ``/api/v1/me`` and ``/api/v1/admin`` (:mod:`search_api.account_routes`), whose
helpers they call, so page and API cannot drift. Every form posts the session's CSRF token; a wrong
one is a 403 page. Workspace errors are shown on the page with their status (404, 409, 422).
Secrets (a new key, a one-time password) appear in the answer to the form that made them, once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import anyio

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session as DbSession
from starlette.requests import Request

from workspace import access as ws_access
from workspace.logins import login_blocked, record_login_attempt
from workspace import keys as ws_keys
from workspace import users as ws_users

from .. import account_routes as api
from ..auditing import audit_event, client_address
from ..errors import PeriscopeError
from ..security import authenticate, current_session
from ..sessions import csrf_ok
from .auth import PageForbidden, form_fields, login_policy, set_session_cookie
from .templating import base_context, templates
from .urls import safe_redirect

ROLES = ("reader", "analyst", "integrator", "admin")
PAGE_SIZE = 50


async def signed_in(request: Request) -> None:
    """Any signed-in person (integrators too: this is where they make their keys)."""
    if authenticate(request) is None:
        raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": request.url.path})})


async def admin_only(request: Request) -> None:
    await signed_in(request)
    if request.state.principal.role != "admin":
        raise PageForbidden("This page is for administrators. Ask one if you need access.")


account = APIRouter(include_in_schema=False, dependencies=[Depends(signed_in)])
admin = APIRouter(include_in_schema=False, prefix="/admin", dependencies=[Depends(admin_only)])


def _page(request: Request, name: str, status: int = 200, **ctx: Any) -> Response:
    return templates.TemplateResponse(request, name, base_context(request) | ctx, status_code=status)


async def _checked_form(request: Request) -> dict[str, str]:
    form = await form_fields(request)
    if not csrf_ok(current_session(request), form.get("csrf")):
        raise PageForbidden("The form had expired; reload the page and try again.")
    return form


# ------------------------------------------------------------------------------------------ my keys
async def _keys_page(request: Request, status: int = 200, **ctx: Any) -> Response:
    principal = request.state.principal
    try:
        keys = await api.in_store(request, lambda db: ws_keys.list_api_keys(db, api.my_account(db, principal).id),
                                  readonly=True)
    except PeriscopeError as exc:
        return _page(request, "account_keys.html", exc.status, keys=[], error=exc.detail, new_token=None)
    return _page(request, "account_keys.html", status, keys=keys, **({"error": None, "new_token": None} | ctx))


@account.get("/account/keys", response_class=HTMLResponse)
async def keys_page(request: Request) -> Response:
    return await _keys_page(request)


@account.post("/account/keys", response_class=HTMLResponse)
async def keys_create(request: Request) -> Response:
    form = await _checked_form(request)
    principal = request.state.principal
    expires = None
    try:
        if form.get("expires"):
            day = dt.date.fromisoformat(form["expires"])
            expires = dt.datetime.combine(day, dt.time.max, dt.timezone.utc)
        made = await api.in_store(request, lambda db: api.create_my_key(db, principal, form.get("name", ""),
                                                                         form.get("scope", "read"), expires))
    except ValueError:
        return await _keys_page(request, 422, error="The expiry date must be YYYY-MM-DD.")
    except PeriscopeError as exc:
        return await _keys_page(request, exc.status, error=exc.detail)
    audit_event(request, "key", target=made.key.prefix, change="create", scope=made.key.scope.value)
    return await _keys_page(request, 201, new_token=made.token)


@account.post("/account/keys/{key_id}/revoke")
async def keys_revoke(request: Request, key_id: int) -> Response:
    await _checked_form(request)
    principal = request.state.principal
    try:
        key = await api.in_store(request, lambda db: ws_keys.revoke_api_key(
            db, key_id, owner_id=api.my_account(db, principal).id))
    except PeriscopeError as exc:
        return await _keys_page(request, exc.status, error=exc.detail)
    audit_event(request, "key", target=key.prefix, change="revoke")
    return RedirectResponse("/account/keys", status_code=303)


# ------------------------------------------------------------------------------------------ my password
def _change_password(request: Request, username: str, current: str, new: str, client: str) -> str | None:
    """None when changed, else what to tell the person. Blocking (Argon2): run in a thread."""
    state = request.app.state
    with state.workspace.session() as db:
        if login_blocked(db, username, client, policy=login_policy(state.settings)):
            return "Too many wrong passwords. Try again later."
        ok = ws_users.verify_password(db, username, current, hasher=state.hasher) is not None
        record_login_attempt(db, username, client, ok)
    if not ok:
        return "The current password is wrong."
    with state.workspace.session() as db:
        ws_users.set_password(db, username, new, hasher=state.hasher)  # ends every session of the account
    return None


@account.get("/account/password", response_class=HTMLResponse)
async def password_page(request: Request, next: str = "/") -> Response:
    return _page(request, "account_password.html", error=None, next=safe_redirect(next))


@account.post("/account/password", response_class=HTMLResponse)
async def password_change(request: Request) -> Response:
    form = await _checked_form(request)
    session, target = current_session(request), safe_redirect(form.get("next"))
    if session is None or session.user is None:
        raise PageForbidden("Only user accounts have a password here.")
    new = form.get("new_password", "")
    if new != form.get("repeat_password"):
        return _page(request, "account_password.html", 422, error="The two new passwords differ.", next=target)
    try:
        ws_users.check_password(new)
    except ValueError as exc:
        return _page(request, "account_password.html", 422, error=str(exc).capitalize(), next=target)
    client = client_address(request)
    problem = await anyio.to_thread.run_sync(_change_password, request, session.user.username,
                                             form.get("current_password", ""), new, client)
    if problem:
        return _page(request, "account_password.html", 403, error=problem, next=target)
    _, cookie = await anyio.to_thread.run_sync(request.app.state.sessions.create_for_user, session.user.id, client)
    audit_event(request, "user", target=session.user.username, change="password")
    resp = RedirectResponse(target, status_code=303)
    set_session_cookie(request, resp, cookie)
    return resp


# ------------------------------------------------------------------------------------------ users
async def _users_page(request: Request, status: int = 200, **ctx: Any) -> Response:
    users = await api.in_store(request, ws_users.list_users, readonly=True)
    return _page(request, "admin_users.html", status, users=users, roles=ROLES,
                 **({"error": None, "created": None, "password": None} | ctx))


@admin.get("/users", response_class=HTMLResponse)
async def users_page(request: Request) -> Response:
    return await _users_page(request)


@admin.post("/users", response_class=HTMLResponse)
async def users_create(request: Request) -> Response:
    form = await _checked_form(request)
    try:
        user, password = await api.in_store(request, lambda db: api.create_user_with_password(
            request, db, form.get("username", ""), form.get("role", ""), form.get("display_name", "")))
    except PeriscopeError as exc:
        return await _users_page(request, exc.status, error=exc.detail)
    request.app.state.has_accounts = True
    audit_event(request, "user", target=user.username, change="create", new_role=user.role.value)
    return await _users_page(request, 201, created=user.username, password=password)


@admin.post("/users/{username}", response_class=HTMLResponse)
async def users_change(request: Request, username: str) -> Response:
    form = await _checked_form(request)
    disabled = {"disable": True, "enable": False}.get(form.get("action", ""))
    role = form.get("role") or None
    try:
        user = await api.in_store(request, lambda db: api.change_user(db, username, role, disabled))
    except PeriscopeError as exc:
        return await _users_page(request, exc.status, error=exc.detail)
    audit_event(request, "user", target=user.username, change="update", new_role=role, disabled=disabled)
    return RedirectResponse("/admin/users", status_code=303)


# ------------------------------------------------------------------------------------------ collections
async def _collections_page(request: Request, status: int = 200, **ctx: Any) -> Response:
    def work(db: DbSession) -> tuple[list[dict[str, Any]], list[str]]:
        return api.collections_json(db), [u.username for u in ws_users.list_users(db)]
    collections, usernames = await api.in_store(request, work, readonly=True)
    return _page(request, "admin_collections.html", status, collections=collections, usernames=usernames,
                 **({"error": None} | ctx))


@admin.get("/collections", response_class=HTMLResponse)
async def collections_page(request: Request) -> Response:
    return await _collections_page(request)


@admin.post("/collections", response_class=HTMLResponse)
async def collections_create(request: Request) -> Response:
    form = await _checked_form(request)
    try:
        made = await api.in_store(request, lambda db: ws_access.create_collection(
            db, form.get("name", ""), label=form.get("label", ""), description=form.get("description", "")))
    except PeriscopeError as exc:
        return await _collections_page(request, exc.status, error=exc.detail)
    audit_event(request, "collection", target=made.name, change="create")
    return RedirectResponse("/admin/collections", status_code=303)


@admin.post("/collections/{name}/grants", response_class=HTMLResponse)
async def collections_grant(request: Request, name: str) -> Response:
    form = await _checked_form(request)
    kind = "group" if form.get("kind") == "group" else "user"
    who = {kind: form.get("principal", "").strip()}
    revoke = form.get("action") == "revoke"
    try:
        if revoke:
            await api.in_store(request, lambda db: ws_access.revoke(db, name, **who))
        else:
            await api.in_store(request, lambda db: ws_access.grant(db, name, permission=form.get("permission", "read"),
                                                                   **who))
    except PeriscopeError as exc:
        return await _collections_page(request, exc.status, error=exc.detail)
    audit_event(request, "collection", target=name, change="revoke" if revoke else "grant",
                permission=None if revoke else form.get("permission", "read"), **{f"{kind}_grant": who[kind]})
    return RedirectResponse("/admin/collections", status_code=303)


# ------------------------------------------------------------------------------------------ audit
@admin.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, user: str = "", action: str = "", text: str = "", since: str = "",
                     until: str = "", cursor: str = "") -> Response:
    filters = {"user": user[:200], "action": action[:64], "text": text[:500]}
    try:
        dates = {k: dt.date.fromisoformat(v) if v else None for k, v in (("since", since), ("until", until))}
        total, events, nxt = await api.search_audit(request, size=PAGE_SIZE, cursor=cursor[:500] or None,
                                                    **filters, **dates)
        error, status = None, 200
    except ValueError:
        total, events, nxt, error, status = 0, [], None, "Dates are YYYY-MM-DD.", 422
    except PeriscopeError as exc:
        total, events, nxt, error, status = 0, [], None, exc.detail, exc.status
    query = {k: v for k, v in {**filters, "since": since, "until": until}.items() if v}
    return _page(request, "admin_audit.html", status, total=total, events=events, next_cursor=nxt, error=error,
                 filters=query)
