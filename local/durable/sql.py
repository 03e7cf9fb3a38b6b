"""One Durable Object's SQLite file and the synchronous `ctx.storage.sql` API on top of it.

Mirrors workerd's `SqlStorage` (src/workerd/api/sql.c++) where it matters to application code:

- `exec(query, *bindings)` runs every `;`-separated statement in order; only the last may have parameters
  ("When executing multiple SQL statements in a single call, only the last statement can have parameters.").
- JS numbers are bound as doubles (`sqlite3_bind_double`), so `SELECT typeof(?)` with `5` says `real`; column
  affinity turns them back into integers in INTEGER columns. Results come back as JS numbers: integral values as int,
  int64 beyond ±2**53 lose precision and arrive as float (workerd casts to double). BLOBs come back as bytes.
  Bindings accept None, int, float, str, bytes; bool, datetime, tuples, ... raise TypeError (bind 1/0, ISO text).
- `BEGIN` / `COMMIT` / `ROLLBACK` / `SAVEPOINT` / `RELEASE` are refused with workerd's message, as are ATTACH,
  most PRAGMAs, and any access to the reserved `_cf_*` tables (`not authorized: SQLITE_AUTH`).
- Errors are `SqlStorageError` (a `JsException`) with the SQLite message plus the result code name.
- The cursor is read eagerly (so a forgotten cursor never holds locks) but consumed once, like the JS iterator:
  `toArray()`, `one()`, `raw()`, `next()` and iteration all take from the same remaining rows.
- `rowsWritten` counts changed rows; `rowsRead` is approximated (max of rows returned and rows written).
- `PRAGMA foreign_keys` is ON, as on Cloudflare.

The connection runs in autocommit mode: every write outside `transaction()`/`transactionSync()` is durable at once.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local.durable.errors import SqlStorageError, StorageError
from local.rpc import MAX_SAFE_INTEGER, js_number

__all__ = ["SqlStorage", "SqlStorageCursor", "SqliteFile", "split_statements"]

TRANSACTION_MESSAGE = (
    "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() "
    "APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it "
    "will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' "
    "automatic atomic write coalescing."
)

# PRAGMAs application code may run (read-only introspection and per-connection behaviour switches).
_ALLOWED_PRAGMAS = frozenset(
    {
        "case_sensitive_like",
        "data_version",
        "defer_foreign_keys",
        "foreign_key_check",
        "foreign_key_list",
        "foreign_keys",
        "ignore_check_constraints",
        "index_info",
        "index_list",
        "index_xinfo",
        "integrity_check",
        "legacy_alter_table",
        "optimize",
        "quick_check",
        "recursive_triggers",
        "reverse_unordered_selects",
        "table_info",
        "table_list",
        "table_xinfo",
    }
)
# Authorizer actions whose second argument is a column or function name rather than a table-like name.
_ARG2_NOT_A_NAME = frozenset({sqlite3.SQLITE_READ, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_FUNCTION})
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?(\*/|$)", re.S)

_INTERNAL_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS _cf_METADATA (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
)


def _is_blank(statement: str) -> bool:
    if "'" in statement or '"' in statement:
        return False
    return not _COMMENTS.sub("", statement).strip().strip(";").strip()


def split_statements(sql: str) -> list[str]:
    """Split SQL text into complete statements (semicolons inside strings, comments and triggers are respected)."""
    statements: list[str] = []
    start = 0
    for i, char in enumerate(sql):
        if char == ";" and sqlite3.complete_statement(sql[start : i + 1]):
            piece = sql[start : i + 1]
            if not _is_blank(piece):
                statements.append(piece)
            start = i + 1
    tail = sql[start:]
    if not _is_blank(tail):
        statements.append(tail)
    return statements


def sqlite_error(exc: sqlite3.Error) -> SqlStorageError:
    name = getattr(exc, "sqlite_errorname", None)
    return SqlStorageError(f"{exc}: {name}" if name else str(exc))


class SqliteFile:
    """The object's SQLite database: opened lazily, autocommit, with workerd-like restrictions for user SQL."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._internal = 0
        self._transaction_attempted = False
        self._savepoints = 0
        self._closed = False

    @property
    def conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError(
                "Durable Object storage used after the object was evicted or reset; use the new instance"
            )
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, autocommit=True)
            # Rollback journal (one file descriptor per idle object) and no fsync: safe against a crash of this
            # process, which is all a local runtime needs.
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA foreign_keys=ON")
            for ddl in _INTERNAL_SCHEMA:
                conn.execute(ddl)
            conn.set_authorizer(self._authorize)
            self._conn = conn
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def close(self) -> None:
        """Close for good: a later access raises (the instance holding it was evicted)."""
        self._closed = True
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def internal(self) -> Iterator[sqlite3.Connection]:
        """Run runtime-owned SQL (KV, alarms, savepoints) without the user-SQL restrictions."""
        conn = self.conn
        self._internal += 1
        try:
            yield conn
        finally:
            self._internal -= 1

    @property
    def in_transaction(self) -> bool:
        return self._savepoints > 0

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """All writes inside commit together or roll back together (nestable)."""
        self._savepoints += 1
        name = f"_cf_txn_{self._savepoints}"
        with self.internal() as conn:
            conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            with self.internal() as conn:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        else:
            with self.internal() as conn:
                conn.execute(f"RELEASE {name}")
        finally:
            self._savepoints -= 1

    def _authorize(self, action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None) -> int:
        if self._internal:
            return sqlite3.SQLITE_OK
        if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
            self._transaction_attempted = True
            return sqlite3.SQLITE_DENY
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _ALLOWED_PRAGMAS:
            return sqlite3.SQLITE_DENY
        names = (arg1,) if action in _ARG2_NOT_A_NAME else (arg1, arg2)
        if any(name and name.lower().startswith("_cf_") for name in names):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def run_user_sql(self, query: str, bindings: list[Any]) -> SqlStorageCursor:
        statements = split_statements(query)
        if not statements:
            raise SqlStorageError("SQL code did not contain a statement.")
        conn = self.conn
        before = conn.total_changes
        self._transaction_attempted = False
        last = False
        try:
            for statement in statements[:-1]:
                conn.execute(statement)
            last = True
            cursor = conn.execute(statements[-1], bindings)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = [[_sql_value(v) for v in row] for row in cursor.fetchall()]
        except sqlite3.ProgrammingError as exc:
            if "number of bindings" in str(exc):
                raise SqlStorageError(
                    "Wrong number of parameter bindings for SQL query."
                    if last
                    else "When executing multiple SQL statements in a single call, only the last statement can "
                    "have parameters."
                ) from exc
            raise sqlite_error(exc) from exc
        except sqlite3.Error as exc:
            if self._transaction_attempted:
                raise SqlStorageError(TRANSACTION_MESSAGE) from exc
            raise sqlite_error(exc) from exc
        written = conn.total_changes - before
        return SqlStorageCursor(columns, rows, rows_read=max(len(rows), written), rows_written=written)


def _sql_value(value: Any) -> Any:
    if isinstance(value, (int, float)):
        return js_number(value)
    return value


def bind_value(value: Any) -> Any:
    """Python value → what workerd binds (numbers as doubles); TypeError for what JS cannot pass."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("bool cannot be bound in Durable Object SQL; bind 1 or 0")
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise TypeError(f"int {value} is outside JS's safe integer range and cannot be bound; bind it as str")
        return float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, (bytes, memoryview)):
        return bytes(value)
    raise TypeError(f"{type(value)} cannot be bound in Durable Object SQL (use None, int, float, str or bytes)")


class SqlStorageCursor:
    """Rows of the last statement; a one-pass iterator of dicts like the JS `SqlStorageCursor`."""

    def __init__(self, columns: list[str], rows: list[list[Any]], *, rows_read: int, rows_written: int) -> None:
        self._columns = columns
        self._rows = rows
        self._pos = 0
        self._rows_read = rows_read
        self._rows_written = rows_written

    @property
    def columnNames(self) -> list[str]:
        return list(self._columns)

    @property
    def rowsRead(self) -> int:
        return self._rows_read

    @property
    def rowsWritten(self) -> int:
        return self._rows_written

    def _take(self) -> list[Any] | None:
        if self._pos >= len(self._rows):
            return None
        row = self._rows[self._pos]
        self._pos += 1
        return row

    def _as_dict(self, row: list[Any]) -> dict[str, Any]:
        return dict(zip(self._columns, row, strict=True))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while (row := self._take()) is not None:
            yield self._as_dict(row)

    def next(self) -> dict[str, Any]:
        """JS iterator protocol: `{"done": False, "value": row}` then `{"done": True, "value": None}`."""
        row = self._take()
        if row is None:
            return {"done": True, "value": None}
        return {"done": False, "value": self._as_dict(row)}

    def toArray(self) -> list[dict[str, Any]]:
        return list(self)

    def one(self) -> dict[str, Any]:
        row = self._take()
        if row is None:
            raise SqlStorageError("Expected exactly one result from SQL query, but got no results.")
        if self._take() is not None:
            self._pos = len(self._rows)
            raise SqlStorageError("Expected exactly one result from SQL query, but got multiple results.")
        return self._as_dict(row)

    def raw(self) -> Iterator[list[Any]]:
        while (row := self._take()) is not None:
            yield list(row)


class SqlStorage:
    """`ctx.storage.sql`."""

    def __init__(self, db: SqliteFile) -> None:
        self._db = db

    def exec(self, query: str, *bindings: Any) -> SqlStorageCursor:
        if not isinstance(query, str):
            raise TypeError("sql.exec() expects the query as a str")
        return self._db.run_user_sql(query, [bind_value(b) for b in bindings])

    @property
    def databaseSize(self) -> int:
        with self._db.internal() as conn:
            pages = conn.execute(
                "SELECT (SELECT * FROM pragma_page_count) - (SELECT * FROM pragma_freelist_count)"
            ).fetchone()[0]
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        return int(pages * page_size)
