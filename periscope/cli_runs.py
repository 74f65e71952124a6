"""``periscope runs`` and ``periscope failures RUN_ID``: what the ingest runs did, and what failed."""

from __future__ import annotations

import json
from typing import Any

import typer

from periscope.cli_common import console, ensure_node, settings_or_exit


def _es(settings: Any) -> Any:
    from mappings.client import es_client

    ensure_node(settings)
    return es_client(settings.es_connection())


def runs(
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="How many runs, newest first."),
    alias: str = typer.Option(None, "--index", help="Index alias (default PERISCOPE_INDEX_ALIAS)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List ingest runs: when, what, counts, failures by reason."""
    from indexer.runlog import list_runs

    settings = settings_or_exit()
    rows = list_runs(_es(settings), alias or settings.index_alias, size=limit)
    if as_json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    if not rows:
        console.print("no runs recorded yet: periscope index PATH")
        return
    for r in rows:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted((r.get("failures_by_reason") or {}).items()))
        print(f"{r['run_id']}\t{r['started_at'][:19]}\tread={r['read']} new={r['created']} updated={r['updated']} "
              f"unchanged={r['unchanged']} failed={r['failed']}{' (' + reasons + ')' if reasons else ''}"
              f"{'  ABORTED: ' + r['aborted'] if r.get('aborted') else ''}\t{r.get('description') or ''}")


def failures(
    run_id: str = typer.Argument(..., help="A run id from `periscope runs`."),
    reason: str = typer.Option(None, "--reason", help="Only failures with this reason."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    alias: str = typer.Option(None, "--index", help="Index alias (default PERISCOPE_INDEX_ALIAS)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the failed items of one run with their reasons."""
    from indexer.runlog import get_run, list_failures

    settings = settings_or_exit()
    es = _es(settings)
    alias = alias or settings.index_alias
    total, rows = list_failures(es, alias, run_id, size=limit, reason=reason)
    if not rows and get_run(es, alias, run_id) is None:
        console.print(f"[red]error:[/red] no run {run_id!r} in {alias} (see `periscope runs`)")
        raise typer.Exit(2)
    if as_json:
        print(json.dumps({"total": total, "failures": rows}, indent=1, ensure_ascii=False))
        return
    for r in rows:
        print(f"{r['reason']}\t{r['origin']}\t{(r.get('detail') or '')[:200]}")
    console.print(f"{total} failure(s){f', first {len(rows)} shown' if total > len(rows) else ''}")
