"""Alembic environment: runs on the connection the Workspace hands over (see workspace.store).

Started from Alembic's own command line (``alembic -c workspace/alembic.ini``) it connects to
``sqlalchemy.url`` itself, so the usual Alembic workflow also works.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from workspace.models import Base

# Any constant: all processes migrating the same PostgreSQL database queue on it.
ADVISORY_LOCK = 0x50_45_52_49  # "PERI"


def _run(connection) -> None:  # noqa: ANN001 - SQLAlchemy Connection
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
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
