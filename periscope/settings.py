"""Configuration, read once from the environment (``PERISCOPE_*``) and an optional ``.env`` file.

Every other module receives a :class:`Settings` instance (or calls :func:`get_settings`, which caches
one), so there is exactly one place that knows about environment variables.
"""

from __future__ import annotations

import math
import os
import secrets
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from mappings.vocabulary import FACET_SAMPLE_DOCS

if TYPE_CHECKING:
    from mappings.client import ESConnection

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class SettingsError(ValueError):
    """A configuration value is wrong; the message says which variable and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PERISCOPE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- Elasticsearch connection -------------------------------------------------------------
    # Empty es_url means "use the managed local node" (started by `periscope es start`).
    es_url: Annotated[list[str], NoDecode] = Field(default_factory=list)
    es_api_key: str | None = None
    es_username: str | None = None
    es_password: str | None = None
    es_ca_certs: Path | None = None
    es_verify_certs: bool = True
    es_request_timeout: float = 30.0
    es_max_retries: int = 3

    # --- managed local node ---------------------------------------------------------------------
    es_version: str = "9.3.2"
    es_port: int = 9200
    es_heap: str = "2g"
    es_run_as: str = "periscope"  # user the node runs as when Periscope is started as root
    cache_dir: Path = PROJECT_ROOT / ".cache"

    # --- index naming -----------------------------------------------------------------------------
    index_alias: str = "periscope-docs"
    index_shards: int = 1
    index_replicas: int = 0

    # --- API server -----------------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_workers: int = 1
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Signs cursors and session cookies. Empty: a random key is created once in the cache dir and
    # shared by every worker process on this machine; set it explicitly when several machines serve.
    secret_key: str = ""

    # --- search API limits and Elasticsearch timeouts (search_api; limits themselves: mappings.vocabulary) ---
    # Budget of one Elasticsearch call made by the API, connection included: a node that accepts
    # connections but never answers gives a 503 + Retry-After after this, not after minutes.
    api_es_timeout: float = Field(4.0, gt=0)
    # /health probes get a shorter budget so the health check itself answers within ~2 s.
    api_health_timeout: float = Field(1.5, gt=0)
    # Facet counts and the timeline of a search matching more than twice this many documents are estimated
    # from a random sample (search_api/sampling.py, labelled in the API and UI); 0: always exact counts,
    # at a cost that grows with the match count (docs/scaling.md "Growth").
    facet_sample_docs: int = Field(FACET_SAMPLE_DOCS, ge=0, le=10_000_000)
    # Bulk indexing (CLI, indexer) may retry a timed-out request; the API never does (see api_es_timeout).
    es_retry_on_timeout: bool = True

    def es_connection(self, **overrides: object) -> "ESConnection":
        """Connection parameters for ``mappings.client`` (which must not import these settings)."""
        from mappings.client import ESConnection

        return replace(ESConnection.of(self), **overrides)  # type: ignore[arg-type]

    def api_es_connection(self) -> "ESConnection":
        """The API's connection: short per-request budget; a timeout is retried only on another node."""
        return self.es_connection(request_timeout=self.api_es_timeout, retry_on_timeout=len(self.es_hosts) > 1,
                                  max_retries=min(self.es_max_retries, self.api_es_retries))
    # --- ingestion (indexer) ----------------------------------------------------------------------
    # Feeds and --fetch-pages reach only public addresses; list CIDR ranges here to fetch from an
    # intranet deliberately (e.g. 10.0.0.0/8,fd00::/8).
    fetch_allow_networks: Annotated[list[str], NoDecode] = Field(default_factory=list)
    fetch_timeout: float = 10.0  # seconds per read; a whole response gets 3x this
    fetch_max_redirects: int = 5
    ingest_max_mb: float = 20.0  # per document (a file, a page, one JSONL record); `--max-mb` overrides
    ingest_parse_timeout: float = 60.0  # seconds one document may take to parse (main thread only)
    ingest_follow_symlinks: bool = False  # True: also index symlinks pointing outside the indexed folder
    ingest_zip_max_members: int = 10_000  # docx and other zip containers: members per file
    ingest_zip_max_ratio: float = 100.0  # uncompressed/compressed size per member (zip bombs reach 1000+)
    ingest_es_give_up_s: float = 600.0  # how long a run waits for Elasticsearch before stopping
    # -- ingest fidelity (issue 14) --
    ingest_min_text_chars: int = 10  # documents with fewer non-blank characters fail with `no-text`
    ingest_ocr: bool = True  # OCR scanned PDF pages and images (Debian tesseract-ocr, in the worker processes)
    ingest_ocr_languages: str = ""  # tesseract languages, e.g. "fra" or "eng+deu"; empty: from the page's script
    ingest_ocr_page_timeout: float = 60.0  # seconds per page; a slower page is skipped and recorded
    ingest_ocr_max_pages: int = 50  # pages OCR'd per document; the rest are skipped and recorded
    ingest_archive_max_depth: int = 3  # archives/attachments nested this deep are read, deeper: `too-deep`
    ingest_sheet_rows: bool = False  # csv/xlsx/ods: one document per row instead of per sheet

    @field_validator("fetch_allow_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        import ipaddress

        for spec in value if isinstance(value, list) else []:
            try:
                ipaddress.ip_network(spec, strict=False)
            except ValueError:
                raise ValueError(f"{spec!r} is not an IP network; use CIDR such as 10.0.0.0/8") from None
        return value
    # --- workspace store ------------------------------------------------------------------------
    # Analysts' own data (users, collections, ...). Empty: the embedded SQLite file
    # <cache_dir>/workspace.sqlite3. PostgreSQL: postgresql+psycopg://user:password@host:5432/db.
    database_url: str = ""
    pg_port: int = 5433  # the managed local PostgreSQL of `periscope db start` (5432 may be taken)
    pg_run_as: str = "periscope"  # user PostgreSQL runs as when Periscope is started as root

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, url: str) -> str:
        from workspace.store import normalise_url  # lazy: SQLAlchemy is only needed when used

        return normalise_url(url) if url else url

    @property
    def workspace_url(self) -> str:
        from workspace.store import default_url

        return self.database_url or default_url(self.cache_dir)
    # --- end workspace store ----------------------------------------------------------------------
    # --- alerts (SMTP, webhooks, scheduler) ---------------------------------------------------------
    alerts_public_url: str = "http://127.0.0.1:8000"  # base of links in alert e-mails, feeds and webhooks
    alerts_smtp_host: str = ""  # empty: no e-mail channel
    alerts_smtp_port: int = 25
    alerts_smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    alerts_smtp_user: str = ""
    alerts_smtp_password: str = ""
    alerts_smtp_from: str = "periscope@localhost"
    alerts_webhook_allow_private: bool = False  # true: webhooks may target loopback/private addresses
    alerts_max_attempts: int = Field(6, ge=1, le=100)  # tries before a delivery becomes a dead letter
    alerts_scheduler: bool = True  # run alert passes inside `periscope serve`
    alerts_tick_s: int = Field(60, ge=1, le=3600)  # how often the scheduler looks for due alerts
    alerts_lock_ttl_s: int = Field(120, ge=2, le=3600)  # pass lock lease (renewed while a pass runs)
    alerts_msearch_batch: int = Field(50, ge=1, le=500)  # saved searches per _msearch in a pass
    alerts_es_timeout_s: float = Field(30.0, gt=0, le=600)  # budget of one such _msearch (background work)
    # --- end alerts ---------------------------------------------------------------------------------
    # --- case files, briefings and data export (issue 18) -------------------------------------------
    briefing_template_dir: Path | None = None  # operator templates (briefing.html.j2, briefing.md.j2) override ours
    briefing_chromium: str = "/usr/bin/chromium"  # headless Chromium for PDF briefings (Debian's package)
    export_max_rows: int = Field(1_000_000, ge=1, le=100_000_000)  # streamed export stops after this many rows
    # --- end case files ---------------------------------------------------------------------------
    # --- web security (sessions, keys, docs) ------------------------------------------------------
    # /docs, /redoc, /openapi.json and /metrics without a key even when keys are on.
    public_docs: bool = False
    session_ttl_s: int = Field(8 * 3600, ge=60, le=30 * 24 * 3600)  # a browser session's lifetime
    login_failures_per_minute: int = Field(10, ge=1, le=10_000)  # per client address, then 429

    @model_validator(mode="after")
    def _check_key_strength(self) -> "Settings":
        """Beyond loopback every plain key must be long and varied enough not to be guessed."""
        if self.api_requires_key:
            for i, key in enumerate(self.api_keys, 1):
                problem = self.weak_key_problem(key)
                if problem:
                    raise ValueError(
                        f"PERISCOPE_API_KEYS: key #{i} is too weak for a server reachable beyond loopback "
                        f"({problem}); generate one with `python -c 'import secrets; "
                        f"print(secrets.token_urlsafe(32))'`, or give its hash as sha256:<hex>")
        return self

    MIN_KEY_CHARS: ClassVar[int] = 20
    MIN_KEY_BITS: ClassVar[int] = 64

    @classmethod
    def weak_key_problem(cls, key: str) -> str | None:
        """Why a plain API key is too weak (None if it is fine; hashed entries cannot be judged).

        Strength is estimated as length x the Shannon entropy of its characters: repeated or
        low-variety keys score low, random ``token_urlsafe``/hex keys score far above the bar.
        """
        if key.startswith(("sha256:", "$argon2")):
            return None
        if len(key) < cls.MIN_KEY_CHARS:
            return f"{len(key)} characters, need at least {cls.MIN_KEY_CHARS}"
        counts = [key.count(c) for c in set(key)]
        bits = -sum(n / len(key) * math.log2(n / len(key)) for n in counts) * len(key)
        if bits < cls.MIN_KEY_BITS:
            return f"about {bits:.0f} bits of entropy, need at least {cls.MIN_KEY_BITS}"
        return None
    # --- end web security ---------------------------------------------------------------------------
    # --- identity, roles and audit (issue 12: accounts, sessions, personal keys, OIDC, audit trail) ----
    # Argon2id cost of new password hashes (argon2-cffi defaults: RFC 9106 low-memory profile).
    # Tests lower them; verification always uses the parameters stored in each hash.
    argon2_time_cost: int = Field(3, ge=1, le=20)
    argon2_memory_kib: int = Field(65536, ge=8, le=4 * 1024 * 1024)
    login_account_failures: int = Field(5, ge=1, le=1000)  # per account within the window, then 429
    login_client_failures: int = Field(20, ge=1, le=100_000)  # per client address within the window
    login_window_s: int = Field(15 * 60, ge=10, le=24 * 3600)
    audit_queries: bool = True  # false: the audit trail records who searched, never the query text
    admin_password: str = ""  # `periscope users ensure-admin` (make run): the first admin's password
    # OpenID Connect sign-in: on when issuer and client id are set.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_url: str = ""  # this server's /login/oidc/callback as the provider knows it
    oidc_default_role: str = "reader"  # role of an account created at its first OIDC sign-in
    # --- end identity, roles and audit -------------------------------------------------------------------
    # --- multi-node cluster (issue 19: managed cluster, several ES URLs, replicas) -------------------
    # Managed nodes `periscope es start` runs. Above 1 they form one cluster on 127.0.0.1: node i gets
    # HTTP port es_port+i-1 and transport port es_port+100+i-1, and every index 1 replica (unless
    # PERISCOPE_INDEX_REPLICAS says otherwise) so losing one node loses no data.
    es_nodes: int = Field(1, ge=1, le=9)
    # Retries (at most PERISCOPE_ES_MAX_RETRIES) of one API call after a connection error, 429/502/503/504
    # or - with several ES URLs - a timeout; each goes to another node (the failed one is marked dead for a
    # while). Worst case for the caller: (1 + retries) x PERISCOPE_API_ES_TIMEOUT, then a 503.
    api_es_retries: int = Field(3, ge=0, le=5)

    @model_validator(mode="after")
    def _cluster_replicas(self) -> "Settings":
        if self.es_nodes > 1 and self.managed and "index_replicas" not in self.model_fields_set:
            self.index_replicas = 1
        return self

    @property
    def managed_hosts(self) -> list[str]:
        """The HTTP URLs of the managed node(s), one per node."""
        return [f"http://127.0.0.1:{self.es_port + i}" for i in range(self.es_nodes)]
    # --- end multi-node cluster ------------------------------------------------------------------------

    @field_validator("es_url", "api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("es_url")
    @classmethod
    def _check_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    f"{url!r} is not an http(s) URL; use e.g. https://es.example.org:9200"
                )
            try:
                parts.port  # noqa: B018 - raises on a non-numeric port
            except ValueError as exc:
                raise ValueError(f"{url!r} has an invalid port") from exc
        return urls

    @field_validator("es_ca_certs")
    @classmethod
    def _check_ca(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"CA certificate file {str(path)!r} does not exist or is not a file")
        return path

    @field_validator("index_alias")
    @classmethod
    def _check_alias(cls, alias: str) -> str:
        if not alias or alias != alias.lower() or any(c in alias for c in ' "*\\<|,>/?#:'):
            raise ValueError(f"{alias!r} is not a valid index name (lowercase, no spaces or */?\"<>|,#:)")
        return alias

    @model_validator(mode="after")
    def _check_auth(self) -> "Settings":
        if (self.es_username is None) != (self.es_password is None):
            raise ValueError("set both PERISCOPE_ES_USERNAME and PERISCOPE_ES_PASSWORD, or neither")
        return self

    @property
    def managed(self) -> bool:
        """True when Periscope runs its own local node instead of an external cluster."""
        return not self.es_url

    @property
    def es_hosts(self) -> list[str]:
        return self.es_url or self.managed_hosts

    def resolved_secret(self) -> bytes:
        """The server secret: ``PERISCOPE_SECRET_KEY`` or a random key persisted under the cache dir."""
        if self.secret_key:
            return self.secret_key.encode("utf-8")
        path = self.cache_dir / "secret.key"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(secrets.token_urlsafe(48))
            tmp.chmod(0o600)
            try:
                os.link(tmp, path)  # atomic create-if-absent: concurrent workers agree on one key
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        return path.read_text().strip().encode("utf-8")

    @property
    def api_requires_key(self) -> bool:
        return self.api_host not in ("127.0.0.1", "localhost", "::1")


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            env = f"PERISCOPE_{field.upper()}" if field != "settings" else "PERISCOPE_* settings"
            lines.append(f"{env}: {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
