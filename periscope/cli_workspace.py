"""``periscope db ...``: the workspace database (migrations) and the managed local PostgreSQL.

Also the helpers the user/collection commands share: open the store from the settings, and turn
workspace errors into clear messages and exit codes (2 = bad input, 1 = the database is unreachable).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from periscope.settings import Settings, SettingsError, load_settings

console = Console(stderr=True)
db_app = typer.Typer(help="The workspace database: migrations and a managed local PostgreSQL.",
                     no_args_is_help=True)
EXIT_BAD_INPUT = 2
MANAGED_DATABASE = "periscope"


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@contextmanager
def workspace_errors(url: str) -> Iterator[None]:
    """Workspace errors → exit 2 with their message; an unreachable database → exit 1 saying what to do."""
    from sqlalchemy.exc import OperationalError

    from workspace import WorkspaceError

    try:
        yield
    except WorkspaceError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    except OperationalError as exc:
        raise fail(
            f"cannot use the workspace database {url}: {str(exc.orig).strip().splitlines()[0]}. "
            "Check PERISCOPE_DATABASE_URL (or start the local server with `periscope db start`)."
        ) from None


@contextmanager
def open_workspace(settings: Settings | None = None):  # noqa: ANN201 - yields workspace.Workspace
    """The configured workspace, migrated to head (a no-op when it already is)."""
    from sqlalchemy.engine import make_url

    from workspace import Workspace

    settings = settings or settings_or_exit()
    url = settings.workspace_url
    with workspace_errors(make_url(url).render_as_string(hide_password=True)):
        ws = Workspace(url)
        try:
            yield ws
        finally:
            ws.close()


def migrate_workspace(settings: Settings) -> None:
    """Used by ``periscope up``: bring the workspace database to the code's schema."""
    with open_workspace(settings) as ws:
        console.print(f"workspace {ws.safe_url}: revision {ws.current()} (head)")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the workspace database to the current schema (idempotent)."""
    migrate_workspace(settings_or_exit())


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision; exit 1 when it is behind the code."""
    from workspace import Workspace

    settings = settings_or_exit()
    with workspace_errors(settings.workspace_url):
        ws = Workspace(settings.workspace_url, migrate=False)
        current, head = ws.current(), ws.head()
        ws.close()
    print(f"{current or 'empty'}\thead={head}\t{ws.safe_url}")
    raise typer.Exit(0 if current == head else 1)


@db_app.command("start")
def db_start() -> None:
    """Start the managed local PostgreSQL (initdb the first time) and print the URL to use."""
    from periscope.pgnode import ManagedPostgres, PostgresError

    pg = ManagedPostgres.from_settings(settings_or_exit())
    try:
        st = pg.start()
        url = pg.ensure_database(MANAGED_DATABASE)
    except PostgresError as exc:
        raise fail(str(exc)) from None
    console.print(f"PostgreSQL running on 127.0.0.1:{st.port} (pid {st.pid}, data {pg.data}).")
    console.print("Use it for the workspace with (e.g. in .env), then `periscope db upgrade`:")
    print(f"PERISCOPE_DATABASE_URL={url}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the managed local PostgreSQL (its data stays in the cache dir)."""
    from periscope.pgnode import ManagedPostgres

    console.print("stopped" if ManagedPostgres.from_settings(settings_or_exit()).stop() else "not running")


@db_app.command("status")
def db_status() -> None:
    """Whether the managed local PostgreSQL runs. Exit 1 when it does not."""
    from periscope.pgnode import ManagedPostgres

    st = ManagedPostgres.from_settings(settings_or_exit()).status()
    print(f"{'running' if st.running else 'stopped'}\tport={st.port}\tpid={st.pid}\t{st.message}")
    raise typer.Exit(0 if st.running else 1)


@db_app.command("revision")
def db_revision(
    message: str = typer.Argument(..., help="What the migration does, e.g. 'saved searches'."),
) -> None:
    """For developers: write a new migration from the difference between the models and head.

    Runs against a scratch SQLite database, so it never touches your data. Review the file it
    writes under workspace/migrations/versions/ (autogenerate misses renames and data changes).
    """
    import tempfile

    from alembic import command

    from workspace import Workspace
    from workspace.store import alembic_config

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(f"sqlite:///{Path(tmp) / 'scratch.sqlite3'}")
        with ws.engine.begin() as conn:
            script = command.revision(alembic_config(conn), message, autogenerate=True)
        ws.close()
    if not script:
        console.print("the models match the migrations: no revision written")
        return
    console.print(f"wrote {getattr(script, 'path', script)}; review it before committing")


def register(app: typer.Typer) -> None:
    """Attach ``db``, ``users``, ``groups`` and ``collections`` to the main CLI."""
    from periscope.cli_users import collections_app, groups_app, users_app

    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(groups_app, name="groups")
    app.add_typer(collections_app, name="collections")
