"""D1 on a local SQLite file: Miniflare's D1 database object and D1's JS client, ported onto stdlib `sqlite3`.

Like D1, every call (a statement, a batch, an `exec`) is one transaction; user SQL passes D1's authorizer and
limits (`local.d1.sqlite_policy`); one statement string may hold several statements, only the last one with
parameters; and numbers are bound as REAL, because workerd binds every JS number as a double (an int bound
into a TEXT column is stored as '5.0' in D1 too).

Off the event loop: the connection lives on one dedicated thread and every call runs there (sqlite3 releases the
GIL while SQLite works), so a long import batch never freezes the local server — `/live` and inbound SMTP are
served meanwhile, as workerd serves other requests while D1 works. Calls stay strictly one at a time, in order.

Prepared statements are cached (as workerd caches them), and the authorizer still guards every statement a
caller supplies: SQLite authorizes when it compiles, a cached statement was compiled from the same text under
the same (untrusted) rules, and a caller's text equal to one of our trusted internal statements is compiled
apart (a trailing newline makes it a different cache key), so it can never reuse a trusted compilation.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from local.clock import Clock
from local.d1.binding import D1Database, D1Result, Query
from local.d1.errors import TRANSACTION_MESSAGE, column_not_found, d1_error, exec_error
from local.d1.sqlite_clock import follow_clock
from local.d1.sqlite_policy import LIMITS, Authorizer, ErrorWording, configure
from local.d1.sqlsplit import has_statement, split_statements
from local.d1.values import D1Value

SERVED_BY = "jengu.local.sqlite"
NO_STATEMENTS = "No SQL statements detected."
NO_STATEMENT = "SQL code did not contain a statement."
WRONG_BINDINGS = "Wrong number of parameter bindings for SQL query."
MULTI_PARAMS = "When executing multiple SQL statements in a single call, only the last statement can have parameters."
_COMMENT_LINES = re.compile(r"^\s+--.*", re.MULTILINE)  # Miniflare's filter for "empty" queries, verbatim
_COUNTERS = (
    "SELECT total_changes(), last_insert_rowid(), "
    "(SELECT * FROM pragma_page_count()) - (SELECT * FROM pragma_freelist_count())"
)
# The table a Durable Object's SQLite (and so D1) always has; users cannot touch `_cf_` names.
_METADATA_TABLE = (
    "CREATE TABLE IF NOT EXISTS _cf_METADATA (\n        key INTEGER PRIMARY KEY,\n        value BLOB\n      )"
)


_STATEMENT_CACHE = 256
_T = TypeVar("_T")


class _Failure(Exception):
    """A query failed; `message` is the text D1's backend reports (the client adds `D1_ERROR: ` etc.)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Outcome:
    columns: list[str]
    rows: list[list[Any]]
    meta: dict[str, Any]

    def result(self) -> D1Result:
        objects = [dict(zip(self.columns, row, strict=True)) for row in self.rows]
        return {"success": True, "meta": self.meta, "results": objects}


class SqliteBackend:
    """One SQLite file, one connection. Calls are synchronous inside `async def`: each is atomic on the loop."""

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-d1")
        self._trusted_sql: set[str] = {"BEGIN", "COMMIT", "ROLLBACK", _COUNTERS}
        self._builtin_time: sqlite3.Connection | None = None
        self._closed = False
        try:
            self._thread.submit(self._open, clock).result()
        except BaseException:
            self._thread.shutdown(wait=True)
            raise

    def _open(self, clock: Clock | None) -> None:
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, cached_statements=_STATEMENT_CACHE, timeout=5.0, check_same_thread=False
        )
        try:
            self._authorizer = Authorizer()
            self._conn.set_authorizer(self._authorizer)
            configure(self._conn)
            self._wording = ErrorWording(self._conn, self.path)
            with self._trusted():
                for pragma in ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON"):
                    # WAL + NORMAL: a crash of this process loses nothing committed; only a power cut could.
                    self._trusted_sql.add(pragma)
                    self._conn.execute(pragma)
                self._trusted_sql.update((_METADATA_TABLE, "PRAGMA page_size"))
                self._conn.execute(_METADATA_TABLE)
                self._page_size: int = self._conn.execute("PRAGMA page_size").fetchone()[0]
            if clock is not None:
                self._builtin_time = follow_clock(self._conn, clock)
        except BaseException:
            self._conn.close()
            raise

    async def _off_loop(self, call: Callable[..., _T], *args: Any) -> _T:
        if self._closed:
            raise d1_error("D1 database is closed")
        # The result travels in a box, not as the futures' result: those two futures reference each other and
        # linger until a garbage collection, which would keep a large result (25 MiB of mail) alive twice.
        box: list[_T] = []
        await asyncio.get_running_loop().run_in_executor(self._thread, lambda: box.append(call(*args)))
        return box.pop()

    # -- D1's JS client (d1-api.ts) ------------------------------------------------------------------------------
    async def all(self, query: Query) -> D1Result:
        return (await self._off_loop(self._send, [query]))[0].result()

    async def run(self, query: Query) -> D1Result:
        return (await self._off_loop(self._send, [query]))[0].result()

    async def first(self, query: Query, column: str | None) -> Any:
        rows = (await self._off_loop(self._send, [query]))[0].result()["results"]
        if not rows:
            return None
        if column is None:
            return rows[0]
        if column not in rows[0]:
            raise column_not_found(column)
        return rows[0][column]

    async def raw(self, query: Query, column_names: bool) -> list[list[Any]]:
        outcome = (await self._off_loop(self._send, [query]))[0]
        return ([list(outcome.columns)] if column_names else []) + outcome.rows

    async def batch(self, queries: Sequence[Query]) -> list[D1Result]:
        return [outcome.result() for outcome in await self._off_loop(self._send, list(queries))]

    async def exec(self, sql: str) -> dict[str, Any]:
        return await self._off_loop(self._exec, sql)

    def _exec(self, sql: str) -> dict[str, Any]:
        lines = sql.strip().split("\n")  # D1 runs exec() line by line
        try:
            outcomes = self._transaction([Query(line) for line in lines])
        except _Failure as failure:
            # The whole transaction fails as one, so D1 reports it against the first line.
            raise exec_error(1, lines[0], failure.message) from failure
        return {"count": len(outcomes), "duration": sum(o.meta["duration"] for o in outcomes)}

    async def close(self) -> None:
        if self._closed:
            return
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._closed = True
        self._thread.shutdown(wait=True)

    def _close(self) -> None:
        self._conn.close()
        if self._builtin_time is not None:
            self._builtin_time.close()

    def _send(self, queries: Sequence[Query]) -> list[_Outcome]:
        try:
            return self._transaction(queries)
        except _Failure as failure:
            raise d1_error(failure.message) from failure

    # -- Miniflare's D1 database object (database.worker.ts) -----------------------------------------------------
    def _transaction(self, queries: Sequence[Query]) -> list[_Outcome]:
        queries = [q for q in queries if _COMMENT_LINES.sub("", q.sql).strip()]
        if not queries:
            raise _Failure(NO_STATEMENTS)
        self._internal("BEGIN")
        try:
            outcomes = [self._query(query) for query in queries]
            self._internal("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._internal("ROLLBACK")
            raise
        return outcomes

    def _query(self, query: Query) -> _Outcome:
        started = time.perf_counter()
        changes_before, row_id_before, pages_before = self._counters()
        if len(query.sql.encode()) > LIMITS[sqlite3.SQLITE_LIMIT_SQL_LENGTH]:
            raise _Failure("statement too long: SQLITE_TOOBIG")
        pieces = split_statements(query.sql) or [query.sql]
        cursor: sqlite3.Cursor | None = None
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            if not has_statement(piece):
                raise _Failure(NO_STATEMENT)
            cursor = self._execute(piece, query.params if last else (), last=last)
        assert cursor is not None
        columns = [column[0] for column in cursor.description or ()]
        rows = self._fetch(cursor)
        changes_after, row_id_after, pages_after = self._counters()
        changes = changes_after - changes_before
        meta = {
            "served_by": SERVED_BY,
            "duration": (time.perf_counter() - started) * 1000,
            "changes": changes,
            "last_row_id": row_id_after,
            "changed_db": changes != 0 or row_id_after != row_id_before or pages_after != pages_before,
            "size_after": pages_after * self._page_size,
            # workerd counts rows the VM touched; stdlib sqlite3 cannot see that, so: rows out, rows changed.
            "rows_read": len(rows),
            "rows_written": changes,
        }
        return _Outcome(columns, rows, meta)

    def _execute(self, sql: str, params: tuple[D1Value, ...], *, last: bool) -> sqlite3.Cursor:
        self._authorizer.transaction_denied = False
        if sql in self._trusted_sql:  # never reuse a statement compiled under trusted rules
            sql += "\n"
        try:
            with warnings.catch_warnings():
                # D1 binds `:name`/`@name`/`$name` placeholders by position; the stdlib merely deprecates that.
                warnings.simplefilter("ignore", DeprecationWarning)
                return self._conn.execute(sql, [_as_sqlite(value) for value in params])
        except sqlite3.ProgrammingError as error:
            if str(error).startswith("Incorrect number of bindings"):
                raise _Failure(WRONG_BINDINGS if last else MULTI_PARAMS) from error
            raise _Failure(self._describe(error)) from error
        except sqlite3.Error as error:
            raise _Failure(self._describe(error)) from error

    def _fetch(self, cursor: sqlite3.Cursor) -> list[list[Any]]:
        try:
            return [list(row) for row in cursor.fetchall()]
        except sqlite3.Error as error:
            raise _Failure(self._describe(error)) from error

    def _describe(self, error: sqlite3.Error) -> str:
        if self._authorizer.transaction_denied and getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_AUTH:
            return TRANSACTION_MESSAGE
        return self._wording.describe(error)

    def _counters(self) -> tuple[int, int, int]:
        with self._trusted():
            changes, row_id, pages = self._conn.execute(_COUNTERS).fetchone()
        return int(changes), int(row_id), int(pages)

    def _internal(self, sql: str) -> None:
        try:
            with self._trusted():
                self._conn.execute(sql)
        except sqlite3.Error as error:  # COMMIT fails on deferred foreign key violations
            raise _Failure(self._wording.describe(error)) from error

    @contextmanager
    def _trusted(self) -> Iterator[None]:
        self._authorizer.trusted = True
        try:
            yield
        finally:
            self._authorizer.trusted = False


def _as_sqlite(value: D1Value) -> D1Value:
    """workerd binds every JS number with sqlite3_bind_double."""
    if isinstance(value, int):
        return float(value)
    return value


class LocalD1(D1Database):
    """The D1 binding backed by a SQLite file through stdlib `sqlite3`. `clock` drives SQL's 'now' if given."""

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.backend = SqliteBackend(path, clock)
        super().__init__(self.backend)

    @property
    def path(self) -> Path:
        return self.backend.path
