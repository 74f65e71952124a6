"""The workspace store: analysts' own data (users, groups, keys, sessions, collections and access).

SQLAlchemy 2 models and Alembic migrations; an SQLite file by default, PostgreSQL when configured.
Imports nothing else of Periscope. Repository modules take a SQLAlchemy ``Session`` from
:meth:`Workspace.session` and return plain dataclasses, never ORM objects::

    ws = open_store(url)                 # migrates to head
    with ws.session() as db:             # one transaction
        alice = users.create_user(db, "alice", role=Role.ANALYST, password="...")
"""

from workspace.errors import AlreadyExists, InvalidValue, NotFound, SchemaOutdated, WorkspaceError
from workspace import alert_models as _alert_models  # noqa: F401 - the alert tables join Base.metadata
from workspace.models import Permission, Role, Scope
from workspace import grading_models as _grading_models  # noqa: F401 - registers the grading tables on Base
from workspace import watchlist_models as _watchlist_models  # noqa: F401 - the watchlist tables join Base.metadata
from workspace import case_models as _case_models  # noqa: F401 - marks and case files (issue 18) join Base
from workspace.store import Workspace, default_url, open_store, sqlite_url

__all__ = [
    "AlreadyExists", "InvalidValue", "NotFound", "Permission", "Role", "SchemaOutdated", "Scope",
    "Workspace", "WorkspaceError", "default_url", "open_store", "sqlite_url",
]
