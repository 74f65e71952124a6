"""A managed local PostgreSQL cluster: initdb, start, stop, throw away.

Debian's ``postgresql`` package provides the binaries (``/usr/lib/postgresql/<major>/bin``). The
cluster lives under ``<cache>/pg/<name>``: ``data`` (initdb), ``run`` (the unix socket) and
``postgres.log``. It listens on 127.0.0.1 only and trusts loopback and socket connections, which is
what a throw-away test cluster or a single-user local install needs — never expose it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from periscope.localservice import (
    RunAsError, chown_tree, credentials, service_root, system_user,
)
from periscope.localservice import pid_alive as _alive
from periscope.localservice import stop_process
from periscope.localservice import port_busy as _port_busy

SUPERUSER = "periscope"
PG_LIB = Path("/usr/lib/postgresql")
SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes; leave room for ".s.PGSQL.<port>"


class PostgresError(RuntimeError):
    """Something stops the managed PostgreSQL; the message says what to do."""


@dataclass(frozen=True)
class PgStatus:
    running: bool
    port: int | None
    pid: int | None
    message: str = ""


class ManagedPostgres:
    """One cluster. ``throwaway`` turns durability off (fsync, full page writes) for test speed."""

    def __init__(
        self, cache_dir: Path, name: str = "local", *, port: int = 5433,
        run_as: str = "periscope", throwaway: bool = False,
    ) -> None:
        self.root = clusters_dir(cache_dir) / name
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = port
        self.run_as = run_as
        self.throwaway = throwaway
        self.socket_dir = self.root / "run"
        if len(str(self.socket_dir)) > SOCKET_PATH_MAX:
            raise PostgresError(
                f"the socket path {self.socket_dir} is too long for a unix socket; "
                "set PERISCOPE_CACHE_DIR to a shorter path."
            )

    @classmethod
    def from_settings(cls, settings) -> ManagedPostgres:  # noqa: ANN001 - periscope.settings.Settings
        return cls(settings.cache_dir, "local", port=settings.pg_port, run_as=settings.pg_run_as)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    # ----------------------------------------------------------------------------- lifecycle
    def start(self, timeout: float = 60.0) -> PgStatus:
        """initdb (first time), then start and wait until it accepts connections (idempotent)."""
        st = self.status()
        if st.running:
            self.port = st.port or self.port
            return st
        if _port_busy(self.port):
            raise PostgresError(
                f"port {self.port} on 127.0.0.1 is in use by another program. Stop it or choose "
                "another port with PERISCOPE_PG_PORT."
            )
        bindir = find_bindir()
        creds = self._credentials()
        if not (self.data / "PG_VERSION").is_file():
            self._initdb(bindir, creds)
        self._write_config()
        if creds:
            chown_tree(self.root, creds["user"], creds["group"])
        proc = subprocess.run(
            [str(bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
             "-t", str(int(timeout)), "start"],
            capture_output=True, text=True, cwd=self.root, stdin=subprocess.DEVNULL,
            start_new_session=True, **creds,
        )
        if proc.returncode != 0:
            raise PostgresError(
                f"PostgreSQL did not start (pg_ctl exit {proc.returncode}).\n{proc.stderr.strip()}\n"
                f"{self.log_tail()}"
            )
        return self.status()

    def status(self) -> PgStatus:
        pid, port = self._postmaster()
        if pid is None:
            return PgStatus(False, None, None, "not running")
        if not _port_busy(port or self.port):
            return PgStatus(False, port, pid, f"process {pid} exists but does not listen")
        return PgStatus(True, port, pid, "running")

    def stop(self, timeout: float = 30.0) -> bool:
        """Fast shutdown (SIGINT: roll back open transactions); False when it was not running."""
        pid, _ = self._postmaster()
        if pid is None:
            return False
        stop_process(pid, signal.SIGINT, timeout, poll=0.1)
        return True

    def destroy(self) -> None:
        """Stop and delete the cluster's files."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        try:
            self.root.parent.rmdir()  # the last cluster gone: leave no empty /var/tmp stand-in behind
        except OSError:
            pass

    # ----------------------------------------------------------------------------- databases
    def create_database(self, name: str) -> str:
        """CREATE DATABASE ``name`` and return its SQLAlchemy URL."""
        self._admin(f'CREATE DATABASE "{_ident(name)}"')
        return self.url(name)

    def ensure_database(self, name: str) -> str:
        """The database ``name``, created when missing; returns its URL."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres") as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        return self.url(name) if exists else self.create_database(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{_ident(name)}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type] - identifiers checked by _ident

    # ----------------------------------------------------------------------------- internals
    def _credentials(self) -> dict:
        """PostgreSQL refuses to run as root: then run it as ``run_as`` (created if missing)."""
        if os.geteuid() != 0:
            return {}
        try:
            uid, gid = system_user(self.run_as, "PostgreSQL", "PERISCOPE_PG_RUN_AS")
        except RunAsError as exc:
            raise PostgresError(str(exc)) from None
        return credentials(uid, gid)

    def _initdb(self, bindir: Path, creds: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if creds:
            chown_tree(self.root, creds["user"], creds["group"])
        proc = subprocess.run(
            [str(bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            capture_output=True, text=True, cwd=self.root, stdin=subprocess.DEVNULL, **creds,
        )
        if proc.returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            raise PostgresError(f"initdb failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as fh:
            fh.write("\ninclude 'periscope.conf'\n")
        # Trust only the socket and IPv4 loopback (the server listens nowhere else either).
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n", encoding="utf-8"
        )

    def _write_config(self) -> None:
        """Written at every start so a changed port or mode applies."""
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        lines = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "max_connections": "50",
            "shared_buffers": "'64MB'",
        }
        if self.throwaway:
            lines |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        (self.data / "periscope.conf").write_text(
            "".join(f"{k} = {v}\n" for k, v in lines.items()), encoding="utf-8"
        )

    def _postmaster(self) -> tuple[int | None, int | None]:
        """pid and port from postmaster.pid (lines 1 and 4), if that process is alive."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None, None
        return (pid, port) if _alive(pid) else (None, None)

    def log_tail(self, lines: int = 20) -> str:
        if not self.log.is_file():
            return "(no log output)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def clusters_dir(cache_dir: Path) -> Path:
    """Where the managed clusters live: ``<cache>/pg`` (or its /var/tmp stand-in, see localservice)."""
    return service_root(Path(cache_dir), "pg")


def find_bindir() -> Path:
    """The newest Debian PostgreSQL (``/usr/lib/postgresql/<major>/bin``), else pg_ctl on PATH."""
    candidates = sorted(
        (p / "bin" for p in PG_LIB.glob("*") if p.name.isdigit() and (p / "bin" / "pg_ctl").is_file()),
        key=lambda b: int(b.parent.name),
    )
    if candidates:
        return candidates[-1]
    found = shutil.which("pg_ctl")
    if found and (Path(found).parent / "initdb").is_file():
        return Path(found).parent
    raise PostgresError(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found: install them with "
        "`apt-get install postgresql` (scripts/setup.sh does), or point PERISCOPE_DATABASE_URL "
        "at an existing server."
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name.isascii() or len(name) > 63:
        raise PostgresError(f"{name!r} is not a plain database name (ASCII letters, digits, _)")
    return name
