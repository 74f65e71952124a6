"""The document contract: field names and languages shared by the indexer and the search API.

``index_v<N>.json`` is the source of truth; this module only names what both sides need so that
neither hard-codes a field name the mapping does not have (a test checks they agree).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .vocabulary import DATE_FIELD, ENTITY_TYPES, FACET_FIELDS  # noqa: F401 - re-exported names of the contract

HERE = Path(__file__).resolve().parent
CURRENT_VERSION = 2  # v2: facet sub-fields (lower, words), collection, provenance fields

# ISO 639-1 code -> hunspell locale. Each language here gets ``title_<lang>`` / ``body_<lang>``
# fields analysed with lowercase + hunspell, so "sanctioned" matches "sanctions".
LANGUAGE_LOCALES: dict[str, str] = {
    "en": "en_US",
    "fr": "fr_FR",
    "es": "es_ES",
    "de": "de_DE",
    "ru": "ru_RU",
    "it": "it_IT",
    "pt": "pt_PT",
    "nl": "nl_NL",
    "uk": "uk_UA",
}
STEMMED_LANGUAGES: tuple[str, ...] = tuple(LANGUAGE_LOCALES)

VECTOR_FIELD = "vector"
VECTOR_DIMS = 512
SUGGEST_FIELD = "suggest"
LSH_FIELD = "lsh_bands"


COLLECTION_FIELD = "collection"


def default_collection(source: str | None) -> str:
    """The collection a document joins when none is given: one per source (need-to-know by source).

    Lowercase letters, digits and dashes, so the name is safe in URLs, filters and the CLI.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", (source or "").lower()).strip("-")
    return slug[:64] or "default"


def version_of(index: str) -> int | None:
    """Contract version of a concrete index name (``periscope-docs-v2`` -> 2)."""
    m = re.search(r"-v(\d+)$", index)
    return int(m.group(1)) if m else None


def upgrade_source(doc: dict[str, Any], to_version: int) -> dict[str, Any]:
    """Transform a stored ``_source`` from the previous contract version to ``to_version``.

    Used by :func:`mappings.migrate` (scroll + bulk into the new index, then an atomic alias swap).
    """
    if to_version == 2:
        doc = dict(doc)
        doc.setdefault(COLLECTION_FIELD, default_collection(doc.get("source")))
    return doc


def title_field(lang: str) -> str:
    return f"title_{lang}"


def body_field(lang: str) -> str:
    return f"body_{lang}"


def index_name(alias: str, version: int = CURRENT_VERSION) -> str:
    """Concrete, versioned index behind ``alias`` (e.g. ``periscope-docs-v1``)."""
    return f"{alias}-v{version}"


@lru_cache(maxsize=None)
def _load(version: int) -> str:
    path = HERE / f"index_v{version}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no mapping file for contract version {version}: {path}")
    return path.read_text(encoding="utf-8")


# Fewer, larger segments than Lucene's general-purpose defaults (2 MB floor, 10 per tier). Why: every
# search pays a fixed setup per segment for each aggregation and for the kNN graph — at 1M documents in
# 28 segments that was most of a sampled search's aggregation time (docs/scaling.md, "Growth, fourth
# step"). A Periscope index is written slowly (tens of documents a second) and searched with ~30
# aggregations, the case Lucene's maintainers advise more merging for; these are the values Elasticsearch
# proposes for vector-heavy indices. The price is more merge I/O while loading (measured there too).
# Dynamic settings: :func:`mappings.install.apply_dynamic_settings` brings existing indices in line.
MERGE_POLICY: dict[str, Any] = {"floor_segment": "128mb", "segments_per_tier": 5}


def dynamic_settings() -> dict[str, Any]:
    """The contract's index settings that can change on a live index (flat names, as ``_settings`` takes)."""
    return {f"index.merge.policy.{k}": v for k, v in MERGE_POLICY.items()}


def index_body(version: int = CURRENT_VERSION, *, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """A fresh copy of the index settings + mappings for ``version``."""
    body = json.loads(_load(version))
    body["settings"]["index"].update({"number_of_shards": shards, "number_of_replicas": replicas,
                                      "merge": {"policy": dict(MERGE_POLICY)}})
    return body


def mapped_fields(version: int = CURRENT_VERSION) -> set[str]:
    """Dotted names of every mapped field (used by tests and by the API's field: syntax)."""
    out: set[str] = set()

    def walk(props: dict[str, Any], prefix: str) -> None:
        for name, spec in props.items():
            full = prefix + name
            out.add(full)
            if "properties" in spec:
                walk(spec["properties"], full + ".")
            for sub in spec.get("fields", {}):
                out.add(f"{full}.{sub}")

    walk(index_body(version)["mappings"]["properties"], "")
    return out
