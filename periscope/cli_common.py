"""What every command shares: the console, settings (or a clean exit), errors, starting the node.

Its own module so ``periscope/cli.py`` and ``periscope/cli_indexer.py`` both import it instead of
importing each other's private functions.
"""

from __future__ import annotations

import time

import typer
from rich.console import Console

from periscope.settings import Settings, SettingsError, get_settings

console = Console(stderr=True)


def settings_or_exit() -> Settings:
    """The process settings; an invalid configuration prints what to fix and exits with status 2."""
    try:
        return get_settings()
    except SettingsError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def ensure_node(settings: Settings) -> None:
    """Start the managed node when no external cluster is configured."""
    if not settings.managed:
        return
    from periscope.escluster import managed_service
    from periscope.esnode import NodeError

    node = managed_service(settings)
    try:
        t0 = time.monotonic()
        st = node.start()
    except NodeError as exc:
        raise fail(str(exc)) from None
    console.print(f"Elasticsearch {st.version} at {st.url}: {st.health} ({time.monotonic() - t0:.1f}s)")
