"""Local emulation of Cloudflare Durable Objects (SQLite-backed) for CPython.

    ns = DurableObjectNamespace("WarmupManager", WarmupManager, state_dir=Path(".local/do"), clock=SystemClock())
    ns.env = env                                  # the env object that also holds `ns` as env.WARMUP
    value = await ns.getByName("inbox-1").plan_day({"day": "2026-01-05"})
    await ns.run_due_alarms()                     # or run_alarm_loop([...], clock) in the dev server

Modules: `ids` (DurableObjectId), `storage` (ctx.storage KV/alarm/transactions), `sql` (ctx.storage.sql),
`state` (ctx), `alarms` (per-namespace alarm index), `namespace` (binding, input gate, alarm delivery), `stub`
(stubs and invocation helpers), `loop` (alarms across namespaces), `errors`. The RPC value round trip lives in
`local.rpc`.
"""

from local.durable.errors import (
    DurableObjectAbort,
    DurableObjectError,
    RpcMethodNotFound,
    SqlStorageError,
    StorageError,
)
from local.durable.ids import DurableObjectId
from local.durable.loop import next_alarm_time, run_alarm_loop, run_due_alarms
from local.durable.namespace import MAX_ALARM_RETRIES, DurableObjectNamespace
from local.durable.sql import SqlStorage, SqlStorageCursor
from local.durable.state import DurableObjectState
from local.durable.storage import DurableObjectStorage, DurableObjectTransaction
from local.durable.stub import DurableObjectStub

__all__ = [
    "MAX_ALARM_RETRIES",
    "DurableObjectAbort",
    "DurableObjectError",
    "DurableObjectId",
    "DurableObjectNamespace",
    "DurableObjectState",
    "DurableObjectStorage",
    "DurableObjectStub",
    "DurableObjectTransaction",
    "RpcMethodNotFound",
    "SqlStorage",
    "SqlStorageCursor",
    "SqlStorageError",
    "StorageError",
    "next_alarm_time",
    "run_alarm_loop",
    "run_due_alarms",
]
