"""D1 through our `D1Client`, the real SDK and workerd's `D1PreparedStatement.bind()`: values in, rows out, errors.

`BIND_VALUES`, `RESULT_JSON` and `ERRORS` are shared with the CPython side (tests/pyodide/test_d1.py), which holds
the local D1's conversions (local/d1/values.py) to the same outcomes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

BIND_VALUES: list[tuple[str, Any]] = [
    ("none", None),
    ("true", True),
    ("false", False),
    ("zero", 0),
    ("largest_number_int", 2**53 - 2),
    ("max_safe_int", 2**53 - 1),
    ("min_safe_int", -(2**53 - 1)),
    ("int_beyond_2_53", 2**53),
    ("int_64", 2**63 - 1),
    ("float", 1.5),
    ("negative_float", -0.25),
    ("nan", float("nan")),
    ("bytes", b"\x00\x7f\xff"),
    ("empty_bytes", b""),
    ("str", "Hôtel ✓ 🏨"),
    ("empty_str", ""),
    ("byte_list", [0, 1, 255]),
    ("tuple", (1, 2)),
    ("bytearray", bytearray(b"ab")),
    ("datetime", datetime(2026, 1, 2, 3, 4, 5)),
    ("dict", {"a": 1}),
]

# What D1 answers on the wire (JSON): integral REALs, NULLs, blobs as byte lists, an int beyond 2**53.
RESULT_JSON = json.dumps(
    {
        "results": [
            {"id": 1, "name": "Hôtel", "score": 3.0, "ratio": 0.5, "gone": None, "blob": [1, 2, 255]},
            {"id": 9007199254740993, "name": "", "score": -1, "ratio": 1e100, "gone": None, "blob": []},
        ],
        "meta": {"changes": 2, "last_row_id": 7, "rows_read": 2, "rows_written": 2},
    }
)

# Messages D1 puts on its JS errors (workerd d1-api.ts: `new Error(\`D1_ERROR: ${message}\`)`), and our class for each.
ERRORS: list[tuple[str, str]] = [
    ("D1_ERROR: UNIQUE constraint failed: prospects.email_key: SQLITE_CONSTRAINT", "ConstraintViolation"),
    ("D1_ERROR: Network connection lost.", "DatabaseUnavailable"),
    ("D1_ERROR: D1 DB is overloaded. Too many requests queued.", "DatabaseUnavailable"),
    ('D1_ERROR: near "SELEC": syntax error at offset 0: SQLITE_ERROR', "DatabaseError"),
    ("D1_TYPE_ERROR: Type 'bigint' not supported for value '9007199254740992'", "DatabaseError"),
]


def _outcome(exc: BaseException) -> dict[str, Any]:
    return {"error": type(exc).__name__, "message": str(exc), "cause": type(exc.__cause__).__name__}


async def bind_values() -> dict[str, Any]:
    """Each value bound through `D1Client.all("SELECT ?", value)`: what `bind()` passed on, or the error raised."""
    import jengu_mocks
    from runtime.workerd import calls
    from workers import _EnvWrapper

    from shared.adapters.d1.client import D1Client

    client = D1Client(_EnvWrapper(jengu_mocks.makeEnv()).DB)
    out: dict[str, Any] = {}
    for name, value in BIND_VALUES:
        jengu_mocks.reset()
        try:
            await client.all("SELECT ?", value)
        except Exception as exc:
            out[name] = _outcome(exc)
            continue
        [query] = [c for c in calls() if c["method"] == "query"]
        out[name] = {"bound": query["args"]}
    return out


async def results_and_meta() -> dict[str, Any]:
    """Rows from `all`/`first`, changes from `run`, and `batch`/`batch_changes` of two statements."""
    import jengu_mocks
    from runtime.workerd import calls
    from workers import _EnvWrapper

    from shared.adapters.d1.client import D1Client, Query

    env = _EnvWrapper(jengu_mocks.makeEnv())
    db = env._env.DB
    client = D1Client(env.DB)
    out: dict[str, Any] = {}
    db.queueResult(RESULT_JSON)
    out["all"] = await client.all("SELECT * FROM t WHERE a = ? AND b = ?", "x", 1)
    db.queueResult(RESULT_JSON)
    out["first"] = await client.first("SELECT * FROM t")
    db.queueResult(json.dumps({"results": []}))
    out["first_missing"] = await client.first("SELECT * FROM t")
    db.queueResult(RESULT_JSON)
    out["run"] = await client.run("UPDATE t SET a = ?", "y")
    db.queueResult(RESULT_JSON)
    db.queueResult(json.dumps({"results": [], "meta": {"changes": 0}}))
    jengu_mocks.reset()
    out["batch"] = await client.batch([Query("INSERT INTO t VALUES (?)", (1,)), Query("SELECT 1")])
    out["batch_call"] = [c for c in calls() if c["method"] == "batch"]
    db.queueResult(json.dumps({"results": [], "meta": {"changes": 1}}))
    db.queueResult(json.dumps({"results": [], "meta": {"changes": 0}}))
    out["batch_changes"] = await client.batch_changes([Query("DELETE FROM t WHERE a = ?", ("x",)), Query("SELECT 1")])
    out["empty_batch"] = await client.batch([])
    out["types"] = {k: type(v).__name__ for k, v in out["all"][0].items()} | {
        "second_id": type(out["all"][1]["id"]).__name__,
        "row": type(out["all"][0]).__name__,
    }
    return out


async def errors() -> dict[str, Any]:
    """Each D1 error message as a real JS `Error` through the SDK: the class and message our client raises."""
    import jengu_mocks
    from workers import _EnvWrapper

    from shared.adapters.d1.client import D1Client

    env = _EnvWrapper(jengu_mocks.makeEnv())
    client = D1Client(env.DB)
    out: dict[str, Any] = {}
    for message, _ in ERRORS:
        env._env.DB.queueError(message)
        try:
            await client.run("UPDATE t SET a = 1")
        except Exception as exc:
            out[message] = _outcome(exc) | {"str_of_js_error": str(exc.__cause__)}
        else:
            out[message] = {"error": None}
    return out
