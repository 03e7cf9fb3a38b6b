"""Real D1 for local runs and tests: Miniflare's D1, driven through one long-lived Node process.

`MiniflareBridge` owns `node local/d1/miniflare_bridge.mjs` and speaks its newline-delimited JSON RPC; calls may
overlap (responses are matched by id). One bridge serves any number of databases, so a test session pays for
Node and workerd once. `MiniflareD1` is the binding; without a `bridge` it starts and stops its own.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from local.d1.binding import D1Database, D1Result, Query
from local.d1.errors import D1Error
from local.d1.values import D1Value

REPO_ROOT = Path(__file__).resolve().parents[2]
BRIDGE_SCRIPT = Path(__file__).with_name("miniflare_bridge.mjs")
_LINE_LIMIT = 64 * 1024 * 1024  # one response line can carry a few 2 MB values


def miniflare_available(root: Path = REPO_ROOT) -> bool:
    return shutil.which("node") is not None and (root / "node_modules" / "miniflare" / "package.json").is_file()


class MiniflareBridgeError(RuntimeError):
    """The bridge process could not be started or has gone away."""


class MiniflareBridge:
    def __init__(self, *, root: Path = REPO_ROOT, node: str = "node") -> None:
        self._root = root
        self._node = node
        self._process: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._stderr: deque[str] = deque(maxlen=40)
        self._gone: MiniflareBridgeError | None = None
        self._lock = asyncio.Lock()

    async def call(self, op: str, **fields: Any) -> Any:
        process = await self._started()
        if self._gone is not None:
            raise self._gone
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        assert process.stdin is not None
        process.stdin.write(json.dumps({"id": request_id, "op": op, **fields}).encode() + b"\n")
        try:
            await process.stdin.drain()
        except ConnectionError:
            # The process is gone; the response reader fails every pending call when it sees EOF.
            if not future.done():
                self._pending.pop(request_id, None)
                future.set_exception(self._exited(process))
        return await future

    async def reserve(self, persist_dir: str | Path, database_ids: Sequence[str]) -> None:
        """Declare databases up front (one Miniflare start instead of one reconfiguration each), kept open."""
        await self.call("open", persist=_persist_key(persist_dir), database=database_ids[0], reserve=list(database_ids))

    async def close(self) -> None:
        async with self._lock:
            process, self._process = self._process, None
            self._gone = self._gone or MiniflareBridgeError("the miniflare bridge is closed")
        if process is None:
            return
        if process.returncode is None:
            assert process.stdin is not None
            process.stdin.close()  # the bridge disposes its Miniflare instances and exits
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
                await process.wait()
        await asyncio.gather(*self._tasks)
        self._tasks.clear()

    async def __aenter__(self) -> Self:
        await self._started()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _started(self) -> asyncio.subprocess.Process:
        async with self._lock:
            if self._process is not None:
                return self._process
            if self._gone is not None:
                raise self._gone
            try:
                process = await asyncio.create_subprocess_exec(
                    self._node,
                    str(BRIDGE_SCRIPT),
                    cwd=self._root,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                    limit=_LINE_LIMIT,
                )
            except OSError as error:
                raise MiniflareBridgeError(f"cannot start {self._node} {BRIDGE_SCRIPT}: {error}") from error
            self._process = process
            self._tasks = [
                asyncio.create_task(self._read_responses(process)),
                asyncio.create_task(self._read_stderr(process)),
            ]
            return process

    async def _read_responses(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while line := await process.stdout.readline():
            message = json.loads(line)
            future = self._pending.pop(message.get("id"), None)
            if future is None or future.done():
                continue
            if message.get("ok"):
                future.set_result(message.get("result"))
            else:
                future.set_exception(D1Error(str(message.get("error"))))
        await process.wait()
        self._gone = self._gone or self._exited(process)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(self._gone)
        self._pending.clear()

    async def _read_stderr(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        while line := await process.stderr.readline():
            self._stderr.append(line.decode(errors="replace").rstrip())

    def _exited(self, process: asyncio.subprocess.Process) -> MiniflareBridgeError:
        output = "\n".join(self._stderr)
        return MiniflareBridgeError(f"the miniflare bridge exited (code {process.returncode}):\n{output}")


class MiniflareBackend:
    """One database (id) under one persist directory, reached through a bridge."""

    def __init__(self, bridge: MiniflareBridge, persist_dir: str | Path, database_id: str, *, owns_bridge: bool):
        self._bridge = bridge
        self._persist = _persist_key(persist_dir)
        self._database = database_id
        self._owns_bridge = owns_bridge
        self._state = "new"  # -> "open" -> "closed"
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        async with self._lock:
            if self._state == "closed":
                raise D1Error("D1_ERROR: the database is closed")
            if self._state == "new":
                await self._bridge.call("open", persist=self._persist, database=self._database)
                self._state = "open"

    async def all(self, query: Query) -> D1Result:
        return await self._call("all", sql=query.sql, params=_encode(query.params))

    async def run(self, query: Query) -> D1Result:
        return await self._call("run", sql=query.sql, params=_encode(query.params))

    async def first(self, query: Query, column: str | None) -> Any:
        return await self._call("first", sql=query.sql, params=_encode(query.params), column=column)

    async def raw(self, query: Query, column_names: bool) -> list[list[Any]]:
        return await self._call("raw", sql=query.sql, params=_encode(query.params), columnNames=column_names)

    async def batch(self, queries: Sequence[Query]) -> list[D1Result]:
        statements = [{"sql": q.sql, "params": _encode(q.params)} for q in queries]
        return await self._call("batch", statements=statements)

    async def exec(self, sql: str) -> dict[str, Any]:
        return await self._call("exec", sql=sql)

    async def close(self) -> None:
        async with self._lock:
            state, self._state = self._state, "closed"
        try:
            if state == "open":
                await self._bridge.call("close", persist=self._persist, database=self._database)
        finally:
            if self._owns_bridge and state != "closed":
                await self._bridge.close()

    async def _call(self, op: str, **fields: Any) -> Any:
        await self.open()
        return await self._bridge.call(op, persist=self._persist, database=self._database, **fields)


class MiniflareD1(D1Database):
    """The D1 binding backed by Miniflare's real D1, persisted under `persist_dir` (Miniflare's `d1Persist`).

    With `persist_dir=.wrangler/state/v3/d1` and the `database_id` from wrangler.toml it is the very database
    `wrangler dev` and `wrangler d1 ... --local` use.
    """

    def __init__(
        self, persist_dir: str | Path, database_id: str = "jengu-local", *, bridge: MiniflareBridge | None = None
    ) -> None:
        self.bridge = bridge or MiniflareBridge()
        self.backend = MiniflareBackend(self.bridge, persist_dir, database_id, owns_bridge=bridge is None)
        super().__init__(self.backend)

    async def open(self) -> Self:
        """Start Miniflare now rather than on the first query."""
        await self.backend.open()
        return self

    async def __aenter__(self) -> Self:
        return await self.open()


def _persist_key(persist_dir: str | Path) -> str:
    return str(Path(persist_dir).resolve())


def _encode(params: tuple[D1Value, ...]) -> list[Any]:
    return [{"$bytes": base64.b64encode(p).decode()} if isinstance(p, bytes) else p for p in params]
