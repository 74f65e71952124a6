"""kill -9 in the middle of delivery: a real ``periscope alerts run`` subprocess, a slow real webhook
receiver, both workspace databases. After a rerun every document has been delivered, each delivery id
arrived, and only the one request in flight at the kill can have arrived twice (with the same delivery
id, which is what a receiver dedupes on: HTTP gives no exactly-once without it)."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from alert_receivers import WebhookReceiver
from test_alerts import index_doc
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures
from workspace import alerts as ledger
from workspace import open_store
from workspace import saved_searches as saved

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # two CLI subprocesses per database: ~40 s each
ROOT = Path(__file__).resolve().parent.parent
N = 6


def cli(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "periscope.cli", "alerts", "run", "--all"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_9_mid_delivery_then_rerun_delivers_each_document_once(es, index_alias, workspace_url):  # noqa: F811
    word = "zk" + uuid.uuid4().hex[:10]
    hook = WebhookReceiver(delay_s=0.4)
    ws = open_store(workspace_url)
    try:
        with ws.session() as db:
            s = saved.create(db, "local", f"crash {word}", {"q": word}, watch=True, webhook_url=hook.url,
                             webhook_secret="s3cret")
        for i in range(N):
            index_doc(es, index_alias, f"{word}-{i}", f"{word} story {i}")
        env = {**os.environ, "PERISCOPE_DATABASE_URL": workspace_url, "PERISCOPE_INDEX_ALIAS": index_alias,
               "PERISCOPE_ALERTS_WEBHOOK_ALLOW_PRIVATE": "true", "PERISCOPE_ALERTS_LOCK_TTL_S": "2",
               "PYTHONPATH": str(ROOT)}
        first = cli(env)
        deadline = time.monotonic() + 60
        while len(hook.requests) < 2 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        assert first.poll() is None, first.communicate()
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        time.sleep(0.6)  # let the receiver finish the request that was in flight
        delivered_before = len(hook.requests)
        assert 2 <= delivered_before < N
        time.sleep(2.1)  # the killed pass's lock lease runs out
        second = cli(env)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["failed"] == 0
        payloads = hook.verified("s3cret")
        assert len(payloads) == len(hook.requests)
        per_doc = collections.Counter(p["document"]["id"] for p in payloads)
        assert set(per_doc) == {f"{word}-{i}" for i in range(N)}
        assert len({p["delivery_id"] for p in payloads}) == N
        assert sum(per_doc.values()) - N <= 1  # at most the request in flight at the kill, same delivery id
        with ws.session(readonly=True) as db:
            rows = ledger.deliveries(db, saved_search_id=s.id)
        assert len(rows) == N and all(r.state == "sent" for r in rows)
        third = cli(env)  # nothing new: a third pass sends nothing
        out, _ = third.communicate(timeout=120)
        assert third.returncode == 0 and json.loads(out.strip().splitlines()[-1])["sent"] == 0
        assert len(hook.requests) == len(payloads)
    finally:
        hook.close()
        ws.close()
