"""The test OIDC provider: discovery, and a full authorization-code flow (with PKCE) in plain httpx."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from periscope.oidcnode import OidcServer, OidcServerError
from tests.workspace_fixtures import oidc_server  # noqa: F401 - fixture

CLIENT_ID, CLIENT_SECRET = "periscope", "test-secret"
REDIRECT_URI = "http://127.0.0.1:9/auth/callback"  # never fetched: the code is read from the redirect


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _rs256_valid(token: str, jwks: dict) -> bool:
    """RS256 check with the provider's JWKS (RSASSA-PKCS1-v1_5 over SHA-256), stdlib only.

    Only here until the OIDC login brings a JOSE library; it proves the provider really signs.
    """
    head_b64, payload_b64, sig_b64 = token.split(".")
    header = json.loads(_unb64(head_b64))
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    n, e = (int.from_bytes(_unb64(key[p]), "big") for p in ("n", "e"))
    size = (n.bit_length() + 7) // 8
    em = pow(int.from_bytes(_unb64(sig_b64), "big"), e, n).to_bytes(size, "big")
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420")
    digest = hashlib.sha256(f"{head_b64}.{payload_b64}".encode()).digest()
    expected = b"\x00\x01" + b"\xff" * (size - 3 - len(digest_info) - len(digest)) + b"\x00" + digest_info + digest
    return header["alg"] == "RS256" and secrets.compare_digest(em, expected)


def test_discovery_document(oidc_server: OidcServer):
    meta = httpx.get(oidc_server.discovery_url()).raise_for_status().json()
    assert meta["issuer"] == oidc_server.issuer()
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert meta[endpoint].startswith(oidc_server.issuer() + "/")
    assert "code" in meta["response_types_supported"]
    assert "S256" in meta.get("code_challenge_methods_supported", ["S256"])


def _sign_in(http: httpx.Client, meta: dict, verifier: str, state: str, nonce: str) -> str:
    """Authorize as "alice" through the interactive login form; returns the authorization code."""
    params = {
        "client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email", "state": state, "nonce": nonce,
        "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()), "code_challenge_method": "S256",
    }
    form = http.get(meta["authorization_endpoint"], params=params)
    assert form.status_code == 200 and re.search(r'name="username"', form.text)
    # the form posts back to the same URL; the username becomes `sub`, claims are added to the token
    signed_in = http.post(str(form.url), data={"username": "alice", "claims": json.dumps(
        {"email": "alice@example.org", "name": "Alice Analyst"})})
    assert signed_in.status_code == 302
    location = urlsplit(signed_in.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == [state]
    return query["code"][0]


def _redeem(http: httpx.Client, meta: dict, code: str, verifier: str) -> httpx.Response:
    return http.post(meta["token_endpoint"], data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }, auth=(CLIENT_ID, CLIENT_SECRET))


def test_authorization_code_flow_with_pkce(oidc_server: OidcServer):
    meta = httpx.get(oidc_server.discovery_url()).raise_for_status().json()
    verifier, state, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    with httpx.Client(follow_redirects=False, timeout=30) as http:
        code = _sign_in(http, meta, verifier, state, nonce)
        tokens = _redeem(http, meta, code, verifier).raise_for_status().json()
        jwks = http.get(meta["jwks_uri"]).raise_for_status().json()
        userinfo = http.get(meta["userinfo_endpoint"],
                            headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert tokens["token_type"].lower() == "bearer"
    claims = json.loads(_unb64(tokens["id_token"].split(".")[1]))
    assert claims["iss"] == oidc_server.issuer() and claims["sub"] == "alice"
    assert claims["aud"] in (CLIENT_ID, [CLIENT_ID]) and claims["nonce"] == nonce
    assert claims["email"] == "alice@example.org"
    assert _rs256_valid(tokens["id_token"], jwks)
    tampered = tokens["id_token"].rsplit(".", 1)[0] + "." + _b64(b"\x00" * 256)
    assert not _rs256_valid(tampered, jwks)
    assert userinfo.status_code == 200 and userinfo.json()["sub"] == "alice"


def test_a_wrong_pkce_verifier_is_refused(oidc_server: OidcServer):
    meta = httpx.get(oidc_server.discovery_url()).raise_for_status().json()
    with httpx.Client(follow_redirects=False, timeout=30) as http:
        code = _sign_in(http, meta, secrets.token_urlsafe(48), "s", "n")
        refused = _redeem(http, meta, code, secrets.token_urlsafe(48))
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


def test_port_in_use_is_a_clear_error(oidc_server: OidcServer, tmp_path):
    with pytest.raises(OidcServerError, match="in use"):
        OidcServer(tmp_path, oidc_server.port).start()
