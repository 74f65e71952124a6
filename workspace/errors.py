"""Errors the workspace raises; each maps to one HTTP status in the API and one exit code in the CLI."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class WorkspaceError(Exception):
    """Base class; the message is meant for the person who caused it."""


class InvalidValue(WorkspaceError, ValueError):
    """A name, role, password or date that is not acceptable (API: 422)."""


class NotFound(WorkspaceError, LookupError):
    """A named thing does not exist (API: 404); carries close names to suggest."""

    def __init__(self, kind: str, name: str, candidates: Iterable[str] = ()) -> None:
        self.kind, self.name = kind, name
        by_key = {c.casefold(): c for c in candidates}  # "alise" suggests "Alice"
        close = difflib.get_close_matches(name.casefold(), list(by_key), n=3, cutoff=0.6)
        self.suggestions = [by_key[c] for c in close]
        hint = f" Did you mean {' or '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no {kind} named {name!r}.{hint}")


class AlreadyExists(WorkspaceError):
    """A name is taken (API: 409)."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind, self.name = kind, name
        super().__init__(f"a {kind} named {name!r} already exists; choose another name.")


class SchemaOutdated(WorkspaceError):
    """The database is behind the code; run the migrations."""
