"""`ctx.storage` for a SQLite-backed Durable Object: the KV API, SQL, transactions and the alarm.

KV pairs live in the object's own SQLite file in `_cf_KV(key TEXT PRIMARY KEY, value BLOB)` like workerd, values
serialised with `local.rpc.encode_value` (so they take the same round trip as RPC values: a stored tuple is a
TypeError, a stored `1.0` reads back as `1`, a read returns a fresh copy). The alarm lives in `_cf_METADATA`.

Limits enforced as on Cloudflare: keys are str of at most 2048 UTF-8 bytes, at most 128 keys per multi-key
get/put/delete. `deleteAll()` wipes the whole database (KV and SQL tables) but keeps the alarm.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from local.durable.errors import StorageError
from local.durable.sql import SqliteFile, SqlStorage
from local.rpc import decode_value, encode_value

__all__ = ["DurableObjectStorage", "DurableObjectTransaction"]

MAX_KEY_BYTES = 2048
MAX_KEYS_PER_CALL = 128

AlarmListener = Callable[[int | None], None]


def _check_key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"Durable Object storage keys must be str, got {type(key).__name__}")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise StorageError(f"Keys cannot be larger than {MAX_KEY_BYTES} bytes.")
    return key


def _check_keys(keys: list[Any]) -> list[str]:
    if len(keys) > MAX_KEYS_PER_CALL:
        raise StorageError(f"Maximum number of keys is {MAX_KEYS_PER_CALL}; got {len(keys)}.")
    return [_check_key(k) for k in keys]


def alarm_ms(when: Any) -> int:
    """`setAlarm` argument → epoch milliseconds (a datetime goes through `Date`, like the SDK)."""
    if isinstance(when, datetime):
        return math.trunc(when.timestamp() * 1000)
    if isinstance(when, bool) or not isinstance(when, (int, float)):
        raise TypeError("setAlarm() expects a datetime or epoch milliseconds")
    if not math.isfinite(when):
        raise TypeError("setAlarm() expects a finite time")
    return math.trunc(when)


class _KV:
    """The KV operations shared by the storage object and the transaction handle."""

    def __init__(self, db: SqliteFile, alarm_listener: AlarmListener, has_alarm_handler: Callable[[], bool]) -> None:
        self._db = db
        self._alarm_listener = alarm_listener
        self._has_alarm_handler = has_alarm_handler

    async def get(self, keys: str | list[str], options: Mapping[str, Any] | None = None, **_: Any) -> Any:
        if isinstance(keys, list):
            wanted = _check_keys(keys)
            if not wanted:
                return {}
            marks = ",".join("?" * len(wanted))
            with self._db.internal() as conn:
                rows = conn.execute(
                    f"SELECT key, value FROM _cf_KV WHERE key IN ({marks}) ORDER BY key", wanted
                ).fetchall()
            return {key: decode_value(value) for key, value in rows}
        key = _check_key(keys)
        with self._db.internal() as conn:
            row = conn.execute("SELECT value FROM _cf_KV WHERE key = ?", (key,)).fetchone()
        return None if row is None else decode_value(row[0])

    async def put(
        self, key_or_entries: str | Mapping[str, Any], value: Any = None, options: Any = None, **_: Any
    ) -> None:
        if isinstance(key_or_entries, Mapping):
            keys = _check_keys(list(key_or_entries))
            entries = [(k, encode_value(key_or_entries[k])) for k in keys]
        else:
            entries = [(_check_key(key_or_entries), encode_value(value))]
        with self._db.internal() as conn:
            conn.executemany("INSERT OR REPLACE INTO _cf_KV (key, value) VALUES (?, ?)", entries)

    async def delete(self, keys: str | list[str], options: Mapping[str, Any] | None = None, **_: Any) -> Any:
        if isinstance(keys, list):
            wanted = _check_keys(keys)
            with self._db.internal() as conn:
                before = conn.total_changes
                conn.executemany("DELETE FROM _cf_KV WHERE key = ?", [(k,) for k in dict.fromkeys(wanted)])
                return conn.total_changes - before
        key = _check_key(keys)
        with self._db.internal() as conn:
            return conn.execute("DELETE FROM _cf_KV WHERE key = ?", (key,)).rowcount > 0

    async def list(
        self,
        options: Mapping[str, Any] | None = None,
        *,
        prefix: str | None = None,
        start: str | None = None,
        startAfter: str | None = None,
        end: str | None = None,
        reverse: bool = False,
        limit: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        if options:
            prefix = options.get("prefix", prefix)
            start = options.get("start", start)
            startAfter = options.get("startAfter", startAfter)
            end = options.get("end", end)
            reverse = bool(options.get("reverse", reverse))
            limit = options.get("limit", limit)
        if start is not None and startAfter is not None:
            raise StorageError("list() cannot be called with both start and startAfter values.")
        where: list[str] = []
        params: list[Any] = []
        if prefix:
            where.append("key >= ? AND substr(key, 1, ?) = ?")
            params += [prefix, len(prefix), prefix]
        if start is not None:
            where.append("key >= ?")
            params.append(start)
        if startAfter is not None:
            where.append("key > ?")
            params.append(startAfter)
        if end is not None:
            where.append("key < ?")
            params.append(end)
        sql = "SELECT key, value FROM _cf_KV"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY key DESC" if reverse else " ORDER BY key"
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
                raise StorageError("List limit must be a positive integer.")
            sql += " LIMIT ?"
            params.append(limit)
        with self._db.internal() as conn:
            rows = conn.execute(sql, params).fetchall()
        return {key: decode_value(value) for key, value in rows}

    # -- alarm -------------------------------------------------------------------------------------------------

    def read_alarm(self) -> int | None:
        with self._db.internal() as conn:
            row = conn.execute("SELECT value FROM _cf_METADATA WHERE key = 'alarm'").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def write_alarm(self, when_ms: int | None, *, notify: bool = True) -> None:
        with self._db.internal() as conn:
            if when_ms is None:
                conn.execute("DELETE FROM _cf_METADATA WHERE key = 'alarm'")
            else:
                conn.execute("INSERT OR REPLACE INTO _cf_METADATA (key, value) VALUES ('alarm', ?)", (when_ms,))
        if notify:
            self._alarm_listener(when_ms)

    async def getAlarm(self, options: Any = None, **_: Any) -> int | None:
        return self.read_alarm()

    async def setAlarm(self, scheduled_time: datetime | int | float, options: Any = None, **_: Any) -> None:
        when = alarm_ms(scheduled_time)
        if not self._has_alarm_handler():
            raise StorageError("Your Durable Object class must have an alarm() handler in order to call setAlarm()")
        self.write_alarm(when)

    async def deleteAlarm(self, options: Any = None, **_: Any) -> None:
        self.write_alarm(None)


class DurableObjectTransaction(_KV):
    """The `txn` handed to `storage.transaction(fn)`; `rollback()` discards its writes once `fn` returns."""

    def __init__(self, kv: _KV) -> None:
        super().__init__(kv._db, kv._alarm_listener, kv._has_alarm_handler)
        self.rolled_back = False

    def rollback(self) -> None:
        self.rolled_back = True


class _Rollback(Exception):
    pass


class DurableObjectStorage(_KV):
    """`ctx.storage` (SQLite backend)."""

    def __init__(self, db: SqliteFile, alarm_listener: AlarmListener, has_alarm_handler: Callable[[], bool]) -> None:
        super().__init__(db, alarm_listener, has_alarm_handler)
        self.sql = SqlStorage(db)

    async def deleteAll(self, options: Any = None, **_: Any) -> None:
        db = self._db
        with db.internal() as conn:
            objects = conn.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'"
            ).fetchall()
            foreign_keys = not db.in_transaction
            if foreign_keys:
                conn.execute("PRAGMA foreign_keys=OFF")
            try:
                with db.savepoint():
                    for kind, name in sorted(objects, key=lambda o: o[0] != "view"):
                        quoted = '"' + name.replace('"', '""') + '"'
                        conn.execute(f"DROP {kind.upper()} IF EXISTS {quoted}")
                    conn.execute("DELETE FROM _cf_KV")
                    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
                        conn.execute("DELETE FROM sqlite_sequence")
            finally:
                if foreign_keys:
                    conn.execute("PRAGMA foreign_keys=ON")

    async def sync(self) -> None:
        """Writes are already durable (autocommit)."""

    async def transaction(self, closure: Callable[[DurableObjectTransaction], Any], options: Any = None) -> Any:
        """Run `closure(txn)`; if it raises (or calls `txn.rollback()`), every write it made — KV, SQL, alarm — is
        undone. Returns the closure's value."""
        txn = DurableObjectTransaction(self)
        try:
            with self._db.savepoint():
                result = closure(txn)
                if inspect.isawaitable(result):
                    result = await result
                if txn.rolled_back:
                    raise _Rollback
        except _Rollback:
            self._resync_alarm()
            return result
        except BaseException:
            self._resync_alarm()
            raise
        return result

    def transactionSync(self, closure: Callable[[], Any]) -> Any:
        """Run the synchronous `closure()` atomically; an exception rolls back all its writes."""
        try:
            with self._db.savepoint():
                result = closure()
                if inspect.isawaitable(result):
                    if inspect.iscoroutine(result):
                        result.close()
                    raise TypeError("transactionSync() callback must be synchronous; use transaction() instead")
        except BaseException:
            self._resync_alarm()
            raise
        return result

    def _resync_alarm(self) -> None:
        """After a rollback the file holds the old alarm again; tell the namespace's alarm index."""
        self._alarm_listener(self.read_alarm())
