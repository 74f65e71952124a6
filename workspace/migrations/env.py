"""Alembic environment: runs on the connection the Workspace hands over (see workspace.store).

Started from Alembic's own command line (``alembic -c workspace/alembic.ini``) it connects to
``sqlalchemy.url`` itself, so the usual Alembic workflow also works.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from workspace.models import Base, UTCDateTime

# Any constant: all processes migrating the same PostgreSQL database queue on it.
ADVISORY_LOCK = 0x50_45_52_49  # "PERI"


def _skip_empty(_context, _revision, directives) -> None:  # noqa: ANN001 - Alembic hook
    """`periscope db revision` writes nothing when the models and the migrations agree."""
    if directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def _render_item(kind: str, obj: object, _autogen_context) -> str | bool:  # noqa: ANN001
    """New migrations spell UTCDateTime as the plain column type it stores (no import of ours)."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection) -> None:  # noqa: ANN001 - SQLAlchemy Connection
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        process_revision_directives=_skip_empty,
        render_item=_render_item,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK})
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")

_connection = context.config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:
    _engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with _engine.connect() as _conn:
        _run(_conn)
    _engine.dispose()
