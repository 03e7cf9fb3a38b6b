"""KV, Queues and Durable Object RPC through our adapters in real Pyodide: what crossed into JS, and what came back.

Each assertion names a JS type, so an adapter that handed a binding a dict where a JS object is needed, a tuple, a
Map or a BigInt would fail here (the mocks record `{"t": <JS type>, "v": <value>}` for every argument).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.clock import ManualClock
from local.kv import LocalKV
from shared.adapters.kv import KvCache


def _s(value: str) -> dict[str, Any]:
    return {"t": "string", "v": value}


def _n(value: float) -> dict[str, Any]:
    return {"t": "number", "v": value}


async def test_kv_options_and_ttl(pyodide: Any, tmp_path: Path) -> None:
    result = pyodide.run("bindings", "kv")
    puts = [c["args"] for c in result["calls"] if c["method"] == "put"]
    # TTLs below KV's 60 s minimum are raised to it; options are a plain JS object with a number.
    assert puts[0] == [_s("p:a"), _s('{"x":1,"none":null,"list":[1,"two"]}'),
                       {"t": "Object", "v": {"expirationTtl": _n(60)}}]  # fmt: skip
    assert puts[1] == [_s("p:b"), _s("[1,2]"), {"t": "undefined"}]  # no TTL: no options at all
    assert puts[2][2] == {"t": "Object", "v": {"expirationTtl": _n(3600)}}  # an int, not 3600.7
    assert result["a"] == {"x": 1, "none": None, "list": [1, "two"]}
    assert result["missing"] is None and result["after_delete"] is None
    # The same calls against the local KV give the same values back.
    kv = LocalKV(tmp_path / "kv.sqlite", ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
    try:
        cache = KvCache(kv, prefix="p:")
        await cache.put_json("a", {"x": 1, "none": None, "list": [1, "two"]}, ttl_seconds=30)
        await cache.put_json("b", [1, 2])
        local = {"a": await cache.get_json("a"), "b": await cache.get_json("b"), "missing": await cache.get_json("x")}
        await cache.delete("a")
        local["after_delete"] = await cache.get_json("a")
    finally:
        kv.close()
    assert {k: result[k] for k in local} == local


def test_queue_send_and_send_batch_options(pyodide: Any) -> None:
    result = pyodide.run("bindings", "queues")
    assert result["bindings"] == ["compose", "dlq", "enrich", "events", "inbound", "send"]
    send, plain, batch, metrics = result["calls"]
    assert send["binding"] == "SEND_QUEUE" and send["method"] == "send"
    assert send["args"][0]["t"] == "string"  # the envelope's JSON text
    assert json.loads(send["args"][0]["v"])["payload"] == {"n": 1, "text": "Hôtel ✓"}
    assert send["args"][1] == {"t": "Object", "v": {"contentType": _s("json"), "delaySeconds": _n(30)}}
    assert plain["args"][1] == {"t": "Object", "v": {"contentType": _s("json")}}
    assert batch["method"] == "sendBatch"
    [messages, options] = batch["args"]
    assert options == {"t": "undefined"}
    assert messages["t"] == "Array" and len(messages["v"]) == 3
    for n, message in enumerate(messages["v"]):
        assert message["t"] == "Object"
        assert message["v"]["contentType"] == _s("json")
        assert json.loads(message["v"]["body"]["v"])["id"] == f"m{n}"
    # metrics(): backlogCount and the oldest message's JS Date (90 s ago) as an age in seconds.
    assert metrics["method"] == "metrics"
    queue, backlog, age = result["depth"]
    assert (queue, backlog) == ("inbound", 3)
    assert 89 <= age < 150


def test_durable_object_stub_rpc_arguments_and_results(pyodide: Any) -> None:
    result = pyodide.run("bindings", "durable_object_rpc")
    assert result["first"] == {"object": "Probe", "trace_id": "trace-1", "calls": 1}
    assert result["second"]["calls"] == 2  # same name, same object, its storage kept the count
    assert result["other"]["calls"] == 1
    assert result["first_type"] == "dict"
    assert result["objects"] == ["room-1", "room-2", "room-3"]
    assert [c["args"] for c in result["calls"][:3]] == [[_s("trace-1")], [_s("trace-2")], [_s("trace-3")]]
    [echo] = [c for c in result["calls"] if c["method"] == "echo"]
    [payload] = echo["args"]
    # None crosses as null (not undefined, not "jsnull"), an int beyond 2**53 as a BigInt, nested dicts as objects.
    assert payload["v"]["none"] == {"t": "null"}
    assert payload["v"]["n"] == {"t": "bigint", "v": str(2**60)}
    assert payload["v"]["list"] == {"t": "Array", "v": [_n(1), {"t": "null"}]}
    assert payload["v"]["nested"] == {"t": "Object", "v": {"a": {"t": "boolean", "v": True}}}
    # ... and arrive in the object as Python values again, exactly (the BigInt too).
    assert result["echoed"]["got"] == {"none": None, "n": 2**60, "f": 0.5, "s": "✓", "list": [1, None],
                                       "nested": {"a": True}}  # fmt: skip
    assert result["echoed"]["types"]["none"] == "NoneType"
