"""Helpers shared by the managed local services (Elasticsearch, PostgreSQL).

Both servers refuse to run as root. As root, Periscope runs them as a system user (created if
missing) that owns the service's directory; nothing else on the machine changes.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path


class RunAsError(RuntimeError):
    """The system user cannot be created; the message says what to do."""


def service_root(cache_dir: Path, kind: str) -> Path:
    """``<cache>/<kind>``, unless we are root and that path is not traversable by other users.

    The unprivileged user must reach its files; a checkout inside a private directory (e.g. one made
    by mktemp -d) does not allow that, so the service then lives under /var/tmp, keyed by the cache
    path so two checkouts never share one.
    """
    root = Path(cache_dir).resolve() / kind
    if os.geteuid() != 0 or all(p.stat().st_mode & 0o001 for p in root.parents if p.exists()):
        return root
    key = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"periscope-{kind.replace('/', '-')}-{key}"


def system_user(name: str, service: str, setting: str) -> tuple[int, int]:
    """uid and gid of ``name``, created as a no-login system user if missing."""
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        proc = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            capture_output=True, text=True,
        )
        if proc.returncode != 0:
            raise RunAsError(
                f"{service} cannot run as root and creating the user {name!r} failed: "
                f"{proc.stderr.strip()}. Run as a normal user or set {setting}."
            ) from None
        entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def chown_tree(root: Path, uid: int, gid: int, skip: Path | None = None) -> None:
    """Give ``root`` and everything below it (except ``skip``) to uid:gid."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink() or (skip is not None and path.is_relative_to(skip)):
            continue
        if path.stat().st_uid != uid:
            os.chown(path, uid, gid)


def credentials(uid: int, gid: int) -> dict:
    """Keyword arguments for subprocess to run a child as uid:gid."""
    return {"user": uid, "group": gid, "extra_groups": []}


def port_busy(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still "exists"; treat it as gone.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return True


def java_major(home: Path) -> int | None:
    """The major version of ``<home>/bin/java``, or None when it does not run."""
    java = home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)', out.stderr + out.stdout)
    return int(m.group(1)) if m else None


def stop_process(pid: int, sig: int, timeout: float, poll: float = 0.2) -> None:
    """Send ``sig`` (the service's graceful shutdown) and wait; SIGKILL if it is still there."""
    os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(poll)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
