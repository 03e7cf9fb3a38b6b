"""KV, Queues producers and Durable Object stubs through our adapters, the real SDK and the JS mocks."""

from __future__ import annotations

import json
from typing import Any


class TextEnvelope:
    """The one thing the queue adapter asks of an envelope: `encode()` to JSON text."""

    def __init__(self, n: int) -> None:
        self.n = n

    def encode(self) -> str:
        return json.dumps({"id": f"m{self.n}", "type": "test", "payload": {"n": self.n, "text": "Hôtel ✓"}})


async def kv() -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import calls
    from workers import _EnvWrapper

    from shared.adapters.kv import KvCache

    cache = KvCache(_EnvWrapper(jengu_mocks.makeEnv()).KV, prefix="p:")
    await cache.put_json("a", {"x": 1, "none": None, "list": [1, "two"]}, ttl_seconds=30)
    await cache.put_json("b", [1, 2])
    await cache.put_json("c", "text", ttl_seconds=3600.7)
    return {
        "a": await cache.get_json("a"),
        "b": await cache.get_json("b"),
        "missing": await cache.get_json("missing"),
        "deleted": await cache.delete("a"),
        "after_delete": await cache.get_json("a"),
        "calls": calls(),
    }


async def queues() -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import calls
    from workers import _EnvWrapper

    from shared.adapters.queues import CfQueuePublisher
    from shared.messages.queues import QueueName

    publisher = CfQueuePublisher.from_env(_EnvWrapper(jengu_mocks.makeEnv()))
    await publisher.publish(QueueName.SEND, TextEnvelope(1), delay_seconds=30)  # type: ignore[arg-type]
    await publisher.publish(QueueName.ENRICH, TextEnvelope(2))  # type: ignore[arg-type]
    await publisher.publish_many(QueueName.EVENTS, [TextEnvelope(n) for n in range(3)])  # type: ignore[misc]
    depth = await publisher.depth(QueueName.INBOUND)
    return {
        "bindings": sorted(q.value for q in publisher._bindings),
        "depth": [depth.queue, depth.backlog, depth.oldest_age_seconds],
        "calls": calls(),
    }


async def durable_object_rpc() -> dict[str, Any]:
    """`DurableObjectClient.ping` to a DO whose `ping` is `durable_objects.probe.ping` over real `ctx.storage`."""
    import jengu_mocks
    from runtime.workerd import calls, durable_objects
    from workers import DurableObject, _EnvWrapper

    from durable_objects import probe
    from shared.adapters.durable import DurableObjectClient

    class Probe(DurableObject):
        async def ping(self, trace_id: str) -> Any:
            return await probe.ping(self.ctx.storage, "Probe", trace_id)

        async def echo(self, payload: Any) -> Any:
            return {"got": payload, "types": {k: type(v).__name__ for k, v in payload.items()}}

    js_env = jengu_mocks.makeEnv()
    namespace, instances = durable_objects(Probe, js_env)
    js_env.DO = namespace
    client = DurableObjectClient(_EnvWrapper(js_env))
    first = await client.ping("DO", "room-1", "trace-1")
    second = await client.ping("DO", "room-1", "trace-2")
    other = await client.ping("DO", "room-2", "trace-3")
    stub = client._stub("DO", "room-3")
    echoed = await stub.echo({"none": None, "n": 2**60, "f": 0.5, "s": "✓", "list": [1, None], "nested": {"a": True}})
    return {
        "first": first,
        "second": second,
        "other": other,
        "first_type": type(first).__name__,
        "echoed": echoed,
        "echoed_type": type(echoed).__name__,
        "objects": sorted(instances),
        "calls": [c for c in calls() if c["binding"] == "stub"],
    }
