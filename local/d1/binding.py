"""The D1 binding as worker code sees it through Cloudflare's Python SDK, shared by every local backend.

`D1Database.prepare()` / `D1Statement.bind()` are synchronous and validate values like D1's JS client does; the
awaited calls go to a `D1Backend` (stdlib SQLite emulation or real D1 in Miniflare) and come back as plain
dicts/lists with JS number semantics (see `local.d1.values`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from local.d1.values import D1Value, from_js, to_d1_value

D1Result = dict[str, Any]  # {"success": True, "meta": {...}, "results": [row, ...]}


@dataclass
class D1Counts:
    """What the worker sent this database: `round_trips` (awaited calls: a statement, a batch, an exec) and
    `statements` (each statement of a batch counts), as D1 bills and limits them per invocation."""

    round_trips: int = 0
    statements: int = 0

    def add(self, statements: int) -> None:
        self.round_trips += 1
        self.statements += statements


@dataclass(frozen=True)
class Query:
    sql: str
    params: tuple[D1Value, ...] = ()


class D1Backend(Protocol):
    """What executes statements. Each method mirrors the JS method of the same name."""

    async def all(self, query: Query) -> D1Result: ...
    async def first(self, query: Query, column: str | None) -> Any: ...
    async def run(self, query: Query) -> D1Result: ...
    async def raw(self, query: Query, column_names: bool) -> list[list[Any]]: ...
    async def batch(self, queries: Sequence[Query]) -> list[D1Result]: ...
    async def exec(self, sql: str) -> dict[str, Any]: ...
    async def close(self) -> None: ...


class D1Statement:
    def __init__(self, backend: D1Backend, query: Query, counts: D1Counts | None = None) -> None:
        self._backend = backend
        self.query = query
        self._counts = counts if counts is not None else D1Counts()

    def bind(self, *values: object) -> D1Statement:
        """A new statement with these parameters (replacing any bound before), as D1's `bind()` does."""
        return D1Statement(self._backend, Query(self.query.sql, tuple(to_d1_value(v) for v in values)), self._counts)

    async def all(self) -> D1Result:
        self._counts.add(1)
        return from_js(await self._backend.all(self.query))

    async def first(self, column: str | None = None) -> Any:
        self._counts.add(1)
        return from_js(await self._backend.first(self.query, column))

    async def run(self) -> D1Result:
        self._counts.add(1)
        return from_js(await self._backend.run(self.query))

    async def raw(self, options: Mapping[str, Any] | None = None, *, columnNames: bool = False) -> list[list[Any]]:
        """Rows as lists; `columnNames=True` (the JS option, which the SDK passes kwargs as) prepends the names."""
        wanted = bool((options or {}).get("columnNames", columnNames))
        self._counts.add(1)
        return from_js(await self._backend.raw(self.query, wanted))


class D1Database:
    def __init__(self, backend: D1Backend) -> None:
        self._backend = backend
        self.counts = D1Counts()

    def prepare(self, sql: str) -> D1Statement:
        return D1Statement(self._backend, Query(sql), self.counts)

    async def batch(self, statements: list[D1Statement]) -> list[D1Result]:
        if not isinstance(statements, list):
            raise TypeError(f"{type(statements)} cannot be sent over RPC.")
        self.counts.add(len(statements))
        return from_js(await self._backend.batch([s.query for s in statements]))

    async def exec(self, sql: str) -> dict[str, Any]:
        self.counts.add(len(sql.strip().split("\n")))
        return from_js(await self._backend.exec(sql))

    async def close(self) -> None:
        await self._backend.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
