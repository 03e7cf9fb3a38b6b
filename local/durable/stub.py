"""The stub side of an RPC call and the helpers the namespace uses to invoke an object like the Python runtime does.

- `DurableObjectStub`: `await stub.method(*args, **kwargs)`, `await stub.fetch(url, **init)`, `stub.id`, `stub.name`.
  Arguments are converted when the method is called (before anything is awaited), like the SDK's `python_to_rpc`;
  keyword arguments become one trailing positional dict, as Pyodide passes kwargs to a JS function.
- `is_rpc_method`: what the runtime exposes — public (no leading `_`) plain functions defined on the class.
- `relaxed_call`: Pyodide's `relaxed_call`, used for `alarm()` and `fetch()`.
- `remote_error`: an exception raised inside the object as the caller sees it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from types import FunctionType
from typing import Any, Protocol

from local.durable.errors import DurableObjectError
from local.durable.ids import DurableObjectId
from local.rpc import rpc_roundtrip

__all__ = ["DurableObjectStub", "is_rpc_method", "relaxed_call", "remote_error"]


class _Target(Protocol):
    class_name: str

    def _call(self, object_id: DurableObjectId, method: str, args: list[Any]) -> Coroutine[Any, Any, Any]: ...

    def _fetch(self, object_id: DurableObjectId, request: Any, init: dict[str, Any]) -> Coroutine[Any, Any, Any]: ...


def is_rpc_method(cls: type, name: str) -> bool:
    if name.startswith("_"):
        return False
    for base in cls.__mro__:
        if name in base.__dict__:
            return isinstance(base.__dict__[name], FunctionType)
    return False


def relaxed_call(fn: Callable[..., Any], *args: Any) -> Any:
    """Call `fn` with as many leading positional args as it accepts (Pyodide's `relaxed_call`)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return fn(*args)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return fn(*args)
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return fn(*args[: sum(1 for p in params if p.kind in positional)])


def remote_error(exc: BaseException) -> DurableObjectError:
    """`DurableObjectError("ValueError: bad input")`, chained to the original for local tracebacks."""
    if isinstance(exc, DurableObjectError):
        err = DurableObjectError(str(exc), remote_type=exc.remote_type)
    else:
        err = DurableObjectError(f"{type(exc).__name__}: {exc}", remote_type=type(exc).__name__)
    err.__cause__ = exc
    return err


class _RpcMethod:
    __slots__ = ("_id", "_name", "_target")

    def __init__(self, target: _Target, object_id: DurableObjectId, name: str) -> None:
        self._target, self._id, self._name = target, object_id, name

    def __call__(self, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, Any]:
        wire_args = rpc_roundtrip([*args, kwargs] if kwargs else list(args))
        return self._target._call(self._id, self._name, wire_args)


class DurableObjectStub:
    """What `ns.get(id)` returns."""

    def __init__(self, target: _Target, object_id: DurableObjectId) -> None:
        self._target = target
        self.id = object_id
        self.name = object_id.name

    def __getattr__(self, name: str) -> _RpcMethod:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _RpcMethod(self._target, self.id, name)

    def fetch(self, request: Any, **init: Any) -> Coroutine[Any, Any, Any]:
        """Call the object's `fetch(request)` with a `workers.Request` (built from a URL + `method`, `headers`,
        `body` keyword arguments); returns its `workers.Response`."""
        return self._target._fetch(self.id, request, init)

    def __repr__(self) -> str:
        return f"DurableObjectStub({self._target.class_name}, {self.id!r})"
