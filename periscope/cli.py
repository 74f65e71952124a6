"""The ``periscope`` command line: the managed node, index setup, the API server, ingestion."""

from __future__ import annotations

import sys

import typer

from periscope.cli_common import console, ensure_node
from periscope.cli_common import fail as _fail
from periscope.cli_common import settings_or_exit as _settings
from periscope.settings import Settings, SettingsError, load_settings

app = typer.Typer(help="Periscope — OSINT search and discovery.", no_args_is_help=True, add_completion=False)
es_app = typer.Typer(help="Manage the local Elasticsearch node.", no_args_is_help=True)
app.add_typer(es_app, name="es")


def _with_nodes(nodes: int | None) -> Settings:
    """The settings, with ``--nodes`` (a managed cluster of that many nodes) applied."""
    settings = _settings()
    if nodes is None or nodes == settings.es_nodes:
        return settings
    try:
        return load_settings(es_nodes=nodes)  # re-validated: a cluster gets 1 replica by default
    except SettingsError as exc:
        raise _fail(str(exc), 2) from None


NODES_OPTION = typer.Option(None, "--nodes", min=1, max=9,
                            help="Managed nodes forming one cluster (default PERISCOPE_ES_NODES, 1).")


@es_app.command("start")
def es_start(nodes: int = NODES_OPTION) -> None:
    """Fetch (first time), configure and start the local node(s); wait until healthy."""
    settings = _with_nodes(nodes)
    if not settings.managed:
        raise _fail("PERISCOPE_ES_URL is set: Periscope uses that cluster and manages no local node.")
    ensure_node(settings)
    if settings.es_nodes > 1:
        console.print(f"cluster of {settings.es_nodes} nodes; use PERISCOPE_ES_NODES={settings.es_nodes} "
                      f"(or PERISCOPE_ES_URL={','.join(settings.es_hosts)}) for the other commands")


@es_app.command("stop")
def es_stop(nodes: int = NODES_OPTION) -> None:
    """Stop the local node(s)."""
    from periscope.escluster import managed_service

    stopped = managed_service(_with_nodes(nodes)).stop()
    console.print("stopped" if stopped else "not running")


@es_app.command("status")
def es_status(nodes: int = NODES_OPTION) -> None:
    """Show whether the local node(s) run, version and cluster health. Exit 1 when one is down."""
    from periscope.escluster import ManagedCluster, managed_service

    svc = managed_service(_with_nodes(nodes))
    st = svc.status()
    for n in st.nodes if isinstance(svc, ManagedCluster) else [st]:
        print(f"{'running' if n.running else 'stopped'}\turl={n.url}\tpid={n.pid}\tversion={n.version}"
              f"\thealth={n.health}\t{n.message}")
    if isinstance(svc, ManagedCluster):
        print(f"cluster\tnodes={st.joined}/{len(st.nodes)}\thealth={st.health}")
    raise typer.Exit(0 if st.running else 1)


@es_app.command("logs")
def es_logs(lines: int = typer.Option(50, "--lines", "-n", help="How many lines from the end."),
            node: int = typer.Option(1, "--node", min=1, max=9, help="Which node of a managed cluster.")) -> None:
    """Print the end of the node's log."""
    from periscope.esnode import ManagedNode

    path = ManagedNode(_settings(), node).logs_path()
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
