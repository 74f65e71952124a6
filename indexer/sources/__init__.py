"""Readers that turn files, exports, feeds and the demo corpus into :class:`indexer.models.SourceDoc`.

Every reader is a generator of ``SourceDoc | Failure`` and never raises for one bad document.
"""

from .files import read_paths
from .jsonl import FieldMap, parse_field_map, read_json_file
from .reuters import read_reuters

__all__ = ["read_paths", "FieldMap", "parse_field_map", "read_json_file", "read_reuters"]
