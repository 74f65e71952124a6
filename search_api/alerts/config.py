"""What the alert engine needs from the settings, as one plain object (settings are passed down, never read here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AlertConfig:
    public_url: str = "http://127.0.0.1:8000"  # base of the links in e-mails, feeds and webhook payloads
    max_hits_per_search: int = 200  # per pass; the checkpoint then moves only as far as the last one delivered
    overlap_s: int = 600  # re-read this much before the checkpoint: documents become searchable after ingestion
    # Searches per ``_msearch`` and that request's time budget: a pass runs in the background, so it
    # gets the bulk budget rather than the interactive API's few seconds, in batches small enough that
    # one batch stays well inside it on a busy node.
    msearch_batch: int = 50
    es_timeout_s: float = 30.0
    webhook_allow_private: bool = False
    webhook_timeout_s: float = 10.0
    webhook_tries_per_pass: int = 3
    webhook_backoff_s: float = 0.5
    max_attempts: int = 6  # tries over all passes before a delivery becomes a dead letter
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_tls: str = "none"  # none | starttls | ssl
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "periscope@localhost"
    scheduler: bool = True
    tick_s: int = 60
    lock_ttl_s: int = 120  # lease, renewed as the pass goes: a killed pass blocks others this long at most

    @classmethod
    def from_settings(cls, settings: Any) -> AlertConfig:
        """Every ``alerts_*`` setting whose name matches a field here."""
        names = cls.__dataclass_fields__
        return cls(**{k: getattr(settings, f"alerts_{k}") for k in names if hasattr(settings, f"alerts_{k}")})
