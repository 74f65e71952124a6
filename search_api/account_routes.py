"""The identity API: my account and keys (``/api/v1/me``), and administration (``/api/v1/admin``).

Workspace calls run in a worker thread (``anyio.to_thread``): creating a user hashes a password with
Argon2, and a PostgreSQL round trip should not stall the event loop. Workspace errors become
problem+json: an unknown name 404 (with close names as suggestions), a taken name 409, a bad value
(role, scope, name, date) 422. Every change is put on the audit trail.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session as DbSession

from workspace import AlreadyExists, InvalidValue, NotFound
from workspace import access as ws_access
from workspace import keys as ws_keys
from workspace import users as ws_users

from .access import Principal
from .auditing import audit_event
from .errors import PeriscopeError
from .problems import PROBLEM
from .routes import csv_cell
from .security import Forbidden, current_principal, require_api_key, require_role, require_write

T = TypeVar("T")
PROBLEMS = {s: {"content": {PROBLEM: {}}} for s in (401, 403, 404, 409, 422)}
router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)], responses=PROBLEMS)


class Conflict(PeriscopeError):
    status, title, type = 409, "Name already taken", "/problems/conflict"


class UnknownName(PeriscopeError):
    status, title, type = 404, "Not found", "/problems/not-found"


class BadValue(PeriscopeError):
    status, title, type = 422, "Invalid value", "/problems/invalid-value"


async def in_store(request: Request, work: Callable[[DbSession], T], *, readonly: bool = False) -> T:
    """Run ``work(db)`` in one workspace transaction, in a thread; workspace errors become problems."""
    def run() -> T:
        with request.app.state.workspace.session(readonly=readonly) as db:
            return work(db)
    try:
        return await anyio.to_thread.run_sync(run)
    except NotFound as exc:
        raise UnknownName(str(exc), f"did you mean {', '.join(exc.suggestions)}?" if exc.suggestions
                          else "list what exists with GET on the collection of this resource") from None
    except AlreadyExists as exc:
        raise Conflict(str(exc), "choose another name") from None
    except InvalidValue as exc:
        raise BadValue(str(exc)) from None


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_json(u: ws_users.UserInfo) -> dict[str, Any]:
    return {"username": u.username, "display_name": u.display_name, "role": u.role.value, "disabled": u.disabled,
            "created_at": _when(u.created_at), "last_login_at": _when(u.last_login_at),
            "oidc": u.oidc_issuer is not None}


def key_json(k: ws_keys.ApiKeyInfo) -> dict[str, Any]:
    return {"id": k.id, "name": k.name, "prefix": k.prefix, "scope": k.scope.value, "expires_at": _when(k.expires_at),
            "revoked_at": _when(k.revoked_at), "last_used_at": _when(k.last_used_at), "created_at": _when(k.created_at)}


def my_account(db: DbSession, principal: Principal) -> ws_users.UserInfo:
    user = ws_users.get_user(db, principal.name) if principal.auth in ("session", "api-key") else None
    if user is None:
        raise Forbidden("personal keys belong to user accounts; you are not signed in as a user",
                        "sign in with your account (or ask an administrator for one)")
    return user


# ------------------------------------------------------------------------------------------ me
@router.get("/me", tags=["account"], summary="Who I am: name, role, readable collections")
async def me(principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return {"name": principal.name, "role": principal.role, "auth": principal.auth, "read_only": principal.read_only,
            "collections": None if principal.collections is None else sorted(principal.collections)}


class NewKey(BaseModel):
    name: str = Field(..., max_length=200, description="What the key is for")
    scope: Literal["read", "write"] = "read"
    expires_at: dt.datetime | None = Field(None, description="ISO 8601 with a time zone; none: never")


@router.get("/me/keys", tags=["account"], summary="My personal API keys (never the secret)")
async def my_keys(request: Request, principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    def work(db: DbSession) -> list[ws_keys.ApiKeyInfo]:
        return ws_keys.list_api_keys(db, my_account(db, principal).id)
    return [key_json(k) for k in await in_store(request, work, readonly=True)]


def create_my_key(db: DbSession, principal: Principal, name: str, scope: str,
                  expires_at: dt.datetime | None) -> ws_keys.NewApiKey:
    return ws_keys.create_api_key(db, my_account(db, principal).id, name, scope=scope, expires_at=expires_at)


@router.post("/me/keys", tags=["account"], status_code=201,
             summary="Create a personal API key; the token is shown in this answer only")
async def add_my_key(request: Request, body: NewKey, principal: Principal = Depends(require_write)) -> dict[str, Any]:
    made = await in_store(request, lambda db: create_my_key(db, principal, body.name, body.scope, body.expires_at))
    audit_event(request, "key", target=made.key.prefix, change="create", scope=body.scope)
    return {"token": made.token, "key": key_json(made.key)}


@router.delete("/me/keys/{key_id}", tags=["account"], status_code=204, summary="Revoke one of my keys")
async def revoke_my_key(request: Request, key_id: int, principal: Principal = Depends(require_write)) -> Response:
    def work(db: DbSession) -> ws_keys.ApiKeyInfo:
        return ws_keys.revoke_api_key(db, key_id, owner_id=my_account(db, principal).id)
    key = await in_store(request, work)
    audit_event(request, "key", target=key.prefix, change="revoke")
    return Response(status_code=204)


# ------------------------------------------------------------------------------------------ admin
admin = APIRouter(prefix="/admin", tags=["admin"],
                  dependencies=[Depends(require_role("admin"))])


class NewUser(BaseModel):
    username: str = Field(..., max_length=200)
    role: str = Field(..., max_length=32, description="admin, analyst, reader or integrator")
    display_name: str = Field("", max_length=200)


class UserChange(BaseModel):
    role: str | None = Field(None, max_length=32)
    disabled: bool | None = None


def create_user_with_password(request: Request, db: DbSession, username: str, role: str,
                              display_name: str) -> tuple[ws_users.UserInfo, str]:
    """A new account with a generated one-time password (returned once, never stored in clear)."""
    password = ws_users.generate_password()
    user = ws_users.create_user(db, username, role=role, display_name=display_name, password=password,
                                must_change_password=True, hasher=request.app.state.hasher)
    return user, password


def change_user(db: DbSession, username: str, role: str | None, disabled: bool | None) -> ws_users.UserInfo:
    user = ws_users.require_user(db, username)
    if role is not None:
        user = ws_users.set_role(db, username, role)
    if disabled is not None:
        user = ws_users.set_disabled(db, username, disabled)
    return user


@admin.get("/users", summary="Every account")
async def list_users(request: Request) -> list[dict[str, Any]]:
    return [user_json(u) for u in await in_store(request, ws_users.list_users, readonly=True)]


@admin.post("/users", status_code=201, summary="Create an account; its one-time password is in this answer only")
async def add_user(request: Request, body: NewUser, _: Principal = Depends(require_write)) -> dict[str, Any]:
    user, password = await in_store(
        request, lambda db: create_user_with_password(request, db, body.username, body.role, body.display_name))
    request.app.state.has_accounts = True
    audit_event(request, "user", target=user.username, change="create", new_role=user.role.value)
    return {"user": user_json(user), "one_time_password": password}


@admin.patch("/users/{username}", summary="Change a role, or disable (signs out everywhere) / enable")
async def update_user(request: Request, username: str, body: UserChange,
                      _: Principal = Depends(require_write)) -> dict[str, Any]:
    user = await in_store(request, lambda db: change_user(db, username, body.role, body.disabled))
    audit_event(request, "user", target=user.username, change="update",
                new_role=body.role, disabled=body.disabled)
    return user_json(user)


class NewCollection(BaseModel):
    name: str = Field(..., max_length=200)
    label: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)


class GrantIn(BaseModel):
    user: str | None = Field(None, max_length=200)
    group: str | None = Field(None, max_length=200)
    permission: str = Field("read", max_length=16, description="read or write (write implies read)")


def collections_json(db: DbSession) -> list[dict[str, Any]]:
    grants: dict[str, list[dict[str, str]]] = {}
    for g in ws_access.grants(db):
        grants.setdefault(g.collection, []).append({g.kind: g.principal, "permission": g.permission.value})
    return [{"name": c.name, "label": c.label, "description": c.description, "created_at": _when(c.created_at),
             "grants": grants.get(c.name, [])} for c in ws_access.list_collections(db)]


@admin.get("/collections", summary="Every collection with its grants")
async def list_collections(request: Request) -> list[dict[str, Any]]:
    return await in_store(request, collections_json, readonly=True)


@admin.post("/collections", status_code=201, summary="Create a collection (409 when the name is taken)")
async def add_collection(request: Request, body: NewCollection,
                         principal: Principal = Depends(require_write)) -> dict[str, Any]:
    def work(db: DbSession) -> ws_access.CollectionInfo:
        me_ = ws_users.get_user(db, principal.name)
        return ws_access.create_collection(db, body.name, label=body.label, description=body.description,
                                           created_by=me_.id if me_ else None)
    made = await in_store(request, work)
    audit_event(request, "collection", target=made.name, change="create")
    return {"name": made.name, "label": made.label, "description": made.description, "grants": []}


@admin.put("/collections/{name}/grants", summary="Grant (or change) read/write to a user or a group")
async def grant(request: Request, name: str, body: GrantIn, _: Principal = Depends(require_write)) -> dict[str, Any]:
    made = await in_store(request, lambda db: ws_access.grant(db, name, user=body.user, group=body.group,
                                                              permission=body.permission))
    audit_event(request, "collection", target=made.collection, change="grant", **{made.kind: made.principal},
                permission=made.permission.value)
    return {"collection": made.collection, made.kind: made.principal, "permission": made.permission.value}


@admin.delete("/collections/{name}/grants", status_code=204, summary="Revoke a user's or a group's grant")
async def revoke(request: Request, name: str, user: str | None = Query(None, max_length=200),
                 group: str | None = Query(None, max_length=200), _: Principal = Depends(require_write)) -> Response:
    await in_store(request, lambda db: ws_access.revoke(db, name, user=user, group=group))
    audit_event(request, "collection", target=name, change="revoke", user_grant=user, group_grant=group)
    return Response(status_code=204)


# ------------------------------------------------------------------------------------------ audit
AUDIT_COLUMNS = ("@timestamp", "action", "outcome", "user", "role", "auth", "client", "request_id", "method",
                 "path", "target", "query", "count", "status")


def encode_cursor(sort: list[Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(sort).encode()).decode() if sort else None


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise BadValue("the cursor is not one this server gave out", "use next_cursor from the previous page") from None
    if not isinstance(value, list) or len(value) != 2:
        raise BadValue("the cursor is not one this server gave out", "use next_cursor from the previous page")
    return value


async def search_audit(request: Request, *, user: str | None, action: str | None, text: str | None,
                       since: dt.date | None, until: dt.date | None, size: int,
                       cursor: str | None) -> tuple[int, list[dict[str, Any]], str | None]:
    """Newest first; ``until`` is inclusive (the whole day)."""
    start = dt.datetime.combine(since, dt.time.min, dt.timezone.utc) if since else None
    end = dt.datetime.combine(until, dt.time.max, dt.timezone.utc) if until else None
    total, hits = await request.app.state.audit.search(user=user or None, action=action or None, text=text or None,
                                                       since=start, until=end, size=size,
                                                       search_after=decode_cursor(cursor))
    nxt = encode_cursor(hits[-1]["sort"]) if len(hits) == size else None
    return total, [{k: v for k, v in h.items() if k != "sort"} for h in hits], nxt


AuditFilters = dict[str, Any]


def audit_filters(user: str | None = Query(None, max_length=200), action: str | None = Query(None, max_length=64),
                  text: str | None = Query(None, max_length=500), since: dt.date | None = None,
                  until: dt.date | None = None) -> AuditFilters:
    return {"user": user, "action": action, "text": text, "since": since, "until": until}


@admin.get("/audit", summary="Search the audit trail, newest first")
async def audit(request: Request, filters: AuditFilters = Depends(audit_filters), size: int = Query(50, ge=1, le=500),
                cursor: str | None = Query(None, max_length=500)) -> dict[str, Any]:
    total, events, nxt = await search_audit(request, size=size, cursor=cursor, **filters)
    return {"total": total, "events": events, "next_cursor": nxt}


@admin.get("/audit.csv", summary="Export the matching audit events (newest first, up to 10 000) as CSV")
async def audit_csv(request: Request, filters: AuditFilters = Depends(audit_filters)) -> Response:
    rows, cursor = [], None
    while len(rows) < 10_000:
        _, events, cursor = await search_audit(request, size=500, cursor=cursor, **filters)
        rows.extend(events)
        if cursor is None:
            break
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # cells neutralised like the document export (OWASP)
    writer.writerow(AUDIT_COLUMNS + ("details",))
    for e in rows:
        writer.writerow([csv_cell(e.get(c)) for c in AUDIT_COLUMNS] + [csv_cell(json.dumps(e.get("details", {})))])
    audit_event(request, "export", target="audit.csv", count=len(rows))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="periscope-audit.csv"'})


router.include_router(admin)
