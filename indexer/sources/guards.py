"""Bounds on what one document may cost: zip containers checked before parsing, parse time capped.

Office files are zip archives; a 177 KB .docx can declare 50 MB of XML that the parser would inflate
and build a tree from (minutes, gigabytes). The central directory is read first (cheap) and the file
refused when it has too many members, declares too much uncompressed data, or compresses a member
more than any real document does. :mod:`zipfile` itself stops at the declared size, so the declared
sizes checked here are the sizes the parser can get.
"""

from __future__ import annotations

import io
import signal
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from .base import BadDocument, Limits

RATIO_MIN_BYTES = 1024 * 1024  # small members may compress very well (blank XML); only big ones count


def check_zip(data: bytes, limits: Limits, *, broken: str = "broken-zip") -> zipfile.ZipFile:
    """The archive, opened, once its central directory is within ``limits``; else BadDocument
    (``zip-bomb`` for member count or ratio, ``too-large`` for the declared total, ``broken`` when
    it is not a zip at all)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BadDocument(broken, f"{type(exc).__name__}: {exc}") from None
    if len(infos) > limits.zip_max_members:
        raise BadDocument("zip-bomb", f"{len(infos)} members > limit {limits.zip_max_members}")
    total = sum(i.file_size for i in infos)
    if total > limits.zip_max_total:
        raise BadDocument("too-large", f"declares {total} bytes uncompressed > limit {limits.zip_max_total}")
    for i in infos:
        if i.file_size > RATIO_MIN_BYTES and i.file_size > limits.zip_max_ratio * max(i.compress_size, 1):
            raise BadDocument("zip-bomb", f"{i.filename!r} inflates {i.compress_size} -> {i.file_size} bytes "
                                          f"(ratio > {limits.zip_max_ratio:.0f})")
    return zf


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise BadDocument("timeout") in the block after ``seconds`` (wall clock).

    Uses SIGALRM, so it works in the main thread of a POSIX process — where the CLI reads sources;
    elsewhere (a thread, Windows) the block runs unbounded rather than not at all. An alarm already
    pending (a test timeout, say) is honoured and re-armed afterwards with the time it had left.
    """
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    start = time.monotonic()
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)

    def expire(sig: int, frame: object) -> None:
        if outer_delay and time.monotonic() - start >= outer_delay - 1e-3 and callable(outer_handler):
            outer_handler(sig, frame)  # the outer alarm was due first: its owner decides
        raise BadDocument("timeout", f"parsing took longer than {seconds:g}s")

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_delay) if outer_delay else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_delay:
            left = max(outer_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)
