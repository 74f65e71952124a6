"""Random bearer tokens (API keys, session cookies) and how they are kept at rest.

Tokens are 32 random bytes, so a single fast SHA-256 is the right hash: there is nothing to
brute-force (unlike passwords, which get Argon2id), and look-up by hash stays an index seek. The
database never holds a usable token.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
