"""Values crossing the D1 binding, converted the way Pyodide, the Workers SDK and D1's JS client convert them.

Going in, `to_d1_value` is `python_to_rpc` (Pyodide `to_js`) followed by `D1PreparedStatement.bind()`: ints beyond
JS's safe range become BigInt and are rejected, `datetime` becomes a `Date` and is rejected, bytes and lists of
byte values become blobs, NaN/±Infinity become NULL (they travel as JSON `null`).

Coming out, `from_js` is JSON plus Pyodide's number rule: every SQLite value reached worker code as a JS number,
so integral numbers within ±(2**53-1) are `int` (a REAL 3.0 reads back as 3), larger ones are `float`, and blobs
are lists of byte values.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from local.d1.errors import type_error

MAX_SAFE_INTEGER = 2**53 - 1

# A bound parameter after D1's `bind()`: what the D1 backend receives.
D1Value = None | int | float | str | bytes


def to_d1_value(value: object) -> D1Value:
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int):
        if abs(value) >= MAX_SAFE_INTEGER:  # Pyodide 0.28 makes ±(2**53-1) a BigInt too (the Pyodide tier shows it)
            raise type_error("bigint", str(value))
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value
    if isinstance(value, (tuple, bytearray)):
        # workers-runtime-sdk `_raise_on_disabled_type`, before the value ever reaches JS.
        raise TypeError(f"{type(value)} cannot be sent over RPC.")
    if isinstance(value, (bytes, memoryview)):
        return bytes(value)
    if isinstance(value, list):
        if all(_is_byte(item) for item in value):
            return bytes(int(item) for item in value)
        raise type_error("object", _js_string(value))
    raise type_error("object", _js_string(value))


def from_js(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) <= MAX_SAFE_INTEGER else value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return list(bytes(value))
    if isinstance(value, dict):
        return {key: from_js(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [from_js(item) for item in value]
    return value


def _is_byte(item: object) -> bool:
    return isinstance(item, (int, float)) and not isinstance(item, bool) and 0 <= item < 256


def _js_string(value: object) -> str:
    """`String(value)` in JS for what Pyodide would have made of `value`."""
    if value is None:
        return ""  # Array.prototype.join renders null as ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, (set, frozenset)):
        return "[object Set]"
    if isinstance(value, datetime):
        return _js_date_string(value)
    return str(value)


def _js_date_string(value: datetime) -> str:
    """`Date.prototype.toString()` in workerd, whose time zone is UTC (naive datetimes are UTC there too)."""
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return f"{utc:%a %b %d} {utc.year:04d} {utc:%H:%M:%S} GMT+0000 (Coordinated Universal Time)"
