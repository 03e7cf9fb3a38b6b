"""Workers KV emulation for the local runtime: the Python surface the SDK gives worker code, on SQLite.

`LocalKV` answers the calls Jengu makes on `env.KV_CACHE` (`get`, `getWithMetadata`, `put`, `delete`, `list`)
with the SDK's Python shapes and Cloudflare's limits and errors. Expiry is read from the injected `Clock`;
expired keys are invisible to `get` and `list` and are purged lazily. State lives in one SQLite file (WAL,
autocommit), so it survives a restart. Differences from production: writes are visible at once everywhere
(no 60 s edge-cache staleness), `cacheTtl` is accepted and ignored, and `arrayBuffer` values come back as
`bytes` (the SDK gives a `memoryview`).
"""

from __future__ import annotations

import base64
import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from local.clock import Clock

MAX_KEY_BYTES = 512
MAX_VALUE_BYTES = 25 * 1024 * 1024
MAX_METADATA_BYTES = 1024
MIN_TTL_SECONDS = 60
MAX_LIST_LIMIT = 1000
MAX_BULK_GET_KEYS = 100
VALUE_TYPES = ("text", "json", "arrayBuffer")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,      -- BINARY collation on UTF-8 text: bytewise order, as Cloudflare lists keys
    value BLOB NOT NULL,
    expiration INTEGER,        -- epoch seconds; NULL = never
    metadata TEXT              -- JSON; NULL = none
);
CREATE INDEX IF NOT EXISTS kv_expiration ON kv (expiration) WHERE expiration IS NOT NULL;
"""


class KVError(Exception):
    """A KV call Cloudflare would reject; the message mirrors the production error text."""


def open_sqlite(path: str | PathLike[str]) -> sqlite3.Connection:
    """Open an autocommit, WAL-mode SQLite connection, creating the parent directory if needed."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, autocommit=True)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class LocalKV:
    """One KV namespace in one SQLite file."""

    def __init__(self, path: str | PathLike[str], clock: Clock) -> None:
        self._clock = clock
        self._db = open_sqlite(path)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # ---- reads

    async def get(
        self, key: str | Sequence[str], type: str | Mapping[str, Any] = "text", cacheTtl: int | None = None
    ) -> Any:
        """`get(key, "json")`, `get(key, type="json")` or `get(key, {"type": "json"})`; a list of keys → dict."""
        value_type = _value_type(type)
        if isinstance(key, str):
            row = self._row("GET", key)
            return None if row is None else _decode(row[0], value_type)
        keys = _bulk_keys(key, value_type)
        rows = {k: self._row("GET", k) for k in keys}
        return {k: None if row is None else _decode(row[0], value_type) for k, row in rows.items()}

    async def getWithMetadata(
        self, key: str | Sequence[str], type: str | Mapping[str, Any] = "text", cacheTtl: int | None = None
    ) -> Any:
        """`{"value": ..., "metadata": ...}` (both None when missing); a list of keys → dict of those."""
        value_type = _value_type(type)
        if isinstance(key, str):
            return _with_metadata(self._row("GET", key), value_type)
        keys = _bulk_keys(key, value_type)
        return {k: _with_metadata(self._row("GET", k), value_type) for k in keys}

    async def list(
        self, prefix: str | None = None, limit: int = MAX_LIST_LIMIT, cursor: str | None = None
    ) -> dict[str, Any]:
        """`{"keys": [{"name", "expiration"?, "metadata"?}], "list_complete", "cursor"?}` in bytewise key order."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_LIMIT:
            raise KVError(
                f"KV LIST failed: 400 Invalid key_count_limit of {limit}. "
                f"Please specify an integer between 1 and {MAX_LIST_LIMIT}."
            )
        now = self._clock.now()
        self._db.execute("DELETE FROM kv WHERE expiration IS NOT NULL AND expiration <= ?", (now,))
        where, params = ["1"], []
        if prefix:
            where.append("key >= ?")
            params.append(prefix)
            upper = _prefix_upper_bound(prefix)
            if upper is not None:
                where.append("key < ?")
                params.append(upper)
        if cursor:
            where.append("key > ?")
            params.append(_decode_cursor(cursor))
        rows = self._db.execute(
            f"SELECT key, expiration, metadata FROM kv WHERE {' AND '.join(where)} ORDER BY key LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
        page = rows[:limit]
        keys: list[dict[str, Any]] = []
        for name, expiration, metadata in page:
            entry: dict[str, Any] = {"name": name}
            if expiration is not None:
                entry["expiration"] = expiration
            if metadata is not None:
                entry["metadata"] = json.loads(metadata)
            keys.append(entry)
        result: dict[str, Any] = {"keys": keys, "list_complete": len(rows) <= limit}
        if not result["list_complete"]:
            result["cursor"] = _encode_cursor(page[-1][0])
        return result

    # ---- writes

    async def put(
        self,
        key: str,
        value: str | bytes | bytearray | memoryview,
        expirationTtl: float | None = None,
        expiration: float | None = None,
        metadata: Any = None,
    ) -> None:
        _check_key("PUT", key)
        if isinstance(value, str):
            blob = value.encode("utf-8")
        elif isinstance(value, bytes | bytearray | memoryview):
            blob = bytes(value)
        else:
            raise TypeError(f"KV put() value must be str or bytes, not {type(value).__name__}")
        if len(blob) > MAX_VALUE_BYTES:
            raise KVError(f"KV PUT failed: 413 Value length of {len(blob)} exceeds limit of {MAX_VALUE_BYTES}.")
        meta_json = None
        if metadata is not None:
            meta_json = json.dumps(metadata, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
            size = len(meta_json.encode("utf-8"))
            if size > MAX_METADATA_BYTES:
                raise KVError(f"KV PUT failed: 413 Metadata length of {size} exceeds limit of {MAX_METADATA_BYTES}.")
        expires_at = self._expiration(expirationTtl, expiration)
        self._db.execute(
            "INSERT OR REPLACE INTO kv (key, value, expiration, metadata) VALUES (?, ?, ?, ?)",
            (key, blob, expires_at, meta_json),
        )

    async def delete(self, key: str) -> None:
        _check_key("DELETE", key)
        self._db.execute("DELETE FROM kv WHERE key = ?", (key,))

    # ---- helpers

    def _row(self, op: str, key: str) -> tuple[bytes, str | None] | None:
        _check_key(op, key)
        row = self._db.execute("SELECT value, expiration, metadata FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value, expires_at, metadata = row
        if expires_at is not None and expires_at <= self._clock.now():
            self._db.execute("DELETE FROM kv WHERE key = ? AND expiration = ?", (key, expires_at))
            return None
        return value, metadata

    def _expiration(self, ttl: float | None, expiration: float | None) -> int | None:
        now = self._clock.now()
        if ttl is not None:
            if not _finite_number(ttl) or ttl < MIN_TTL_SECONDS:
                raise KVError(
                    f"KV PUT failed: 400 Invalid expiration_ttl of {ttl}. "
                    f"Please specify integer greater than {MIN_TTL_SECONDS}."
                )
            return math.floor(now + ttl)
        if expiration is not None:
            if not _finite_number(expiration) or expiration < now + MIN_TTL_SECONDS:
                raise KVError(
                    f"KV PUT failed: 400 Invalid expiration of {expiration}. "
                    f"Expiration times must be at least {MIN_TTL_SECONDS} seconds in the future."
                )
            return math.floor(expiration)
        return None


def _bulk_keys(keys: Sequence[str], value_type: str) -> list[str]:
    if value_type == "arrayBuffer":
        raise KVError('KV GET failed: 400 "arrayBuffer" is not a valid type for bulk get; use text or json.')
    if not 1 <= len(keys) <= MAX_BULK_GET_KEYS:
        raise KVError(f"KV GET failed: 400 Bulk get takes 1 to {MAX_BULK_GET_KEYS} keys, got {len(keys)}.")
    for key in keys:
        _check_key("GET", key)
    return [*keys]


def _finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_key(op: str, key: object) -> None:
    if not isinstance(key, str):
        raise TypeError(f"KV key must be a string, not {type(key).__name__}")
    if key == "":
        raise KVError(f"KV {op} failed: 400 Key names must not be empty.")
    if key in (".", ".."):
        raise KVError(f'KV {op} failed: 400 Illegal key name "{key}". Please use a different name.')
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise KVError(
            f"KV {op} failed: 414 UTF-8 encoded length of {size} exceeds key length limit of {MAX_KEY_BYTES}."
        )


def _value_type(type_: str | Mapping[str, Any]) -> str:
    value_type = type_.get("type", "text") if isinstance(type_, Mapping) else type_
    if value_type not in VALUE_TYPES:
        raise KVError(f"KV GET failed: unsupported type {value_type!r}; expected one of {', '.join(VALUE_TYPES)}.")
    return str(value_type)


def _decode(blob: bytes, value_type: str) -> Any:
    if value_type == "arrayBuffer":
        return bytes(blob)
    text = bytes(blob).decode("utf-8", errors="replace")
    return json.loads(text) if value_type == "json" else text


def _with_metadata(row: tuple[bytes, str | None] | None, value_type: str) -> dict[str, Any]:
    if row is None:
        return {"value": None, "metadata": None}
    value, metadata = row
    return {"value": _decode(value, value_type), "metadata": None if metadata is None else json.loads(metadata)}


def _prefix_upper_bound(prefix: str) -> str | None:
    """Smallest string greater than every string starting with `prefix` (code point order = UTF-8 byte order)."""
    for i in range(len(prefix) - 1, -1, -1):
        code = ord(prefix[i])
        if code < 0x10FFFF:
            return prefix[:i] + chr(0xE000 if code == 0xD7FF else code + 1)  # skip the surrogate block
    return None


def _encode_cursor(last_key: str) -> str:
    return base64.urlsafe_b64encode(last_key.encode("utf-8")).decode("ascii")


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError) as exc:
        raise KVError(f"KV LIST failed: 400 Invalid cursor {cursor!r}.") from exc
