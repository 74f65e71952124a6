"""Collect, normalise, enrich and bulk-load documents (see docs/indexer.md).

``indexer.sources`` read files, exports, feeds and the demo corpus; ``indexer.pipeline.Pipeline``
enriches them with ``nlp`` in worker processes and loads them with ``indexer.loader``.
"""

from .models import Failure, SourceDoc
from .pipeline import Pipeline, PipelineConfig, RunStats

__all__ = ["Failure", "SourceDoc", "Pipeline", "PipelineConfig", "RunStats"]
