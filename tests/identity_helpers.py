"""Helpers for the identity tests: an app on a given workspace database with cheap Argon2, sign-in by form."""

from __future__ import annotations

import re
import uuid

from argon2 import PasswordHasher
from fastapi.testclient import TestClient

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only: the real cost is a setting
PASSWORD = "correct horse battery"
FAST_SETTINGS = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}


def uniq(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, next_: str = "/"):
    page = client.get("/login", params={"next": next_})
    return client.post("/login", data={"username": username, "password": password, "next": next_,
                                       "csrf": csrf_token(page.text)})


def add_user(store, name: str, role: str = "reader", password: str = PASSWORD):
    from workspace.users import create_user

    with store.session() as db:
        return create_user(db, name, role=role, password=password, hasher=FAST)


def flush_audit(client: TestClient, deadline_s: float = 60.0) -> None:
    """Write every buffered audit event and make it searchable. Under load a bulk call can time out
    (the events then stay buffered for the next flush, as in production), so flush until none is left."""
    import time

    audit = client.app.state.audit
    end = time.monotonic() + deadline_s
    client.portal.call(audit.flush)
    while audit._buffer and time.monotonic() < end:  # noqa: SLF001 - the test waits for the writer
        time.sleep(0.5)
        client.portal.call(audit.flush)
    assert not audit._buffer, "audit events could not be written to Elasticsearch"  # noqa: SLF001
    client.portal.call(audit.refresh)
