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
