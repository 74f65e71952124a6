"""Local accounts in the web app, on SQLite and on a real PostgreSQL: sign-in, sessions in the workspace
store, generic failures, rate limits, disabling, roles, personal keys and the admin API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from search_api.sessions import SESSION_COOKIE
from tests.identity_helpers import FAST_SETTINGS, PASSWORD, add_user, csrf_token, login, uniq
from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app_settings(module_settings, workspace_url):
    return module_settings.model_copy(update={"database_url": workspace_url, **FAST_SETTINGS,
                                              "login_account_failures": 3, "login_client_failures": 50})


@pytest.fixture()
def client(app_settings, store):
    with TestClient(create_app(app_settings), follow_redirects=False) as c:
        yield c


def test_one_account_turns_sign_in_on_and_a_password_signs_in(client, store):
    name = uniq("alice")
    add_user(store, name, "analyst")
    client.app.state.accounts_checked_at = -1e9  # look again now (the check is cached for 2 s)
    assert client.get("/?q=oil").status_code == 303
    assert client.get("/api/v1/search").status_code == 401
    r = login(client, name.upper(), next_="/?q=oil")  # user names are case-insensitive
    assert r.status_code == 303 and r.headers["location"] == "/?q=oil"
    set_cookie = r.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and PASSWORD not in set_cookie
    assert client.get("/?q=oil").status_code == 200
    me = client.get("/api/v1/me").json()
    assert me == {"name": name, "role": "analyst", "auth": "session", "read_only": False, "collections": []}
    # the session lives in the workspace store, so another worker (app) on the same database sees it
    other = TestClient(create_app(client.app.state.settings), follow_redirects=False)
    with other:
        other.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
        assert other.get("/api/v1/me").json()["name"] == name


def test_wrong_password_unknown_user_and_disabled_user_get_the_same_message(client, store):
    name, off = uniq("bob"), uniq("carol")
    add_user(store, name)
    add_user(store, off)
    from workspace.users import set_disabled

    with store.session() as db:
        set_disabled(db, off, True)
    answers = [login(client, name, "wrong password!"), login(client, uniq("nobody")), login(client, off)]
    assert [r.status_code for r in answers] == [401, 401, 401]
    assert all("Wrong user name or password." in r.text for r in answers)
    assert all(SESSION_COOKIE not in r.cookies for r in answers)


def test_failures_are_rate_limited_per_account_with_retry_after(client, store):
    name = uniq("dave")
    add_user(store, name)
    codes = [login(client, name, f"bad password {i}").status_code for i in range(3)]
    r = login(client, name)  # even the right password waits: no oracle
    assert codes == [401, 401, 401] and r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in r.text


def test_failures_are_rate_limited_per_client(app_settings, store):
    settings = app_settings.model_copy(update={"login_client_failures": 6})
    with TestClient(create_app(settings), follow_redirects=False, client=("10.9.8.7", 50000)) as c:
        codes = [login(c, uniq("ghost"), "nope nope nope").status_code for _ in range(6)]
        name = uniq("erin")
        add_user(store, name)
        assert codes == [401] * 6 and login(c, name).status_code == 429


def test_disabling_a_user_ends_session_and_keys_on_the_next_request(client, store):
    name = uniq("frank")
    add_user(store, name, "analyst")
    login(client, name)
    token = client.post("/api/v1/me/keys", json={"name": "script", "scope": "read"}).json()["token"]
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", headers={"X-API-Key": token}).status_code == 200
    from workspace.users import set_disabled

    with store.session() as db:
        set_disabled(db, name, True)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"X-API-Key": token}).status_code == 401
    assert client.get("/").status_code == 303


def test_logout_needs_csrf_and_ends_the_workspace_session(client, store):
    name = uniq("gina")
    add_user(store, name)
    login(client, name)
    page = client.get("/")
    assert page.status_code == 200 and 'action="/logout"' in page.text
    cookie = client.cookies[SESSION_COOKIE]
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf": csrf_token(page.text)}).status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/").status_code == 303


def test_personal_keys_are_shown_once_hashed_revocable_and_read_only_keys_cannot_write(client, store):
    name = uniq("hank")
    add_user(store, name, "analyst")
    login(client, name)
    made = client.post("/api/v1/me/keys", json={"name": "reports", "scope": "read"})
    assert made.status_code == 201
    token, key = made.json()["token"], made.json()["key"]
    assert token.startswith("psk_") and key["prefix"] == token[:12]
    listed = client.get("/api/v1/me/keys").json()
    assert [k["id"] for k in listed] == [key["id"]] and "token" not in listed[0]
    client.cookies.clear()
    as_key = {"X-API-Key": token}
    me = client.get("/api/v1/me", headers=as_key).json()
    assert me["auth"] == "api-key" and me["read_only"] is True
    assert client.get("/api/v1/search", params={"q": "oil"}, headers=as_key).status_code == 200
    denied = client.post("/api/v1/me/keys", json={"name": "more"}, headers=as_key)
    assert denied.status_code == 403 and "read-only" in denied.json()["detail"]
    assert denied.headers["content-type"].startswith("application/problem+json")
    writer = login(client, name) and client.post("/api/v1/me/keys", json={"name": "w", "scope": "write"}).json()
    assert client.delete(f"/api/v1/me/keys/{key['id']}").status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=as_key).status_code == 401  # revoked
    assert client.delete("/api/v1/me/keys/999999", headers={"X-API-Key": writer["token"]}).status_code == 404
    bad = client.post("/api/v1/me/keys", json={"name": "x", "expires_at": "2000-01-01T00:00:00Z"},
                      headers={"X-API-Key": writer["token"]})
    assert bad.status_code == 422


def test_roles_admin_api_and_integrators(client, store):
    boss, reader, robot = uniq("ida"), uniq("jo"), uniq("bot")
    add_user(store, boss, "admin")
    add_user(store, reader, "reader")
    add_user(store, robot, "integrator")
    login(client, reader)
    r = client.get("/api/v1/admin/users")
    assert r.status_code == 403 and "admin role" in r.json()["detail"]
    client.cookies.clear()
    login(client, robot)
    assert client.get("/").status_code == 403  # integrators: API only
    assert client.get("/api/v1/search").status_code == 200
    client.cookies.clear()
    login(client, boss)
    made = client.post("/api/v1/admin/users", json={"username": uniq("kim"), "role": "reader"})
    assert made.status_code == 201 and len(made.json()["one_time_password"]) >= 12
    assert client.post("/api/v1/admin/users", json={"username": reader, "role": "reader"}).status_code == 409
    bad_role = client.post("/api/v1/admin/users", json={"username": uniq("x"), "role": "boss"})
    assert bad_role.status_code == 422 and "not a role" in bad_role.json()["detail"]
    unknown = client.patch(f"/api/v1/admin/users/{reader}x", json={"role": "analyst"})
    assert unknown.status_code == 404 and reader in unknown.json()["hint"]
    coll = uniq("coll-")
    assert client.post("/api/v1/admin/collections", json={"name": coll}).status_code == 201
    clash = client.post("/api/v1/admin/collections", json={"name": coll})
    assert clash.status_code == 409 and clash.headers["content-type"].startswith("application/problem+json")
    assert client.put(f"/api/v1/admin/collections/{coll}/grants", json={"user": reader}).status_code == 200
    assert client.patch(f"/api/v1/admin/users/{reader}", json={"disabled": True}).json()["disabled"] is True
    assert client.patch(f"/api/v1/admin/users/{reader}", json={"disabled": False}).status_code == 200
    client.cookies.clear()
    login(client, reader)
    assert client.get("/api/v1/me").json()["collections"] == [coll]


def test_health_details_need_sign_in_once_accounts_exist(client, store):
    add_user(store, uniq("hal"), "reader")
    client.app.state.accounts_checked_at = -1e9
    public = client.get("/health").json()
    assert set(public) == {"status"}  # no index name, counts or versions for anonymous callers

