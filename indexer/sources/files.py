"""Files and folders: walked safely (:mod:`.walk`), each file read by the plug-in the registry
chooses (:mod:`.registry`). Each file gets its ``file://`` URI as URL, so an edited file keeps its id
and is updated in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..models import Failure, Item
from .base import DEFAULT_MAX_BYTES, Limits, ReadContext
from .registry import REGISTRY, Registry
from .walk import walk


def iter_files(paths: Iterable[str | Path], *, follow_symlinks: bool = False) -> Iterator[Path]:
    """Readable files under ``paths`` (see :func:`.walk.walk`)."""
    return (p for p in walk(paths, follow_symlinks=follow_symlinks) if isinstance(p, Path))


def read_paths(
    paths: Iterable[str | Path], *, source: str | None = None, source_type: str = "file",
    max_bytes: int = DEFAULT_MAX_BYTES, field_map: Any = None, follow_symlinks: bool = False,
    limits: Limits | None = None, fetch_pages: bool = False, fetch_policy: Any = None,
    registry: Registry = REGISTRY, force_format: str | None = None,
) -> Iterator[Item]:
    """Every document in ``paths`` (files or folders); failures come out as :class:`Failure` items.

    ``source`` defaults to each file's folder name; JSON exports use ``field_map``.
    """
    limits = limits or Limits(max_bytes=max_bytes, follow_symlinks=follow_symlinks)
    fmt = registry.get(force_format) if force_format else None
    for path in walk(paths, follow_symlinks=limits.follow_symlinks):
        where = Path(path.origin) if isinstance(path, Failure) else path
        # default source: the folder's name (a forced JSON export: the file's own name, as before)
        src = source or (where.stem if force_format == "json" else where.parent.name) or "files"
        if isinstance(path, Failure):
            path.source, path.source_type = src, source_type
            yield path
            continue
        ctx = ReadContext(source=src, source_type=source_type, limits=limits, field_map=field_map,
                          fetch_pages=fetch_pages, fetch_policy=fetch_policy)
        yield from registry.read_file(path, ctx, fmt=fmt)
