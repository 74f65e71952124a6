"""Enrichment in a pool of worker processes, each loading the NLP models once.

The pool is fed whole batches (``nlp.Enricher.enrich_batch`` pipes them through spaCy/USE, which is
where batching pays). ``workers=0`` enriches in this process — what tests use to share one loaded
``Enricher`` — and a worker that dies is replaced and its batch retried once, then split up so one
poisonous document cannot take its batch with it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from typing import Any

EnrichResult = list[Any]  # per input: an nlp.Enrichment, or a str saying why it failed

_ENRICHER: Any = None


@lru_cache(maxsize=1)
def default_factory() -> Any:
    """One loaded ``nlp.Enricher`` per process: loading the models takes seconds, so every in-process
    run (``workers=0``, tests) shares it, and each worker process loads it once."""
    from nlp import Enricher

    return Enricher()


def _init_worker(factory: Callable[[], Any]) -> None:
    global _ENRICHER
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per worker: no oversubscription
    _ENRICHER = factory()
    warm = getattr(_ENRICHER, "warm_up", None)
    if callable(warm):  # load models now, not inside the first batch
        warm()


def _ready() -> bool:
    return _ENRICHER is not None


def enrich_with(enricher: Any, inputs: list[Any]) -> EnrichResult:
    """Enrich a batch; if the batch raises, fall back to one at a time and report the bad ones."""
    try:
        out = enricher.enrich_batch(inputs)
        if len(out) == len(inputs):
            return list(out)
    except Exception:  # noqa: BLE001 - isolate below which document is at fault
        pass
    results: EnrichResult = []
    for one in inputs:
        try:
            results.append(enricher.enrich_batch([one])[0])
        except Exception as exc:  # noqa: BLE001
            results.append(f"{type(exc).__name__}: {exc}"[:500])
    return results


def _enrich_in_worker(inputs: list[Any]) -> EnrichResult:
    return enrich_with(_ENRICHER, inputs)


def ocr_then_enrich(enricher: Any, inputs: list[Any], jobs: list[Any]) -> tuple[EnrichResult, list[Any]]:
    """OCR the documents that need it (``jobs[i]`` an ``indexer.ocr.OcrJob`` or None), put the text
    into their inputs, then enrich the batch: OCR is CPU work like enrichment, so it runs where
    enrichment runs — in the worker processes — and the reader never waits on tesseract."""
    from dataclasses import replace

    from .ocr import run_job

    outcomes = [run_job(j) if j is not None else None for j in jobs]
    inputs = [replace(i, body=o.text) if o is not None and not o.error and o.text.strip() else i
              for i, o in zip(inputs, outcomes)]
    return enrich_with(enricher, inputs), outcomes


def _ocr_enrich_in_worker(inputs: list[Any], jobs: list[Any]) -> tuple[EnrichResult, list[Any]]:
    return ocr_then_enrich(_ENRICHER, inputs, jobs)


class _Done(Future):
    def __init__(self, value: Any = None, exc: BaseException | None = None) -> None:
        super().__init__()
        if exc is not None:
            self.set_exception(exc)
        else:
            self.set_result(value)


class EnrichPool:
    """``submit(inputs) -> Future[EnrichResult]`` over worker processes or in-process."""

    def __init__(self, workers: int, *, enricher: Any = None, factory: Callable[[], Any] | None = None,
                 recycle_after: int | None = 32) -> None:
        self.workers = workers
        # A worker is replaced after this many batches: model caches (spaCy's string store grows with
        # every new word) then cannot grow without bound on a 10-million-document source.
        self.recycle_after = recycle_after
        self.factory = factory or default_factory
        self._enricher = enricher
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self._start()
        elif self._enricher is None:
            self._enricher = self.factory()

    def _start(self) -> None:
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                         initargs=(self.factory,))
        self._submitted = 0

    def submit(self, inputs: list[Any], jobs: list[Any] | None = None) -> Future:
        """Enrich ``inputs``; with OCR ``jobs`` the future gives ``(results, ocr outcomes)``."""
        if self._pool is None:
            try:
                return _Done(ocr_then_enrich(self._enricher, inputs, jobs) if jobs
                             else enrich_with(self._enricher, inputs))
            except BaseException as exc:  # noqa: BLE001
                return _Done(exc=exc)
        if self.recycle_after and self._submitted >= self.recycle_after:
            # Not ProcessPoolExecutor(max_tasks_per_child=...): with forkserver it hung here on Python 3.11.
            # The old pool finishes its queued batches and exits; new batches go to fresh workers.
            old = self._pool
            self._start()
            old.shutdown(wait=False)
        self._submitted += 1
        if jobs:
            return self._pool.submit(_ocr_enrich_in_worker, inputs, jobs)
        return self._pool.submit(_enrich_in_worker, inputs)

    def result(self, fut: Future, inputs: list[Any], jobs: list[Any] | None = None) -> Any:
        """The batch's results; a crashed worker pool is restarted and the batch retried once."""
        try:
            return fut.result()
        except BrokenProcessPool:
            self.restart()
            try:
                return self.submit(inputs, jobs).result()
            except BrokenProcessPool as exc:
                self.restart()
                failed = [f"enrichment worker crashed: {exc}"] * len(inputs)
                return (failed, [None] * len(inputs)) if jobs else failed

    def wait_ready(self) -> None:
        """Block until every worker has loaded its models (so rates measure enrichment, not loading)."""
        if self._pool is None:
            warm = getattr(self._enricher, "warm_up", None)
            if callable(warm):
                warm()
            return
        futs = [self._pool.submit(_ready) for _ in range(self.workers)]
        for f in futs:
            f.result()

    def restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._start()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "EnrichPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
