"""Walking folders and opening files safely: regular files only, symlinks kept inside the root,
never more than the size cap read from any stream.

A symlink to ``/etc/passwd`` must not index the system's files, one to ``/dev/zero`` must not
exhaust memory (its size says 0), and a FIFO must not hang the run: each is skipped with a
recorded reason (``symlink-outside-root``, ``not-a-regular-file``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..models import Failure
from .errors import BadDocument

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((label for test, label in _KINDS if test(mode)), "not a regular file")


def refusal(path: Path, root: Path | None, *, follow_symlinks: bool = False) -> tuple[str, str] | None:
    """(reason, detail) when ``path`` must not be read, else None. ``root`` is the resolved folder
    being indexed (None for a file named on the command line: the user chose it)."""
    try:
        lst = os.lstat(path)
        if stat.S_ISLNK(lst.st_mode) and root is not None and not follow_symlinks:
            target = Path(os.path.realpath(path))
            if not target.is_relative_to(root):
                return "symlink-outside-root", (f"points to {target}, outside {root} "
                                                "(PERISCOPE_INGEST_FOLLOW_SYMLINKS=true to index it)")
        st = os.stat(path)
    except OSError as exc:
        return "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return "not-a-regular-file", f"{_kind(st.st_mode)}; only regular files are indexed"
    return None


def walk(paths: Iterable[str | Path], *, follow_symlinks: bool = False) -> Iterator[Path | Failure]:
    """Files under ``paths`` in a stable (sorted) order, hidden files and folders skipped; a file that
    must not be read comes out as a :class:`Failure`. Symlinked folders are never descended."""
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            why = refusal(path, None)
            yield path if why is None else Failure(str(path), *why)
            continue
        root = path.resolve()
        for dirpath, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    f = Path(dirpath) / name
                    why = refusal(f, root, follow_symlinks=follow_symlinks)
                    yield f if why is None else Failure(str(f), *why)


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading, refusing anything that is not a regular file *at open time*
    (O_NONBLOCK: opening a FIFO never waits for a writer; fstat closes the check-then-open gap)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise BadDocument("not-a-regular-file", f"{_kind(st.st_mode)}; only regular files are indexed")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, never reading more than ``max_bytes + 1`` (the size on disk is not trusted)."""
    with open_regular(path) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise BadDocument("too-large", f"larger than the limit of {max_bytes} bytes")
    return data
