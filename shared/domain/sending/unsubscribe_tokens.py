"""Unsubscribe tokens: `make_token(secrets, email_id)` -> an opaque, signed, URL-safe string for `/u/{token}`;
`read_token(secrets, token)` -> the email id, or `TokenInvalid`.

Deterministic authenticated encryption from HMAC-SHA256 alone (stdlib, no randomness — the same email always gets
the same token, so the header's URL and the footer's match), encrypt-then-MAC with a synthetic IV:

    keys      k_iv, k_enc, k_mac = HMAC(secret, "jengu/unsubscribe/v1/" + "iv" | "enc" | "mac")
    iv        HMAC(k_iv, version | id)[:8]                  (distinct ids -> distinct keystreams, so ids that share
                                                             a prefix, as time-ordered ids do, share no ciphertext)
    cipher    id XOR HMAC(k_enc, iv | counter)...           (counter: 4 bytes big-endian, 32-byte blocks)
    tag       HMAC(k_mac, version | iv | cipher)[:16]
    token     base64url(version | iv | cipher | tag), no padding

Version 1 packs a 32-hex-character id (what TimeOrderedIds makes) into 16 bytes: 55 characters. Version 2 carries any
other id as UTF-8, up to 35 bytes, so every token is ≤ 80 characters. Reading checks, in constant time per secret
(`hmac.compare_digest`), the tag under each secret in turn — the first secret signs, every secret verifies, which is
how the secret is rotated — then decrypts and checks the IV again. Anything else (bad base64, a non-canonical
encoding, wrong length or version, a tag no secret made) is `TokenInvalid`, which never says which check failed.
Tokens do not expire: an opt-out link must keep working (CAN-SPAM asks for 30 days at least).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence

MIN_SECRET_CHARS = 32
MAX_TOKEN_CHARS = 80
MAX_RAW_ID_BYTES = 35
_HEX_ID = 1
_RAW_ID = 2
_IV_BYTES = 8
_TAG_BYTES = 16
_HEX32 = re.compile(r"[0-9a-f]{32}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


class TokenInvalid(ValueError):
    """The token was not made by any of our secrets (or is not a token at all)."""


def make_token(secrets: Sequence[bytes], email_id: str) -> str:
    """The token for an email, signed with the first secret. ValueError for an empty id or one too long."""
    if not secrets:
        raise ValueError("no unsubscribe secret")
    if _HEX32.fullmatch(email_id):
        version, plain = _HEX_ID, bytes.fromhex(email_id)
    else:
        plain = email_id.encode("utf-8")
        if not plain or len(plain) > MAX_RAW_ID_BYTES:
            raise ValueError(f"an email id must be 1 to {MAX_RAW_ID_BYTES} UTF-8 bytes for an unsubscribe token")
        version = _RAW_ID
    k_iv, k_enc, k_mac = _keys(secrets[0])
    head = bytes([version])
    iv = _mac(k_iv, head + plain)[:_IV_BYTES]
    cipher = _xor(plain, _keystream(k_enc, iv, len(plain)))
    body = head + iv + cipher
    return base64.urlsafe_b64encode(body + _mac(k_mac, body)[:_TAG_BYTES]).rstrip(b"=").decode("ascii")


def read_token(secrets: Sequence[bytes], token: str) -> str:
    """The email id a token carries; TokenInvalid unless one of the secrets made it."""
    data = _decode(token)
    if len(data) < 1 + _IV_BYTES + 1 + _TAG_BYTES or data[0] not in (_HEX_ID, _RAW_ID):
        raise TokenInvalid("not an unsubscribe token")
    body, tag = data[:-_TAG_BYTES], data[-_TAG_BYTES:]
    version, iv, cipher = data[0], body[1 : 1 + _IV_BYTES], body[1 + _IV_BYTES :]
    if version == _HEX_ID and len(cipher) != 16:
        raise TokenInvalid("not an unsubscribe token")
    for secret in secrets:
        k_iv, k_enc, k_mac = _keys(secret)
        if not hmac.compare_digest(_mac(k_mac, body)[:_TAG_BYTES], tag):
            continue
        plain = _xor(cipher, _keystream(k_enc, iv, len(cipher)))
        if not hmac.compare_digest(_mac(k_iv, body[:1] + plain)[:_IV_BYTES], iv):
            break  # a tag our secret made over an IV it did not: never happens unless the scheme is broken
        if version == _HEX_ID:
            return plain.hex()
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            break
    raise TokenInvalid("not an unsubscribe token")


def secrets_from(value: str | None) -> list[bytes]:
    """The `UNSUBSCRIBE_SECRET` value, comma-separated (the first signs, all verify), each ≥ 32 characters.
    ValueError otherwise; the message says which position, never a secret."""
    if value is None or not value.strip():
        raise ValueError("UNSUBSCRIBE_SECRET is not set")
    out: list[bytes] = []
    for position, item in enumerate(value.split(","), start=1):
        secret = item.strip()
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(
                f"UNSUBSCRIBE_SECRET: secret {position} has {len(secret)} characters, {MIN_SECRET_CHARS} at least"
            )
        out.append(secret.encode("utf-8"))
    return out


def _decode(token: str) -> bytes:
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS or not _TOKEN.fullmatch(token):
        raise TokenInvalid("not an unsubscribe token")
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise TokenInvalid("not an unsubscribe token") from None
    # Only the canonical spelling: the unused low bits of the last character cannot vary the token.
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != token:
        raise TokenInvalid("not an unsubscribe token")
    return data


def _keys(secret: bytes) -> tuple[bytes, bytes, bytes]:
    prefix = b"jengu/unsubscribe/v1/"
    return _mac(secret, prefix + b"iv"), _mac(secret, prefix + b"enc"), _mac(secret, prefix + b"mac")


def _mac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _keystream(key: bytes, iv: bytes, size: int) -> bytes:
    blocks = -(-size // 32)
    return b"".join(_mac(key, iv + counter.to_bytes(4, "big")) for counter in range(blocks))[:size]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))
