"""Readers that turn files, exports, feeds and the demo corpus into :class:`indexer.models.SourceDoc`.

Every reader is a generator of ``SourceDoc | Failure`` and never raises for one bad document.
Formats are plug-ins in :mod:`.formats`, chosen and bounded by :mod:`.registry`.
"""

from .base import BadDocument, Limits, ReadContext
from .files import iter_files, read_paths
from .formats.jsonl import FieldMap, FieldMapError, parse_field_map, read_json_file
from .registry import REGISTRY
from .reuters import read_reuters

__all__ = ["BadDocument", "Limits", "ReadContext", "iter_files", "read_paths", "FieldMap", "FieldMapError",
           "parse_field_map", "read_json_file", "REGISTRY", "read_reuters"]
