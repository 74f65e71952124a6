"""The Watchlists, Batch search and saved-search edit pages (forms with CSRF, errors as pages with their
status, background batch with progress) — real node, both workspace databases."""

from __future__ import annotations

import csv
import io
import time
import uuid

import pytest
from search_api.alerts.batch import MAX_TERMS
from test_alerts import index_doc
from test_alerts_batch import client  # noqa: F401 - fixture (app on the module's workspace)
from test_saved_ui import field
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


def csrf(client, path: str) -> str:
    return field(client.get(path).text, "csrf")


def test_batch_page_runs_in_the_background_with_progress_and_csv(client, es, index_alias):
    w = "zp" + uuid.uuid4().hex[:8]
    index_doc(es, index_alias, f"{w}-1", f"{w} alpha")
    index_doc(es, index_alias, f"{w}-2", f"{w} alpha beta")
    token = csrf(client, "/batch")
    terms = "\n".join([w, f"{w} alpha beta", '"unclosed'] + [f"{w}nothing{i}" for i in range(450)])
    r = client.post("/batch", data={"csrf": token, "name": f"b {w}", "terms": terms}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = r.headers["location"]
    for _ in range(100):
        html = client.get(page).text
        if "Export as CSV" in html:
            break
        assert "terms searched" in html and "<progress" in html
        time.sleep(0.2)
    assert "Export as CSV" in html and f'href="/?q={w}"' in html and f"{w} alpha beta" in html
    rows = list(csv.reader(io.StringIO(client.get(page + "/csv").text)))
    counts = {r[0]: r[2] for r in rows[1:]}
    assert counts[w] == "2" and counts[f"{w} alpha beta"] == "1" and counts[f"{w}nothing0"] == "0" and len(rows) == 454
    assert rows[3][6]  # the unparsable line carries its error
    big = "\n".join(f"t{i}" for i in range(MAX_TERMS + 1))
    over = client.post("/batch", data={"csrf": token, "terms": big})
    assert over.status_code == 413 and str(MAX_TERMS) in over.text
    assert client.post("/batch", data={"csrf": token, "terms": " \n"}).status_code == 422
    assert client.post("/batch", data={"csrf": "forged", "terms": "x"}).status_code == 403
    assert client.get("/batch/999999").status_code == 404


def test_saved_search_edit_page(client):
    w = "ze" + uuid.uuid4().hex[:8]
    s = client.post("/api/v1/saved-searches", json={"name": f"e {w}", "q": w}).json()
    client.post("/api/v1/saved-searches", json={"name": f"taken {w}", "q": w})
    page = client.get(f"/saved/{s['id']}/edit")
    assert page.status_code == 200 and "Alert channels" in page.text and "Failed deliveries (0)" in page.text
    form = {"csrf": field(page.text, "csrf"), "name": f"edited {w}", "description": "d", "visibility": "shared",
            "watch": "on", "interval_min": "10", "email_to": "desk@example.org", "webhook_url": ""}
    r = client.post(f"/saved/{s['id']}/edit", data=form, follow_redirects=False)
    assert r.status_code == 303
    got = client.get(f"/api/v1/saved-searches/{s['id']}").json()
    assert (got["name"], got["visibility"], got["watch"], got["interval_s"], got["email_to"]) == (
        f"edited {w}", "shared", True, 600, "desk@example.org")
    assert client.post(f"/saved/{s['id']}/edit", data={**form, "name": f"taken {w}"}).status_code == 409
    bad = client.post(f"/saved/{s['id']}/edit", data={**form, "webhook_url": "ftp://example.org/x"})
    assert bad.status_code == 422 and "http" in bad.text
    assert client.post(f"/saved/{s['id']}/edit", data={**form, "interval_min": "soon"}).status_code == 422
    assert client.post(f"/saved/{s['id']}/edit", data={**form, "email_to": "not an address"}).status_code == 422
    assert client.get("/saved/999999/edit").status_code == 404
    assert client.post(f"/saved/{s['id']}/requeue", data={"csrf": form["csrf"]}, follow_redirects=False).status_code == 303


def test_watchlist_pages(client, es, index_alias):
    w = "zl" + uuid.uuid4().hex[:8]
    index_doc(es, index_alias, f"{w}-1", f"{w} alpha met")
    token = csrf(client, "/watchlists")
    r = client.post("/watchlists", data={"csrf": token, "name": f"wl {w}", "entries": f"{w} alpha\n{w} beta | {w} b\n"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and f"{w} alpha met" in page.text and "exact phrase" in page.text
    again = client.post("/watchlists", data={"csrf": token, "name": f"wl {w}", "entries": "x"})
    assert again.status_code == 409 and "already exists" in again.text
    assert client.post("/watchlists", data={"csrf": token, "name": "empty", "entries": ""}).status_code == 422
    big = "\n".join(f"n{i}" for i in range(1001))
    over = client.post("/watchlists", data={"csrf": token, "name": "big", "entries": big})
    assert over.status_code == 413 and "1000" in over.text
    wid = r.headers["location"].rsplit("/", 1)[1]
    al = client.post(f"/watchlists/{wid}/alert", data={"csrf": token, "watch": "on", "interval_min": "2"},
                     follow_redirects=False)
    assert al.status_code == 303
    alert = client.get(f"/api/v1/watchlists/{wid}").json()["alert"]
    assert alert["watch"] and alert["interval_s"] == 120
    assert "Update the alert" in client.get(f"/watchlists/{wid}").text
    assert client.post(f"/watchlists/{wid}/alert", data={"csrf": token, "interval_min": "x"}).status_code == 422
    assert client.get("/watchlists/999999").status_code == 404
    assert client.post(f"/watchlists/{wid}/delete", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert client.get(f"/api/v1/saved-searches/{alert['id']}").status_code == 404
