"""How workerd hands JS objects to a Python entrypoint, for the cases: build `(ctx, env)`, call a handler.

`call` goes through workerd's own `introspection.wrapper_func` (vendored verbatim): arguments pass through the SDK's
`python_from_rpc`, `fetch` is called relaxed, the other handlers with exactly `(event, None, None)` as workerd does
for class-based entrypoints, and the result goes back through `python_to_rpc`.
"""

from __future__ import annotations

import json
from typing import Any

import jengu_mocks
from pyodide.ffi import create_proxy
from runtime.workerd_introspection import wrapper_func


def calls() -> list[dict[str, Any]]:
    """Every call the JS mocks recorded since the case began, with each argument's JS type."""
    return json.loads(jengu_mocks.callsJson())


async def call(instance: Any, handler: str, *js_args: Any) -> Any:
    relaxed = handler == "fetch"
    args = js_args if relaxed else (*js_args, None, None)[: max(len(js_args), 1) + 2]
    return await wrapper_func(relaxed, instance, handler, *args)


def durable_objects(cls: type, env: Any) -> tuple[Any, dict[str, Any]]:
    """A DurableObjectNamespace whose stubs reach instances of `cls` (one per name) through workerd's RPC path."""
    instances: dict[str, Any] = {}

    async def invoke(name: str, method: str, js_args: Any) -> Any:
        if name not in instances:
            instances[name] = cls(jengu_mocks.DurableObjectState.new(name), env)
        return await wrapper_func(False, instances[name], method, *js_args)

    proxy = create_proxy(invoke)
    return jengu_mocks.DurableObjectNamespace.new(proxy), instances
