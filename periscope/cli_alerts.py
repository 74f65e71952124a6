"""``periscope alerts run|list|test``: one alert pass from cron, what is watched, a dry check of one alert.

``run`` exits 0 when every delivery went out, 1 when some failed or a search failed (cron mails that),
3 when another process holds the pass lock (nothing was done).
"""

from __future__ import annotations

import asyncio
import json

import typer

from periscope.cli_workspace import console, fail, open_workspace, settings_or_exit

alerts_app = typer.Typer(help="Saved-search alerts: run a pass, list, test one.", no_args_is_help=True)
EXIT_LOCKED = 3


async def _with_engine(settings, job):  # noqa: ANN001, ANN202 - Settings, coroutine function
    from mappings.client import async_es_client
    from search_api.alerts import AlertConfig
    from search_api.alerts.engine import AlertEngine
    from search_api.service import SearchService

    es = async_es_client(settings.api_es_connection())
    try:
        with open_workspace(settings) as ws:
            service = SearchService(es, settings.index_alias, cursor_key=settings.resolved_secret())
            return await job(AlertEngine(ws, service, AlertConfig.from_settings(settings)))
    finally:
        await es.close()


def _print(report) -> None:  # noqa: ANN001 - PassReport
    print(json.dumps({"searched": report.searched, "new_matches": report.new_matches, "sent": report.sent,
                      "failed": report.failed, "dead": report.dead, "errors": report.errors}))


@alerts_app.command("run")
def run(all_: bool = typer.Option(False, "--all", help="Check every watched search now, due or not.")) -> None:
    """One pass: check the due watched searches, deliver new matches, move the checkpoints."""
    settings = settings_or_exit()
    report = asyncio.run(_with_engine(settings, lambda e: e.run_pass(due_only=not all_)))
    if report.skipped_locked:
        raise fail("another alert pass is running (workspace lock); nothing done", EXIT_LOCKED)
    _print(report)
    raise typer.Exit(0 if report.ok else 1)


@alerts_app.command("list")
def listing() -> None:
    """Every saved search: id, owner, watched, interval, channels, last run, query problems."""
    from search_api.alerts.matching import query_problem
    from workspace import saved_searches as saved

    with open_workspace() as ws, ws.session(readonly=True) as db:
        rows = saved.every(db)
    for s in rows:
        channels = ",".join(c for c, on in (("webhook", s.webhook_url), ("email", s.email_to)) if on) or "-"
        problem = s.query_error or query_problem(s.request)
        print(f"{s.id}\t{s.owner}\t{s.name}\twatch={'yes' if s.watch else 'no'}\tevery={s.interval_s}s\t"
              f"channels={channels}\tlast_run={s.last_run_at or '-'}" + (f"\tBROKEN: {problem}" if problem else ""))


@alerts_app.command("test")
def test(search_id: int = typer.Argument(..., help="Saved search id (see `periscope alerts list`).")) -> None:
    """Run one saved search now (due or not, watched or not) and deliver what is new."""
    from workspace import NotFound
    from workspace import saved_searches as saved

    settings = settings_or_exit()
    with open_workspace(settings) as ws, ws.session(readonly=True) as db:
        try:
            saved.get(db, search_id)
        except NotFound as exc:
            raise fail(f"{exc} List them with `periscope alerts list`.", 2) from None
    report = asyncio.run(_with_engine(settings, lambda e: e.run_pass(only=[search_id])))
    if report.skipped_locked:
        raise fail("another alert pass is running (workspace lock); try again shortly", EXIT_LOCKED)
    _print(report)
    raise typer.Exit(0 if report.ok else 1)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
