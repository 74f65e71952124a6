"""Signed paging cursors (pure): ``search_after`` values the API issued, and only those, come back.

A cursor is ``base64url(json {"s": sort, "a": values}) "." base64url(HMAC-SHA256(key, payload)[:16])``.
The key is the server secret (``Settings.resolved_secret()``) handed down by the app. A cursor that
was altered, forged, or signed by another server is a 422 naming ``cursor`` — its values are never
sent to Elasticsearch, so no tampered type, NaN or 1e999 can turn into a backend error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
from typing import Any

from mappings.vocabulary import DATE_FIELD, MAX_CURSOR_CHARS, MAX_ID_CHARS, SORTS_BY_NAME

from .errors import InvalidParameter

SIG_BYTES = 16
INT64 = 2**63
_HINT = "pass next_cursor from the previous response unchanged, or drop cursor"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()[:SIG_BYTES])


def encode_cursor(sort: str, values: list[Any], key: bytes) -> str:
    payload = _b64(json.dumps({"s": sort, "a": values}, separators=(",", ":"), allow_nan=False).encode("utf-8"))
    return f"{payload}.{_sign(key, payload)}"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a cursor")


def _value_ok(field: str, value: Any) -> bool:
    """Each sort key has one type: a finite score, an int64 date (epoch ms), a bounded id string."""
    if isinstance(value, bool):
        return False
    if field == "_score":
        return isinstance(value, (int, float)) and math.isfinite(value)
    if field == DATE_FIELD:
        return isinstance(value, int) and -INT64 <= value < INT64
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS


def decode_cursor(cursor: str, sort: str, key: bytes) -> list[Any]:
    """The ``search_after`` values of a cursor this server signed for ``sort``; else InvalidParameter."""
    payload, _, sig = cursor.partition(".")
    if (len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii() or not sig
            or not hmac.compare_digest(sig, _sign(key, payload))):
        raise InvalidParameter("cursor", "cursor is not a next_cursor this API issued", _HINT)
    try:
        data = json.loads(_unb64(payload), parse_constant=_reject_constant)
        issued_for, values = data["s"], data["a"]
        spec = SORTS_BY_NAME[issued_for]
        ok = isinstance(values, list) and len(values) == len(spec.keys) and all(
            _value_ok(field, v) for (field, _), v in zip(spec.keys, values))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        ok = False
    if not ok:  # signed by us yet malformed: a key shared with another version of the API
        raise InvalidParameter("cursor", "cursor is not valid for this version of the API", _HINT)
    if issued_for != sort:
        raise InvalidParameter("cursor", f"cursor was issued for sort={issued_for!r}, not {sort!r}",
                               "keep the same sort while paging with a cursor")
    return values
