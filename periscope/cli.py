"""The ``periscope`` command line: the managed node, index setup, the API server, ingestion."""

from __future__ import annotations

import sys

import typer

from periscope.cli_common import console, ensure_node
from periscope.cli_common import fail as _fail
from periscope.cli_common import settings_or_exit as _settings

app = typer.Typer(help="Periscope — OSINT search and discovery.", no_args_is_help=True, add_completion=False)
es_app = typer.Typer(help="Manage the local Elasticsearch node.", no_args_is_help=True)
app.add_typer(es_app, name="es")


@es_app.command("start")
def es_start() -> None:
    """Fetch (first time), configure and start the local node; wait until it is healthy."""
    settings = _settings()
    if not settings.managed:
        raise _fail("PERISCOPE_ES_URL is set: Periscope uses that cluster and manages no local node.")
    ensure_node(settings)


@es_app.command("stop")
def es_stop() -> None:
    """Stop the local node."""
    from periscope.esnode import ManagedNode

    stopped = ManagedNode(_settings()).stop()
    console.print("stopped" if stopped else "not running")


@es_app.command("status")
def es_status() -> None:
    """Show whether the local node runs, its version and cluster health. Exit 1 when down."""
    from periscope.esnode import ManagedNode

    st = ManagedNode(_settings()).status()
    print(f"{'running' if st.running else 'stopped'}\turl={st.url}\tpid={st.pid}\tversion={st.version}\thealth={st.health}\t{st.message}")
    raise typer.Exit(0 if st.running else 1)


@es_app.command("logs")
def es_logs(lines: int = typer.Option(50, "--lines", "-n", help="How many lines from the end.")) -> None:
    """Print the end of the node's log."""
    from periscope.esnode import ManagedNode

    path = ManagedNode(_settings()).logs_path()
    if not path.is_file():
        raise _fail(f"no log yet at {path}")
    sys.stdout.write("\n".join(path.read_text(errors="replace").splitlines()[-lines:]) + "\n")


@app.command("up")
def up() -> None:
    """Make sure Elasticsearch runs, the index contract is installed and the workspace migrated (idempotent)."""
    settings = _settings()
    ensure_node(settings)
    from elasticsearch import ApiError, TransportError

    from mappings import CURRENT_VERSION, install, migrate, version_of
    from mappings.client import es_client

    es = es_client(settings.es_connection())
    sizing = {"shards": settings.index_shards, "replicas": settings.index_replicas}
    try:
        res = install(es, settings.index_alias, **sizing)
        old = version_of(res.index) or CURRENT_VERSION
        if old < CURRENT_VERSION:
            # Same documents, new contract: copy into <alias>-v<N> and swap the alias atomically.
            console.print(f"index {res.index} uses contract v{old}; migrating to v{CURRENT_VERSION}…")
            # v2 also changed the ids (source + origin, issue 14): the id migration re-keys the copy
            from indexer.reid import migrate_ids

            res = (migrate_ids if old < 2 else migrate)(es, settings.index_alias, CURRENT_VERSION, **sizing)
    except (ApiError, TransportError) as exc:
        raise _fail(f"could not install the index at {settings.es_hosts}: {exc}") from None
    console.print(f"index {res.index} behind alias {res.alias} ({'created' if res.created else 'exists'})")
    from periscope.cli_workspace import migrate_workspace

    migrate_workspace(settings)


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Bind address (default PERISCOPE_API_HOST)."),
    port: int = typer.Option(None, help="Port (default PERISCOPE_API_PORT)."),
    workers: int = typer.Option(None, help="uvicorn worker processes (default PERISCOPE_API_WORKERS)."),
) -> None:
    """Serve the search API and the analyst UI with uvicorn."""
    import uvicorn

    settings = _settings()
    host = host or settings.api_host
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.api_keys:
        raise _fail(f"binding to {host} exposes the API: set PERISCOPE_API_KEYS=key1,key2 first.")
    if host not in ("127.0.0.1", "localhost", "::1"):  # --host may widen what the settings checked
        for i, key in enumerate(settings.api_keys, 1):
            if problem := settings.weak_key_problem(key):
                raise _fail(f"PERISCOPE_API_KEYS: key #{i} is too weak to bind to {host} ({problem}); generate one "
                            "with `python -c 'import secrets; print(secrets.token_urlsafe(32))'`.")
    console.print(f"Periscope on http://{host}:{port or settings.api_port}/  (API docs at /docs)")
    uvicorn.run(
        "periscope.server:create_app", factory=True, host=host, port=port or settings.api_port,
        workers=workers or settings.api_workers, log_level="info",
    )


# --- ingestion commands (index, demo, feeds): owned by indexer/, see periscope/cli_indexer.py ---
from periscope.cli_indexer import register as _register_indexer  # noqa: E402

_register_indexer(app)

# --- workspace commands (db, users, groups, collections): see periscope/cli_workspace.py ---
from periscope.cli_workspace import register as _register_workspace  # noqa: E402

_register_workspace(app)
from periscope.cli_alerts import register as _register_alerts  # noqa: E402 - saved-search alerts (issue 15)

_register_alerts(app)

from periscope.cli_sources import register as _register_sources  # noqa: E402 - sources + grades (issue 16)

_register_sources(app)


if __name__ == "__main__":  # pragma: no cover
    app()
