"""Open the workspace database: engine, migrations to head, transactional sessions.

SQLite (the embedded default, one file under the cache dir) gets WAL mode, foreign keys and a busy
timeout on every connection, and SQLAlchemy's own BEGIN so DDL is transactional and writers can take
the write lock up front (``BEGIN IMMEDIATE``): without it a read-then-write transaction in WAL mode
can fail with "database is locked" instead of waiting. PostgreSQL is reached with psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
import time

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Select, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from workspace.errors import AlreadyExists, InvalidValue, SchemaOutdated

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_FILE = "workspace.sqlite3"
BUSY_TIMEOUT_MS = 10_000
UPGRADE_ATTEMPTS = 6


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def default_url(cache_dir: Path) -> str:
    """The embedded store: ``<cache_dir>/workspace.sqlite3``."""
    return sqlite_url(Path(cache_dir) / SQLITE_FILE)


def normalise_url(url: str) -> str:
    """Check a database URL and pick psycopg 3 for PostgreSQL (SQLAlchemy would default to psycopg2)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidValue(
            f"{url!r} is not a database URL; use sqlite:///path/to/file.sqlite3 or "
            "postgresql+psycopg://user:password@host:5432/dbname"
        ) from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return url
    raise InvalidValue(
        f"database driver {parsed.drivername!r} is not supported; use sqlite:/// or postgresql+psycopg://"
    )


def alembic_config(connection: object | None = None) -> Config:
    """Alembic configuration pointing at the package's own migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


class Workspace:
    """One database: ``with ws.session() as db:`` commits on success and rolls back on error."""

    def __init__(self, url: str, *, migrate: bool = True, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine = _engine(self.url, echo)
        self._writer = sessionmaker(
            bind=self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        if migrate:
            try:
                self.upgrade()
            except BaseException:
                self.engine.dispose()  # e.g. an unreachable server: leave no pooled connection behind
                raise

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A transaction. ``readonly`` sessions never take SQLite's write lock and always roll back."""
        factory = self._reader if readonly else self._writer
        with factory() as db:
            if readonly:
                yield db
                db.rollback()
                return
            with db.begin():
                yield db

    # ---------------------------------------------------------------------------- migrations
    def upgrade(self, revision: str = "head") -> str | None:
        """Migrate to ``revision`` (idempotent; concurrent callers serialise) and return the new one."""
        if self.dialect == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            Path(self.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(UPGRADE_ATTEMPTS):
            try:
                with self.engine.connect() as conn:
                    conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                    with conn.begin():
                        command.upgrade(alembic_config(conn), revision)
                break
            except OperationalError as exc:
                # SQLite can answer "locked" without waiting (e.g. while another process switches a new
                # file to WAL); the other process is migrating, so wait and try again: upgrade is idempotent.
                if self.dialect != "sqlite" or "locked" not in str(exc) or attempt == UPGRADE_ATTEMPTS - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))
        return self.current()

    def current(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @staticmethod
    def head() -> str | None:
        return ScriptDirectory.from_config(alembic_config()).get_current_head()

    def check_current(self) -> None:
        """Raise :class:`SchemaOutdated` unless the database is at the code's head revision."""
        current, head = self.current(), self.head()
        if current != head:
            raise SchemaOutdated(
                f"the workspace database is at revision {current or 'empty'}, the code expects {head}: "
                "run `periscope db upgrade` (or `periscope up`)."
            )

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(url: str, *, migrate: bool = True) -> Workspace:
    """Open (and by default migrate) the workspace database at ``url``."""
    return Workspace(url, migrate=migrate)


def add_unique(db: Session, row: object, taken: Select, kind: str, name: str) -> None:
    """Insert ``row`` unless ``taken`` finds its name; a concurrent insert that wins is caught too."""
    if db.scalar(taken) is not None:
        raise AlreadyExists(kind, name)
    db.add(row)
    try:
        db.flush()
    except IntegrityError:
        raise AlreadyExists(kind, name) from None


def _engine(url: str, echo: bool) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, echo=echo, pool_pre_ping=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    memory = make_url(url).database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see the module docstring)
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # noqa: ANN001 - SQLAlchemy Connection
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', '')}".strip())

    return engine
