"""A thin client over the D1 binding: run named SQL, normalise rows, translate D1 errors into ours.

The binding surface (`prepare().bind().all()/first()/run()`, `batch([...])`) is the same in workerd and in the
local runtime, so this one adapter serves both. D1 errors arrive as `pyodide.ffi.JsException` in production (its
text `Error: D1_ERROR: ...`, the JS error's string) and as the local D1's `D1Error` (`D1_ERROR: ...`); they leave this
module as `shared.domain.errors` types carrying D1's message without the JS prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.domain.errors import ConstraintViolation, DatabaseError, DatabaseUnavailable

MAX_BOUND_PARAMETERS = 100  # D1's per-statement limit


def bound_text(text: str) -> bytes:
    """A large text value for a `CAST(? AS TEXT)` parameter: its UTF-8 bytes.

    Pyodide 0.28 hands a Python str to JS one character at a time (`_python2js_ucs1`: a V8 rope of ~20-32 bytes a
    character until D1 reads it), bytes as one Uint8Array that D1's bind() turns into an Array of byte values (4-8
    bytes each): for the hundreds of KB a multi-row insert or a staged chunk carries, that halves the JS heap a D1
    call needs (decisions 0013, 0015). The SQL's CAST stores and reads it as the same TEXT.
    """
    return text.encode()


Param = str | int | float | bytes | None

_TRANSIENT_MARKERS = (
    "Network connection lost",
    "overloaded",
    "D1 DB reset",
    "storage caused object to be reset",
    "internal error",
)
_CONSTRAINT_MARKERS = ("constraint failed", "SQLITE_CONSTRAINT")


@dataclass(frozen=True, slots=True)
class Query:
    sql: str
    params: tuple[Param, ...] = ()

    def __post_init__(self) -> None:
        if len(self.params) > MAX_BOUND_PARAMETERS:
            raise ValueError(f"{len(self.params)} bound parameters; D1 allows {MAX_BOUND_PARAMETERS}")


def d1_message(exc: BaseException) -> str:
    """D1's own message: Pyodide stringifies a JS `Error` as `Error: D1_ERROR: ...`; the local D1 has no prefix."""
    text = str(exc)
    name, sep, rest = text.partition(": ")
    return rest if sep and name.endswith("Error") and rest.startswith("D1_") else text


def translate_error(exc: BaseException) -> DatabaseError:
    text = d1_message(exc)
    if any(marker in text for marker in _CONSTRAINT_MARKERS):
        return ConstraintViolation(text)
    if any(marker in text for marker in _TRANSIENT_MARKERS):
        return DatabaseUnavailable(text)
    return DatabaseError(text)


def _is_d1_error(exc: Exception) -> bool:
    """A JS error from the binding (`pyodide.ffi.JsException`, or the local D1's subclass of its stand-in)."""
    return d1_message(exc).startswith("D1_") or any(c.__name__ == "JsException" for c in type(exc).__mro__)


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in (result["results"] or [])]


class D1Client:
    def __init__(self, binding: Any) -> None:
        self._db = binding

    def _statement(self, query: Query) -> Any:
        stmt = self._db.prepare(query.sql)
        return stmt.bind(*query.params) if query.params else stmt

    async def all(self, sql: str, *params: Param) -> list[dict[str, Any]]:
        try:
            return _rows(await self._statement(Query(sql, params)).all())
        except Exception as exc:
            if _is_d1_error(exc):
                raise translate_error(exc) from exc
            raise

    async def first(self, sql: str, *params: Param) -> dict[str, Any] | None:
        rows = await self.all(sql, *params)
        return rows[0] if rows else None

    async def run(self, sql: str, *params: Param) -> int:
        """Execute one write; returns the number of changed rows."""
        try:
            result = await self._statement(Query(sql, params)).run()
        except Exception as exc:
            if _is_d1_error(exc):
                raise translate_error(exc) from exc
            raise
        return int(result["meta"]["changes"])

    async def batch(self, queries: Sequence[Query]) -> list[list[dict[str, Any]]]:
        """Run statements as one atomic unit (D1's only transaction); returns each statement's rows."""
        return [_rows(r) for r in await self._batch(queries)]

    async def batch_changes(self, queries: Sequence[Query]) -> list[int]:
        """Like `batch`, returning how many rows each statement changed (what a guarded write needs)."""
        return [int(r["meta"]["changes"]) for r in await self._batch(queries)]

    async def _batch(self, queries: Sequence[Query]) -> list[Any]:
        if not queries:
            return []
        try:
            return list(await self._db.batch([self._statement(q) for q in queries]))
        except Exception as exc:
            if _is_d1_error(exc):
                raise translate_error(exc) from exc
            raise
