"""The Python ⇄ JS ⇄ Python round trip that every Durable Object RPC argument, result and stored value takes.

In production a value handed to a binding goes through the SDK's `python_to_rpc` (Pyodide `to_js`), crosses the
isolate as a structured-cloned JS value, and is rebuilt by `python_from_rpc` (Pyodide `to_py`). The emulators call
`rpc_roundtrip` at the same points so code that only works in CPython fails locally too:

- accepted: None, bool, int (|x| ≤ 2**53-1), float, str, bytes / memoryview, list, dict with str keys, datetime,
  Exception. Subclasses (StrEnum, IntEnum, OrderedDict, ...) come back as the plain base type.
- rejected with TypeError ("... cannot be sent over RPC."): tuple and bytearray (the SDK's own checks), awaitables,
  and — stricter than the SDK, which would hand JS a proxy, a Set or a BigInt — set/frozenset, callables, ints beyond
  JS's safe integer range, non-str dict keys, cyclic structures and any other object (pydantic models: `.model_dump()`).
- JS numbers come back through Pyodide's rule "int if Number.isSafeInteger(x) else float": an integral float such as
  `1.0` (or `-0.0`) arrives as the int `1` (`0`).
- datetime: JS Date has millisecond precision and the SDK rebuilds it with `datetime.fromtimestamp(ms / 1000)`, i.e.
  a *naive* datetime in local time (UTC inside Workers) for the same instant. Aware inputs come back naive.
- Exception: becomes a JS Error and comes back as `Exception("Error: <message>")`.
- bytes come back as bytes (production hands over a memoryview of a Uint8Array: call `bytes(x)` before `.decode()`).
- dicts come back as plain dicts (production: `JsDict`, a dict subclass that also allows attribute access).

`encode_value` / `decode_value` store the same wire form as JSON for Durable Object storage; `decode_value(
encode_value(v)) == rpc_roundtrip(v)`.
"""

from __future__ import annotations

import base64
import inspect
import json
import math
from datetime import datetime
from typing import Any

__all__ = [
    "MAX_SAFE_INTEGER",
    "decode_value",
    "encode_value",
    "from_wire",
    "js_number",
    "rpc_roundtrip",
    "to_wire",
]

MAX_SAFE_INTEGER = 2**53 - 1

# Wire tags: a tagged value is a dict with exactly one of these keys. A user dict that happens to look like one is
# wrapped in {"$dict": ...} so the round trip is unambiguous.
_BYTES = "$bytes"
_DATE = "$date"
_ERROR = "$error"
_DICT = "$dict"
_TAGS = frozenset({_BYTES, _DATE, _ERROR, _DICT})


def _reject(value: Any) -> TypeError:
    if inspect.isawaitable(value):
        return TypeError(f"Awaitable {type(value)} cannot be sent over RPC.")
    return TypeError(f"{type(value)} cannot be sent over RPC.")


def to_wire(value: Any) -> Any:
    """Validate `value` and return its JSON-compatible wire form (a fresh structure sharing nothing with `value`)."""
    return _to_wire(value, set(), "value")


def _to_wire(value: Any, active: set[int], where: str) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            err = TypeError(
                f"int {value} cannot be sent over RPC: outside JS's safe integer range (±2**53-1); send it as a str"
            )
            err.add_note(f"at {where}")
            raise err
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        # js.Date.new(ts * 1000): TimeClip truncates toward zero to whole milliseconds.
        return {_DATE: math.trunc(value.timestamp() * 1000)}
    if isinstance(value, Exception):
        message = str(value)
        return {_ERROR: f"Error: {message}" if message else "Error"}
    if isinstance(value, (list, dict)):
        if id(value) in active:
            err = TypeError(f"cyclic {type(value)} cannot be sent over RPC.")
            err.add_note(f"at {where}")
            raise err
        active.add(id(value))
        try:
            if isinstance(value, list):
                return [_to_wire(item, active, f"{where}[{i}]") for i, item in enumerate(value)]
            out: dict[str, Any] = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    err = TypeError(f"dict key {key!r} ({type(key)}) cannot be sent over RPC; keys must be str.")
                    err.add_note(f"at {where}")
                    raise err
                out[str(key)] = _to_wire(item, active, f"{where}[{key!r}]")
            if len(out) == 1 and next(iter(out)) in _TAGS:
                return {_DICT: out}
            return out
        finally:
            active.discard(id(value))
    err = _reject(value)
    err.add_note(f"at {where}")
    raise err


def js_number(value: int | float) -> int | float:
    """What Pyodide hands Python for a JS number: an int when `Number.isSafeInteger(value)`, else a float."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if abs(value) <= MAX_SAFE_INTEGER:
            return value
        value = float(value)  # an int64 from SQLite becomes a double on the way to JS
    if math.isfinite(value) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        return int(value)
    return value


def from_wire(wire: Any) -> Any:
    """Rebuild the Python value the receiving side sees from a wire form produced by `to_wire`."""
    if wire is None or isinstance(wire, (bool, str)):
        return wire
    if isinstance(wire, (int, float)):
        return js_number(wire)
    if isinstance(wire, list):
        return [from_wire(item) for item in wire]
    if isinstance(wire, dict):
        if len(wire) == 1:
            tag, payload = next(iter(wire.items()))
            if tag == _BYTES:
                return base64.b64decode(payload)
            if tag == _DATE:
                return datetime.fromtimestamp(payload / 1000)
            if tag == _ERROR:
                return Exception(payload)
            if tag == _DICT:
                return {key: from_wire(item) for key, item in payload.items()}
        return {key: from_wire(item) for key, item in wire.items()}
    raise TypeError(f"not a wire value: {type(wire)}")


def rpc_roundtrip(value: Any) -> Any:
    """Deep-copy `value` the way an RPC call does, raising TypeError for what the SDK cannot send."""
    return from_wire(to_wire(value))


def encode_value(value: Any) -> bytes:
    """Serialise a value for Durable Object storage (validated like an RPC argument)."""
    return json.dumps(to_wire(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_value(blob: bytes | str) -> Any:
    return from_wire(json.loads(blob))
