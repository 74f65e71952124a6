"""Stream → batch → skip unchanged → enrich (worker pool) → link near-duplicates → bulk-load → summary.

Memory stays flat whatever the source size: sources are generators, and at most ``max_inflight``
batches are between the reader and Elasticsearch (the reader blocks until the oldest batch is loaded —
back-pressure). Batches are finished in order.

Resuming needs no position file: ids are stable and each document carries a ``content_hash``, so a
restarted run re-reads its sources, asks Elasticsearch (one ``mget`` per batch) which documents are
already there unchanged, and enriches and loads only the rest. The index itself is the checkpoint,
which cannot disagree with what was actually loaded — no loss, no duplicates, even if files changed
in between.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from mappings import install
from mappings.ingest_log import RunCounts

from .corpus import corpus_pass, known_boilerplate
from .dedupe import DuplicateLinker
from .deadletter import DeadLetters, log_index
from .document import build_document, fit_to_mapping, pipeline_version
from .enrich import EnrichPool
from .ids import content_hash, doc_id
from .loader import ElasticsearchUnavailable, EsRetry, Loader
from .models import Failure, Item, SourceDoc
from .retry import RetryPolicy
from .runlog import list_runs, record_run


@dataclass
class PipelineConfig:
    alias: str
    dead_letter_dir: Path  # the CLI uses <cache dir>/ingest/dead-letter
    batch_size: int = 64
    workers: int = 1
    max_inflight: int | None = None  # batches between reader and ES; default 2 × workers + 1
    skip_unchanged: bool = True
    link_duplicates: bool = True
    duplicate_threshold: float = 0.8
    shards: int = 1  # used when the run creates the index
    replicas: int = 0
    es_give_up_after: float = 600.0
    bulk_chunk: int = 500
    # Replace an enrichment worker after about this many documents: spaCy's string store grows with every
    # new word (+17 % RSS over 20,841 stories). Each replacement reloads the models (~9 CPU-s), which at
    # 2,048 documents was ~20 % of a worker's time once enrichment got 2.5x cheaper (issue 20).
    recycle_worker_docs: int = 16_384
    collection: str | None = None  # every document's need-to-know collection; None: one per source
    min_text_chars: int = 10  # after OCR: fewer non-blank characters → no-text (Limits.min_text_chars)
    description: str = ""  # what ran ("index ~/reports"), kept in the run's summary document
    # After loading, resolve short forms ("Baker" → "James Baker") and drop boilerplate keywords per
    # source from the index's counts (indexer/corpus.py); min docs before a source's keywords are judged.
    corpus_pass: bool = True
    corpus_min_docs: int = 200


@dataclass
class RunStats(RunCounts):
    run_id: str
    alias: str
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    dead_letter_file: str | None = None
    ingest_log_index: str | None = None
    failures_by_reason: dict[str, int] = field(default_factory=dict)
    aborted: str | None = None
    warmup_s: float = 0.0
    corpus: dict[str, Any] | None = None  # the corpus pass's decisions per source (indexer/corpus.py)

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        return self.processed / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.aborted is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "alias": self.alias, **self.counts(), "elapsed_s": round(self.elapsed, 3),
            "docs_per_s": round(self.rate, 2), "dead_letter_file": self.dead_letter_file,
            "ingest_log_index": self.ingest_log_index, "failures_by_reason": self.failures_by_reason,
            "aborted": self.aborted, "warmup_s": round(self.warmup_s, 2),
            **({"corpus": self.corpus} if self.corpus is not None else {}),
        }


@dataclass
class _Batch:
    docs: list[tuple[SourceDoc, str, str]]  # (doc, id, content hash) to enrich and load
    future: Any = None

    def inputs(self) -> list[Any]:
        from nlp import EnrichInput

        return [EnrichInput(title=d.title, body=d.body, language_hint=d.language_hint) for d, _, _ in self.docs]

    def jobs(self) -> list[Any] | None:
        """OCR jobs aligned with the documents, or None when no document needs OCR."""
        jobs = [d.ocr_job for d, _, _ in self.docs]
        return jobs if any(j is not None for j in jobs) else None


def _batched(items: Iterable[Item], n: int) -> Iterator[list[Item]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, n)):
        yield chunk


def _mapped_fields(es: Elasticsearch, alias: str) -> set[str]:
    """Top-level fields of the index behind ``alias`` (a v1 index lacks the provenance fields)."""
    resp = es.indices.get_mapping(index=alias)
    return {f for m in resp.body.values() for f in m["mappings"].get("properties", {})}


class Pipeline:
    def __init__(self, es: Elasticsearch, config: PipelineConfig, *, enricher: Any = None,
                 progress: Callable[[RunStats], None] | None = None) -> None:
        self.es, self.cfg, self.progress = es, config, progress
        self.started_at = datetime.now(timezone.utc)
        self.run_id = self.started_at.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        self.stats = RunStats(self.run_id, config.alias)
        self.retry = EsRetry(RetryPolicy(give_up_after=config.es_give_up_after, on_retry=self._on_retry))
        self.loader = Loader(es, config.alias, chunk_size=config.bulk_chunk, retry=self.retry)
        self.linker = DuplicateLinker(es, config.alias, threshold=config.duplicate_threshold, call=self.retry.call)
        self.dead = DeadLetters(config.dead_letter_dir / f"{config.alias}-{self.run_id}.jsonl", self.run_id, config.alias)
        self._enricher = enricher
        self.pipeline = pipeline_version()
        self.fields: set[str] | None = None  # top-level fields the target index maps
        self.sources: set[str] = set()  # sources this run loaded documents of (for the corpus pass)

    def _on_retry(self, what: str, delay: float) -> None:
        self.stats.es_retries += 1
        self._tick()

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.stats)

    def _fail(self, failure: Failure) -> None:
        self.dead.add(failure)
        self.stats.failed += 1
        self.stats.failures_by_reason[failure.reason] = self.stats.failures_by_reason.get(failure.reason, 0) + 1

    # -- stages -------------------------------------------------------------------------------------
    def _prepare(self, chunk: list[Item]) -> _Batch:
        """Fail bad items, compute ids, drop in-batch repeats and (optionally) unchanged documents."""
        by_id: dict[str, tuple[SourceDoc, str, str]] = {}
        for item in chunk:
            self.stats.read += 1
            if isinstance(item, Failure):
                self._fail(item)
                continue
            i = doc_id(item)
            if i in by_id:  # the same document twice in one batch: the later one wins
                self.stats.unchanged += 1
            by_id[i] = (item, i, content_hash(item, self.pipeline))
        docs = list(by_id.values())
        if self.cfg.skip_unchanged and docs:
            ids = [d[1] for d in docs]
            resp = self.retry.call("lookup of existing documents", lambda: self.es.mget(
                index=self.cfg.alias, ids=ids, source_includes=["content_hash", "collection"]))
            # an explicit --collection that differs from the stored one counts as a change (the move is loaded)
            moved = lambda src: self.cfg.collection not in (None, src.get("collection"))  # noqa: E731
            known = {d["_id"]: d["_source"].get("content_hash") for d in resp["docs"]
                     if d.get("found") and not moved(d["_source"])}
            keep = [d for d in docs if known.get(d[1]) != d[2]]
            self.stats.unchanged += len(docs) - len(keep)
            docs = keep
        return _Batch(docs)

    def _finish(self, batch: _Batch, pool: EnrichPool) -> None:
        if not batch.docs:  # nothing new, but its failures still go to the ingest log
            self.dead.flush_to_index(self.es, self.retry.call)
            self._tick()
            return
        jobs = batch.jobs()
        results = pool.result(batch.future, batch.inputs(), jobs)
        outcomes = [None] * len(batch.docs)
        if jobs:
            results, outcomes = results
        now = datetime.now(timezone.utc)
        out: list[dict[str, Any]] = []
        for (src, i, h), enr, ocr in zip(batch.docs, results, outcomes):
            if ocr is not None and not self._apply_ocr(src, i, ocr):
                continue
            if isinstance(enr, str):
                self._fail(Failure(src.origin, "enrich-error", enr, src.source, src.source_type, i))
                continue
            try:
                doc = build_document(src, enr, doc_id=i, content_hash=h, pipeline=self.pipeline, now=now)
                doc.collection = self.cfg.collection or doc.collection
                out.append(fit_to_mapping(doc.to_source(), self.fields))
            except Exception as exc:  # noqa: BLE001 - one odd enrichment must not stop the run
                self._fail(Failure(src.origin, "build-error", f"{type(exc).__name__}: {exc}"[:500],
                                   src.source, src.source_type, i))
        if self.cfg.link_duplicates and out:
            self.stats.duplicates += self.linker.link(out)
        origins = {i: src for src, i, _ in batch.docs}
        self.sources.update(d["source"] for d in out if d.get("source"))
        res = self.loader.load(out)
        self.stats.created += res.created
        self.stats.updated += res.updated
        for i, reason in res.failed:
            src = origins[i]
            self._fail(Failure(src.origin, "rejected-by-elasticsearch", reason, src.source, src.source_type, i))
        self.dead.flush_to_index(self.es, self.retry.call)
        self._tick()

    def _apply_ocr(self, src: SourceDoc, i: str, ocr: Any) -> bool:
        """Put the OCR result on the document; False (and a recorded failure) when it gave no text."""
        src.ocr_job = None
        if ocr.error:
            self._fail(Failure(src.origin, ocr.error, ocr.detail, src.source, src.source_type, i))
            return False
        if ocr.text.strip():
            src.body = ocr.text
        if len("".join(src.body.split())) < self.cfg.min_text_chars:
            self._fail(Failure(src.origin, "no-text", f"OCR found {len(src.body.strip())} characters "
                               f"(mean confidence {ocr.confidence})", src.source, src.source_type, i))
            return False
        src.ocr = {"pages": ocr.pages, "confidence": ocr.confidence, "language": ocr.language}
        if ocr.skipped:
            src.meta["ocr_skipped"] = ocr.skipped
        return True

    # -- driver -------------------------------------------------------------------------------------
    def run(self, items: Iterable[Item]) -> RunStats:
        cfg = self.cfg
        max_inflight = cfg.max_inflight or (2 * max(cfg.workers, 1) + 1)
        try:
            self.retry.call("index setup", lambda: install(self.es, cfg.alias, shards=cfg.shards,
                                                            replicas=cfg.replicas))
            self.fields = self.retry.call("mapping lookup", lambda: _mapped_fields(self.es, cfg.alias))
            recycle = max(1, cfg.recycle_worker_docs // cfg.batch_size)
            with EnrichPool(cfg.workers, enricher=self._enricher, recycle_after=recycle) as pool:
                t0 = time.monotonic()
                pool.wait_ready()
                self.stats.warmup_s = time.monotonic() - t0
                self.stats.started = time.monotonic()  # rates measure ingestion, not model loading
                inflight: deque[_Batch] = deque()
                for chunk in _batched(items, cfg.batch_size):
                    batch = self._prepare(chunk)
                    if batch.docs:
                        batch.future = pool.submit(batch.inputs(), batch.jobs())
                    inflight.append(batch)
                    while len(inflight) >= max_inflight:
                        self._finish(inflight.popleft(), pool)
                while inflight:
                    self._finish(inflight.popleft(), pool)
            if cfg.corpus_pass and self.sources:
                self._corpus_pass()
        except ElasticsearchUnavailable as exc:
            self.stats.aborted = str(exc)
        except KeyboardInterrupt:
            self.stats.aborted = "interrupted"
            raise
        finally:
            self.stats.finished = time.monotonic()
            self.dead.close()
            if self.dead.count:
                self.stats.dead_letter_file = str(self.dead.path)
                self.stats.ingest_log_index = log_index(cfg.alias)
            self._record()
            self._tick()
        return self.stats

    def _corpus_pass(self) -> None:
        """Short forms and boilerplate keywords of the sources this run touched, decided on the whole
        index; earlier runs' boilerplate decisions are carried (they are the only record of them)."""
        known = known_boilerplate(self.retry.call("earlier runs", lambda: list_runs(self.es, self.cfg.alias)))
        done = corpus_pass(self.es, self.cfg.alias, self.sources, known=known, min_docs=self.cfg.corpus_min_docs,
                           call=self.retry.call)
        self.stats.corpus = {**{s: {"boilerplate": b} for s, b in known.items()}, **done}

    def _record(self) -> None:
        """Last failures to the ingest log and the run's summary document; skipped (the dead-letter
        file has everything) when Elasticsearch is the reason the run stopped."""
        if self.stats.aborted and self.stats.aborted != "interrupted":
            return
        try:
            self.dead.flush_to_index(self.es, self.retry.call)
            self.retry.call("run summary", lambda: record_run(self.es, self.stats.as_dict(), started_at=self.started_at,
                                                              description=self.cfg.description))
        except ElasticsearchUnavailable as exc:
            self.stats.aborted = self.stats.aborted or str(exc)
