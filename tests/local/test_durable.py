"""The local Durable Object emulator: ids, RPC, input gate, storage (KV + SQL), transactions, restart, alarms."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pyodide.ffi import JsException
from workers import DurableObject, Request, Response

from local.clock import ManualClock
from local.durable import (
    DurableObjectAbort,
    DurableObjectError,
    DurableObjectNamespace,
    RpcMethodNotFound,
    SqlStorageError,
    StorageError,
    run_alarm_loop,
)


class Tracker:
    def __init__(self) -> None:
        self.active = 0
        self.max_active = 0
        self.constructed = 0
        self.alarms: list[tuple[str | None, dict[str, Any], float]] = []
        self.fail_alarms = 0  # how many alarm invocations should raise
        self.background: list[str] = []

    def enter(self) -> None:
        self.active += 1
        self.max_active = max(self.max_active, self.active)

    def leave(self) -> None:
        self.active -= 1


class Counter(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self.tracker: Tracker = env.tracker
        self.tracker.constructed += 1
        self.memory: Any = None

    async def increment(self) -> int:
        self.tracker.enter()
        try:
            value = await self.ctx.storage.get("count") or 0
            for _ in range(5):
                await asyncio.sleep(0)
            await self.ctx.storage.put("count", value + 1)
            return value + 1
        finally:
            self.tracker.leave()

    async def count(self) -> int:
        return await self.ctx.storage.get("count") or 0

    async def echo(self, *args: Any) -> list[Any]:
        return list(args)

    def double(self, x: int) -> int:
        return x * 2

    async def whoami(self) -> dict[str, Any]:
        return {"hex": self.ctx.id.toString(), "name": self.ctx.id.name}

    async def remember(self, value: Any) -> None:
        self.memory = value

    async def recall(self) -> Any:
        return self.memory

    async def bad_return(self) -> Any:
        return (1, 2)

    async def fail(self, message: str) -> None:
        raise ValueError(message)

    async def abort(self) -> None:
        self.ctx.abort("reset me")

    async def call_self(self) -> Any:
        return await self.env.COUNTER.get(self.ctx.id).count()

    async def schedule(self, when: Any) -> int | None:
        await self.ctx.storage.setAlarm(when)
        return await self.ctx.storage.getAlarm()

    async def cancel_alarm(self) -> None:
        await self.ctx.storage.deleteAlarm()

    async def background(self, label: str) -> str:
        async def work() -> None:
            await asyncio.sleep(0)
            self.tracker.background.append(label)

        self.ctx.waitUntil(work())
        return label

    async def alarm(self, alarm_info: dict[str, Any]) -> None:
        self.tracker.alarms.append((self.ctx.id.name, alarm_info, self.env.clock.now()))
        if self.tracker.fail_alarms > 0:
            self.tracker.fail_alarms -= 1
            raise RuntimeError("alarm handler failed")

    async def fetch(self, request: Request) -> Response:
        return Response(f"{request.method} {request.url} {await request.text()}")

    def _private(self) -> str:
        return "secret"


class NoAlarm(DurableObject):
    async def schedule(self) -> None:
        await self.ctx.storage.setAlarm(0)


class BareAlarm(DurableObject):
    async def schedule(self, when: int) -> None:
        await self.ctx.storage.setAlarm(when)

    async def alarm(self) -> None:  # no alarm_info parameter: called relaxed
        self.env.tracker.alarms.append((None, {}, self.env.clock.now()))


class Warm(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self.ready = False
        ctx.blockConcurrencyWhile(self._load)  # un-awaited, as in production constructors

    async def _load(self) -> None:
        await asyncio.sleep(0)
        self.ready = True

    async def is_ready(self) -> bool:
        return self.ready

    async def blocked_value(self) -> int:
        async def compute() -> int:
            return 42

        return await self.ctx.blockConcurrencyWhile(compute)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def tracker() -> Tracker:
    return Tracker()


@pytest.fixture
def make_ns(tmp_path: Path, clock: ManualClock, tracker: Tracker) -> Iterator[Callable[..., DurableObjectNamespace]]:
    created: list[DurableObjectNamespace] = []

    def make(cls: type = Counter, class_name: str = "Counter") -> DurableObjectNamespace:
        ns = DurableObjectNamespace(class_name, cls, state_dir=tmp_path / "do", clock=clock)
        ns.env = SimpleNamespace(tracker=tracker, clock=clock, COUNTER=ns)
        created.append(ns)
        return ns

    yield make
    for ns in created:
        ns.close()


@pytest.fixture
def ns(make_ns: Callable[..., DurableObjectNamespace]) -> DurableObjectNamespace:
    return make_ns()


# -- ids -----------------------------------------------------------------------------------------------------------


def test_id_from_name_is_deterministic_and_per_namespace(make_ns: Callable[..., DurableObjectNamespace]) -> None:
    a, b = make_ns(), make_ns(class_name="Other")
    first, again = a.idFromName("inbox-1"), a.idFromName("inbox-1")
    assert re.fullmatch(r"[0-9a-f]{64}", first.toString())
    assert first.toString() == again.toString() and first.equals(again)
    assert first.name == "inbox-1"
    assert first != again  # like a JsProxy: compare with .equals()
    assert not first.equals(a.idFromName("inbox-2"))
    assert b.idFromName("inbox-1").toString() != first.toString()


def test_id_from_string_and_unique_ids(make_ns: Callable[..., DurableObjectNamespace]) -> None:
    a, b = make_ns(), make_ns(class_name="Other")
    oid = a.idFromName("x")
    parsed = a.idFromString(oid.toString())
    assert parsed.equals(oid) and parsed.name is None
    with pytest.raises(TypeError, match="64 hex digits"):
        a.idFromString("abc")
    with pytest.raises(TypeError, match="not valid for this namespace"):
        b.idFromString(oid.toString())
    with pytest.raises(TypeError, match="not valid for this namespace"):
        b.get(oid)
    u1, u2 = a.newUniqueId(), a.newUniqueId()
    assert not u1.equals(u2)
    assert a.idFromString(u1.toString()).equals(u1)


# -- RPC --------------------------------------------------------------------------------------------------------------


async def test_rpc_call_returns_result(ns: DurableObjectNamespace) -> None:
    stub = ns.getByName("a")
    assert stub.name == "a" and stub.id.equals(ns.idFromName("a"))
    assert await stub.increment() == 1
    assert await stub.increment() == 2
    assert await ns.get(ns.idFromName("a")).count() == 2
    assert await stub.double(21) == 42  # sync methods work too
    assert await stub.whoami() == {"hex": stub.id.toString(), "name": "a"}


async def test_kwargs_arrive_as_trailing_dict(ns: DurableObjectNamespace) -> None:
    assert await ns.getByName("a").echo(1, "x", flag=True) == [1, "x", {"flag": True}]


async def test_arguments_rejected_on_the_way_in(ns: DurableObjectNamespace) -> None:
    stub = ns.getByName("a")
    for bad in [(1, 2), {1, 2}, object(), {"nested": (1,)}]:
        with pytest.raises(TypeError, match="cannot be sent over RPC"):
            await stub.echo(bad)
    with pytest.raises(TypeError, match="cannot be sent over RPC"):
        _ = stub.echo(x={3})  # raised at call time, before awaiting, like python_to_rpc


async def test_results_rejected_on_the_way_out(ns: DurableObjectNamespace) -> None:
    with pytest.raises(DurableObjectError, match=r"TypeError: <class 'tuple'> cannot be sent over RPC") as info:
        await ns.getByName("a").bad_return()
    assert info.value.remote_type == "TypeError"


async def test_values_are_copied_both_ways(ns: DurableObjectNamespace) -> None:
    stub = ns.getByName("a")
    sent: dict[str, Any] = {"list": [1, 2], "n": 1.0}
    await stub.remember(sent)
    sent["list"].append(3)
    sent["extra"] = True
    got = await stub.recall()
    assert got == {"list": [1, 2], "n": 1}
    got["list"].append(99)
    assert await stub.recall() == {"list": [1, 2], "n": 1}


async def test_unknown_and_private_methods(ns: DurableObjectNamespace) -> None:
    stub = ns.getByName("a")
    for name in ["nope", "_private", "tracker"]:
        with pytest.raises(RpcMethodNotFound) as info:
            await getattr(stub, name)()
        assert str(info.value) == f'TypeError: The RPC receiver does not implement the method "{name}".'
        assert isinstance(info.value, TypeError)


async def test_errors_reach_the_caller(ns: DurableObjectNamespace) -> None:
    with pytest.raises(DurableObjectError) as info:
        await ns.getByName("a").fail("bad input")
    assert str(info.value) == "ValueError: bad input"
    assert info.value.remote_type == "ValueError"
    assert isinstance(info.value, JsException)
    assert await ns.getByName("a").increment() == 1  # the object still works


async def test_abort_propagates_and_resets(ns: DurableObjectNamespace, tracker: Tracker) -> None:
    stub = ns.getByName("a")
    await stub.increment()
    with pytest.raises(DurableObjectAbort, match="reset me"):
        await stub.abort()
    assert ns.peek(stub.id) is None
    assert await stub.count() == 1
    assert tracker.constructed == 2


async def test_stub_fetch(ns: DurableObjectNamespace) -> None:
    response = await ns.getByName("a").fetch("https://do/ping", method="POST", body="hi")
    assert await response.text() == "POST https://do/ping hi"


# -- input gate ----------------------------------------------------------------------------------------------------


async def test_calls_to_one_id_never_interleave(ns: DurableObjectNamespace, tracker: Tracker) -> None:
    stub = ns.getByName("hot")
    results = await asyncio.gather(*(stub.increment() for _ in range(100)))
    assert sorted(results) == list(range(1, 101))
    assert await stub.count() == 100
    assert tracker.max_active == 1


async def test_calls_to_different_ids_interleave(ns: DurableObjectNamespace, tracker: Tracker) -> None:
    await asyncio.gather(*(ns.getByName(f"id-{i}").increment() for i in range(5)))
    assert tracker.max_active > 1


async def test_reentrant_call_raises_instead_of_deadlocking(ns: DurableObjectNamespace) -> None:
    with pytest.raises(DurableObjectError, match="RuntimeError: re-entrant call"):
        await ns.getByName("a").call_self()


async def test_block_concurrency_while(make_ns: Callable[..., DurableObjectNamespace]) -> None:
    ns = make_ns(Warm, "Warm")
    stub = ns.getByName("w")
    assert await stub.is_ready() is True
    assert await stub.blocked_value() == 42


async def test_wait_until_finishes_after_the_call(ns: DurableObjectNamespace, tracker: Tracker) -> None:
    assert await ns.getByName("a").background("job") == "job"
    assert tracker.background == ["job"]


async def test_env_is_read_lazily(tmp_path: Path, clock: ManualClock, tracker: Tracker) -> None:
    ns = DurableObjectNamespace("Counter", Counter, state_dir=tmp_path, clock=clock)
    try:
        stub = ns.getByName("a")  # stubs before env is wired are fine
        ns.env = SimpleNamespace(tracker=tracker, clock=clock, COUNTER=ns)
        assert await stub.increment() == 1
    finally:
        ns.close()


# -- KV storage -------------------------------------------------------------------------------------------------------


async def storage_of(ns: DurableObjectNamespace, name: str = "s") -> Any:
    stub = ns.getByName(name)
    await stub.count()  # instantiate
    return ns.peek(stub.id).ctx.storage


async def test_kv_get_put_delete(ns: DurableObjectNamespace) -> None:
    storage = await storage_of(ns)
    assert await storage.get("missing") is None
    await storage.put("a", {"x": [1, 2.0], "b": b"\x01"})
    assert await storage.get("a") == {"x": [1, 2], "b": b"\x01"}
    await storage.put({"b": 2, "c": 3})
    assert await storage.get(["c", "a", "zz", "b"]) == {"a": {"x": [1, 2], "b": b"\x01"}, "b": 2, "c": 3}
    assert await storage.delete("b") is True
    assert await storage.delete("b") is False
    assert await storage.delete(["a", "c", "nope"]) == 2
    assert await storage.list() == {}
    with pytest.raises(TypeError, match="cannot be sent over RPC"):
        await storage.put("t", (1, 2))
    with pytest.raises(StorageError, match="2048"):
        await storage.put("k" * 2049, 1)


async def test_kv_values_are_copies(ns: DurableObjectNamespace) -> None:
    storage = await storage_of(ns)
    value = {"l": [1]}
    await storage.put("k", value)
    value["l"].append(2)
    got = await storage.get("k")
    got["l"].append(3)
    assert await storage.get("k") == {"l": [1]}


async def test_kv_list_options(ns: DurableObjectNamespace) -> None:
    storage = await storage_of(ns)
    await storage.put({"b:2": 2, "a:1": 1, "b:1": 1, "c": 0, "b:3": 3})
    assert list(await storage.list()) == ["a:1", "b:1", "b:2", "b:3", "c"]
    assert await storage.list(prefix="b:") == {"b:1": 1, "b:2": 2, "b:3": 3}
    assert list(await storage.list(prefix="b:", reverse=True, limit=2)) == ["b:3", "b:2"]
    assert list(await storage.list({"prefix": "b:", "limit": 1})) == ["b:1"]
    assert list(await storage.list(start="b:2", end="c")) == ["b:2", "b:3"]
    assert list(await storage.list(startAfter="b:2")) == ["b:3", "c"]
    await storage.deleteAll()
    assert await storage.list() == {}


# -- SQL ------------------------------------------------------------------------------------------------------------


async def test_sql_exec(ns: DurableObjectNamespace) -> None:
    sql = (await storage_of(ns)).sql
    sql.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL); CREATE INDEX t_name ON t (name)")
    cur = sql.exec("INSERT INTO t (name, score) VALUES (?, ?), (?, ?)", "a", 1.5, "b", 2)
    assert cur.rowsWritten == 2
    assert sql.exec("SELECT id, name, score FROM t ORDER BY id").toArray() == [
        {"id": 1, "name": "a", "score": 1.5},
        {"id": 2, "name": "b", "score": 2},
    ]
    cur = sql.exec("SELECT name FROM t WHERE id = ?", 2)
    assert cur.columnNames == ["name"]
    assert cur.one() == {"name": "b"}
    assert list(sql.exec("SELECT id, name FROM t ORDER BY id").raw()) == [[1, "a"], [2, "b"]]
    assert [row["name"] for row in sql.exec("SELECT name FROM t ORDER BY name DESC")] == ["b", "a"]
    assert sql.exec("SELECT typeof(?) AS t", 5).one() == {"t": "real"}  # JS numbers bind as doubles
    assert sql.databaseSize > 0
    with pytest.raises(SqlStorageError, match="got no results"):
        sql.exec("SELECT * FROM t WHERE id = 99").one()
    with pytest.raises(SqlStorageError, match="got multiple results"):
        sql.exec("SELECT * FROM t").one()
    with pytest.raises(SqlStorageError, match="no such table: nope: SQLITE_ERROR"):
        sql.exec("SELECT * FROM nope")
    with pytest.raises(SqlStorageError, match=r"UNIQUE constraint failed.*SQLITE_CONSTRAINT"):
        sql.exec("INSERT INTO t (id, name) VALUES (1, 'dup')")
    with pytest.raises(SqlStorageError, match="Wrong number of parameter bindings"):
        sql.exec("SELECT ?", 1, 2)
    with pytest.raises(SqlStorageError, match="only the last statement can have parameters"):
        sql.exec("SELECT ?; SELECT 1")
    with pytest.raises(TypeError):
        sql.exec("SELECT ?", True)


async def test_sql_cursor_is_consumed_once(ns: DurableObjectNamespace) -> None:
    sql = (await storage_of(ns)).sql
    cur = sql.exec("SELECT 1 AS a UNION ALL SELECT 2")
    assert cur.next() == {"done": False, "value": {"a": 1}}
    assert cur.toArray() == [{"a": 2}]
    assert cur.toArray() == []


@pytest.mark.parametrize("statement", ["BEGIN", "BEGIN TRANSACTION", "COMMIT", "SAVEPOINT x", "ROLLBACK"])
async def test_sql_transaction_statements_rejected(ns: DurableObjectNamespace, statement: str) -> None:
    sql = (await storage_of(ns)).sql
    with pytest.raises(SqlStorageError, match=r"please use the state\.storage\.transaction\(\)"):
        sql.exec(statement)


async def test_sql_reserved_tables(ns: DurableObjectNamespace) -> None:
    storage = await storage_of(ns)
    await storage.put("k", 1)
    for statement in ["SELECT * FROM _cf_KV", "DELETE FROM _cf_KV", "CREATE TABLE _cf_mine (x)", "DROP TABLE _cf_KV"]:
        with pytest.raises(SqlStorageError, match="SQLITE_AUTH"):
            storage.sql.exec(statement)
    with pytest.raises(SqlStorageError, match="SQLITE_AUTH"):
        storage.sql.exec("PRAGMA journal_mode=DELETE")
    with pytest.raises(SqlStorageError, match="SQLITE_AUTH"):
        storage.sql.exec("PRAGMA table_info('_cf_KV')")
    storage.sql.exec("CREATE TABLE mine (x)")
    assert [r["name"] for r in storage.sql.exec("PRAGMA table_info('mine')")] == ["x"]
    assert await storage.get("k") == 1


# -- transactions --------------------------------------------------------------------------------------------------


async def test_transaction_rolls_back_kv_and_sql(ns: DurableObjectNamespace) -> None:
    storage = await storage_of(ns)
    storage.sql.exec("CREATE TABLE t (x INTEGER)")
    await storage.put("k", "before")

    async def failing(txn: Any) -> None:
        await txn.put("k", "during")
        await txn.put("new", 1)
        storage.sql.exec("INSERT INTO t VALUES (1)")
        assert await txn.get("k") == "during"
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await storage.transaction(failing)
    assert await storage.get("k") == "before"
    assert await storage.get("new") is None
    assert storage.sql.exec("SELECT count(*) AS n FROM t").one() == {"n": 0}

    async def committing(txn: Any) -> str:
        await txn.put("k", "after")
        storage.sql.exec("INSERT INTO t VALUES (2)")
        return "done"

    assert await storage.transaction(committing) == "done"
    assert await storage.get("k") == "after"
    assert storage.sql.exec("SELECT x FROM t").toArray() == [{"x": 2}]


async def test_transaction_explicit_rollback_and_sync(ns: DurableObjectNamespace) -> None:
    storage = await storage_of(ns)

    async def rolled(txn: Any) -> int:
        await txn.put("k", 1)
        txn.rollback()
        return 7

    assert await storage.transaction(rolled) == 7
    assert await storage.get("k") is None

    storage.sql.exec("CREATE TABLE t (x INTEGER)")

    def sync_fail() -> None:
        storage.sql.exec("INSERT INTO t VALUES (1)")
        raise RuntimeError("nope")

    with pytest.raises(RuntimeError):
        storage.transactionSync(sync_fail)
    assert storage.sql.exec("SELECT count(*) AS n FROM t").one() == {"n": 0}
    assert storage.transactionSync(lambda: storage.sql.exec("INSERT INTO t VALUES (5)").rowsWritten) == 1


# -- restart / eviction --------------------------------------------------------------------------------------------


async def test_state_survives_restart(make_ns: Callable[..., DurableObjectNamespace], tracker: Tracker) -> None:
    first = make_ns()
    await first.getByName("a").increment()
    (await storage_of(first, "a")).sql.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('kept')")
    first.close()

    second = make_ns()
    assert await second.getByName("a").count() == 1
    assert (await storage_of(second, "a")).sql.exec("SELECT x FROM t").one() == {"x": "kept"}
    assert tracker.constructed == 2


async def test_evict_recreates_instance(ns: DurableObjectNamespace, tracker: Tracker) -> None:
    stub = ns.getByName("a")
    await stub.increment()
    old = ns.peek(stub.id)
    ns.evict(stub.id)
    assert ns.peek(stub.id) is None
    assert await stub.increment() == 2
    assert ns.peek(stub.id) is not old
    with pytest.raises(StorageError, match="evicted"):
        await old.ctx.storage.get("count")
    ns.evict_all()
    assert tracker.constructed == 2


# -- alarms --------------------------------------------------------------------------------------------------------


async def test_alarm_fires_once_when_due(ns: DurableObjectNamespace, clock: ManualClock, tracker: Tracker) -> None:
    when = datetime.fromtimestamp(clock.now() + 60, tz=UTC)
    stub = ns.getByName("a")
    assert await stub.schedule(when) == int((clock.now() + 60) * 1000)
    assert ns.next_alarm_time() == clock.now() + 60
    assert await ns.run_due_alarms() == 0
    clock.advance(59)
    assert await ns.run_due_alarms() == 0
    clock.advance(1)
    assert await ns.run_due_alarms() == 1
    assert tracker.alarms == [("a", {"retryCount": 0, "isRetry": False}, clock.now())]
    assert await ns.run_due_alarms() == 0
    assert ns.next_alarm_time() is None
    assert await stub.schedule(0) == 0  # epoch ms in the past: due immediately
    await stub.cancel_alarm()
    assert await ns.run_due_alarms() == 0


async def test_alarm_survives_restart(
    make_ns: Callable[..., DurableObjectNamespace], clock: ManualClock, tracker: Tracker
) -> None:
    first = make_ns()
    await first.getByName("sleeper").schedule((clock.now() + 3600) * 1000)
    first.close()

    second = make_ns()
    clock.advance(3600)
    assert second.next_alarm_time() == clock.now()
    assert await second.run_due_alarms() == 1
    assert tracker.alarms[0][0] == "sleeper"
    assert tracker.constructed == 2


async def test_failing_alarm_retries_with_backoff(
    ns: DurableObjectNamespace, clock: ManualClock, tracker: Tracker
) -> None:
    tracker.fail_alarms = 100
    await ns.getByName("a").schedule(clock.now() * 1000)
    delays = []
    while (nxt := ns.next_alarm_time()) is not None:
        delays.append(round(nxt - clock.now()))
        clock.set(nxt)
        assert await ns.run_due_alarms() == 1
    assert delays == [0, 2, 4, 8, 16, 32, 64]
    assert [info for _, info, _ in tracker.alarms] == [{"retryCount": n, "isRetry": n > 0} for n in range(7)]
    clock.advance(3600)
    assert await ns.run_due_alarms() == 0


async def test_alarm_retry_stops_on_success(ns: DurableObjectNamespace, clock: ManualClock, tracker: Tracker) -> None:
    tracker.fail_alarms = 1
    await ns.getByName("a").schedule(clock.now() * 1000)
    assert await ns.run_due_alarms() == 1
    clock.advance(2)
    assert await ns.run_due_alarms() == 1
    assert ns.next_alarm_time() is None
    assert tracker.alarms[-1][1] == {"retryCount": 1, "isRetry": True}


async def test_alarm_rolled_back_with_transaction(ns: DurableObjectNamespace, clock: ManualClock) -> None:
    storage = await storage_of(ns)

    async def failing(txn: Any) -> None:
        await txn.setAlarm(clock.now() * 1000)
        raise ValueError

    with pytest.raises(ValueError):
        await storage.transaction(failing)
    assert await storage.getAlarm() is None
    assert ns.next_alarm_time() is None


async def test_alarm_handler_without_info_and_missing_handler(
    make_ns: Callable[..., DurableObjectNamespace], clock: ManualClock, tracker: Tracker
) -> None:
    bare = make_ns(BareAlarm, "BareAlarm")
    await bare.getByName("b").schedule(int(clock.now() * 1000))
    assert await bare.run_due_alarms() == 1
    assert len(tracker.alarms) == 1

    none = make_ns(NoAlarm, "NoAlarm")
    with pytest.raises(DurableObjectError, match="must have an alarm\\(\\) handler"):
        await none.getByName("n").schedule()


async def test_alarm_loop_runs_due_alarms(ns: DurableObjectNamespace, clock: ManualClock, tracker: Tracker) -> None:
    await ns.getByName("a").schedule(clock.now() * 1000)
    stop = asyncio.Event()
    loop = asyncio.create_task(run_alarm_loop([ns], clock, idle_interval=0, stop=stop))
    for _ in range(1000):
        if tracker.alarms:
            break
        await asyncio.sleep(0)
    stop.set()
    await asyncio.wait_for(loop, timeout=5)
    assert len(tracker.alarms) == 1


async def test_delete_all_wipes_kv_and_sql_but_keeps_alarm(ns: DurableObjectNamespace, clock: ManualClock) -> None:
    storage = await storage_of(ns)
    storage.sql.exec("CREATE TABLE t (x); CREATE VIEW v AS SELECT x FROM t; INSERT INTO t VALUES (1)")
    await storage.put("k", 1)
    await storage.setAlarm(clock.now() * 1000 + 5000)
    await storage.deleteAll()
    assert await storage.list() == {}
    assert storage.sql.exec("SELECT name FROM sqlite_master WHERE name NOT LIKE '\\_cf%' ESCAPE '\\'").toArray() == []
    assert await storage.getAlarm() == clock.now() * 1000 + 5000


class Broken(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        env.tracker.constructed += 1
        if env.tracker.constructed == 1:
            raise KeyError("first construction fails")

    async def ping(self) -> str:
        return "pong"


async def test_constructor_failure_reaches_caller_and_retries(
    make_ns: Callable[..., DurableObjectNamespace], tracker: Tracker
) -> None:
    ns = make_ns(Broken, "Broken")
    with pytest.raises(DurableObjectError, match="KeyError: 'first construction fails'"):
        await ns.getByName("x").ping()
    assert await ns.getByName("x").ping() == "pong"


async def test_least_recently_used_objects_are_evicted(tmp_path: Path, clock: ManualClock, tracker: Tracker) -> None:
    ns = DurableObjectNamespace("Counter", Counter, state_dir=tmp_path, clock=clock, max_live=2)
    ns.env = SimpleNamespace(tracker=tracker, clock=clock, COUNTER=ns)
    try:
        for name in ["a", "b", "c"]:
            await ns.getByName(name).increment()
        assert ns.peek(ns.idFromName("a")) is None
        assert ns.peek(ns.idFromName("c")) is not None
        assert await ns.getByName("a").increment() == 2  # storage survived the eviction
        assert tracker.constructed == 4
    finally:
        ns.close()
