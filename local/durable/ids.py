"""Durable Object ids: 64 lowercase hex characters, deterministic per (class, name), bound to one namespace.

Layout (local only): 24 bytes of body + an 8-byte check derived from the class name and the body, so
`idFromString` can tell an id of another namespace apart, as production does. The body is
`sha256(class_name + "\\0" + name)[:24]` for `idFromName` and random bytes for `newUniqueId`.

Like the raw JS object production returns, an id compares with `.equals()`; `==` is identity (a JsProxy compares
with `===`), so two `idFromName("x")` results are `.equals()` but not `==`.
"""

from __future__ import annotations

import hashlib
import os
import re

__all__ = ["DurableObjectId", "id_from_name", "id_from_string", "new_unique_id"]

_HEX64 = re.compile(r"[0-9a-f]{64}")


class DurableObjectId:
    __slots__ = ("_hex", "_namespace", "name")

    def __init__(self, hex_id: str, namespace: str, name: str | None = None) -> None:
        self._hex = hex_id
        self._namespace = namespace
        self.name = name

    def toString(self) -> str:
        return self._hex

    def equals(self, other: object) -> bool:
        return isinstance(other, DurableObjectId) and other._hex == self._hex

    @property
    def namespace(self) -> str:
        """Local-only: the class name of the namespace this id belongs to."""
        return self._namespace

    def __str__(self) -> str:
        return self._hex

    def __repr__(self) -> str:
        suffix = f", name={self.name!r}" if self.name is not None else ""
        return f"DurableObjectId({self._hex[:12]}…, {self._namespace}{suffix})"


def _check(namespace: str, body: bytes) -> bytes:
    return hashlib.sha256(b"jengu-local-do\0" + namespace.encode() + b"\0" + body).digest()[:8]


def id_from_name(namespace: str, name: str) -> DurableObjectId:
    if not isinstance(name, str):
        raise TypeError(f"idFromName() expects a string name, got {type(name).__name__}")
    body = hashlib.sha256(namespace.encode() + b"\0" + name.encode()).digest()[:24]
    return DurableObjectId((body + _check(namespace, body)).hex(), namespace, name)


def new_unique_id(namespace: str) -> DurableObjectId:
    body = os.urandom(24)
    return DurableObjectId((body + _check(namespace, body)).hex(), namespace)


def id_from_string(namespace: str, hex_id: str, name: str | None = None) -> DurableObjectId:
    if not isinstance(hex_id, str) or not _HEX64.fullmatch(hex_id):
        raise TypeError("Invalid Durable Object ID: must be 64 hex digits")
    raw = bytes.fromhex(hex_id)
    if _check(namespace, raw[:24]) != raw[24:]:
        raise TypeError("Durable Object ID is not valid for this namespace.")
    return DurableObjectId(hex_id, namespace, name)
