"""D1 in real Pyodide holds to what the local D1 does: the same bind outcomes, rows, changes and error classes.

The cases (cases/d1.py) run our `D1Client` over the real SDK and workerd's `bind()`; here the same values go through
the local binding (local/d1/binding.py, with a scripted backend), and every outcome must be equal.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import pytest

from local.d1.binding import D1Database, D1Result, Query
from local.d1.errors import D1Error
from shared.adapters.d1.client import D1Client
from shared.adapters.d1.client import Query as ClientQuery
from tests.pyodide.cases.d1 import BIND_VALUES, ERRORS, RESULT_JSON


class ScriptedBackend:
    """A local D1 backend that answers from a script and records what `bind()` handed it."""

    def __init__(self) -> None:
        self.replies: list[Any] = []
        self.queries: list[Query] = []

    def _next(self, query: Query) -> D1Result:
        self.queries.append(query)
        reply = self.replies.pop(0) if self.replies else {"results": [], "meta": {"changes": 0}}
        if isinstance(reply, str):
            raise D1Error(reply)
        return {"success": True, "results": reply["results"], "meta": reply.get("meta", {})}

    async def all(self, query: Query) -> D1Result:
        return self._next(query)

    async def run(self, query: Query) -> D1Result:
        return self._next(query)

    async def first(self, query: Query, column: str | None) -> Any:
        rows = self._next(query)["results"]
        return rows[0] if rows else None

    async def raw(self, query: Query, column_names: bool) -> list[list[Any]]:
        raise NotImplementedError

    async def batch(self, queries: Sequence[Query]) -> list[D1Result]:
        return [self._next(q) for q in queries]

    async def exec(self, sql: str) -> dict[str, Any]:
        raise NotImplementedError

    async def close(self) -> None:
        return None


def _from_js_description(desc: dict[str, Any]) -> Any:
    """What D1 receives for one bound value, from the JS description the mock recorded."""
    kind, value = desc["t"], desc.get("v")
    if kind == "null":
        return None
    if kind == "number":
        # NaN/Infinity pass bind() as numbers and reach D1 as JSON null.
        return None if isinstance(value, str) else value
    if kind == "string":
        return value
    if kind == "Array" and all(d["t"] == "number" for d in value):
        return bytes(d["v"] for d in value)  # a blob
    raise AssertionError(f"bind() passed on a {kind}: {desc}")


def _outcome(exc: BaseException) -> dict[str, Any]:
    return {"error": type(exc).__name__, "message": str(exc)}


async def _local_bind(value: Any) -> dict[str, Any]:
    backend = ScriptedBackend()
    client = D1Client(D1Database(backend))
    try:
        await client.all("SELECT ?", value)
    except Exception as exc:
        return _outcome(exc)
    [query] = backend.queries
    return {"bound": list(query.params)}


@pytest.fixture(scope="module")
def bound(pyodide: Any) -> dict[str, Any]:
    return pyodide.run("d1", "bind_values")


@pytest.mark.parametrize("name,value", BIND_VALUES, ids=[n for n, _ in BIND_VALUES])
async def test_a_bound_value_reaches_d1_as_locally(bound: dict[str, Any], name: str, value: Any) -> None:
    production = bound[name]
    local = await _local_bind(value)
    if "bound" in production:
        [desc] = production["bound"]
        assert local == {"bound": [_from_js_description(desc)]}
        assert type(local["bound"][0]) is type(_from_js_description(desc))
    else:
        assert local == {"error": production["error"], "message": production["message"]}


def test_bind_conversions_that_matter(bound: dict[str, Any]) -> None:
    """Pinned separately so a change in the SDK or Pyodide cannot pass by changing both sides at once."""
    assert bound["none"]["bound"] == [{"t": "null"}]  # None is JS null (jsnull), not undefined
    assert bound["true"]["bound"] == [{"t": "number", "v": 1}]
    assert bound["largest_number_int"]["bound"] == [{"t": "number", "v": 2**53 - 2}]
    # Pyodide 0.28 turns |x| >= 2**53 - 1 (Number.MAX_SAFE_INTEGER itself included) into a BigInt, which bind() refuses.
    assert bound["max_safe_int"]["message"] == "D1_TYPE_ERROR: Type 'bigint' not supported for value '9007199254740991'"
    assert bound["min_safe_int"]["message"].startswith("D1_TYPE_ERROR: Type 'bigint'")
    assert bound["int_beyond_2_53"]["message"].startswith("D1_TYPE_ERROR: Type 'bigint' not supported")
    assert bound["int_beyond_2_53"]["error"] == "DatabaseError"
    assert bound["int_beyond_2_53"]["cause"] == "JsException"
    assert bound["bytes"]["bound"] == [{"t": "Array", "v": [{"t": "number", "v": b} for b in (0, 127, 255)]}]
    assert bound["tuple"] == {"error": "TypeError", "message": "<class 'tuple'> cannot be sent over RPC.",
                              "cause": "NoneType"}  # fmt: skip
    assert bound["datetime"]["message"].startswith("D1_TYPE_ERROR: Type 'object' not supported for value 'Fri Jan 02")
    assert bound["dict"]["message"] == "D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'"


async def test_rows_changes_and_batches_as_locally(pyodide: Any) -> None:
    production = pyodide.run("d1", "results_and_meta")
    backend = ScriptedBackend()
    client = D1Client(D1Database(backend))
    reply = json.loads(RESULT_JSON)
    backend.replies = [reply, reply, {"results": []}, reply, reply, {"results": [], "meta": {"changes": 0}},
                       {"results": [], "meta": {"changes": 1}}, {"results": [], "meta": {"changes": 0}}]  # fmt: skip
    local = {
        "all": await client.all("SELECT * FROM t WHERE a = ? AND b = ?", "x", 1),
        "first": await client.first("SELECT * FROM t"),
        "first_missing": await client.first("SELECT * FROM t"),
        "run": await client.run("UPDATE t SET a = ?", "y"),
        "batch": await client.batch([ClientQuery("INSERT INTO t VALUES (?)", (1,)), ClientQuery("SELECT 1")]),
        "batch_changes": await client.batch_changes(
            [ClientQuery("DELETE FROM t WHERE a = ?", ("x",)), ClientQuery("SELECT 1")]
        ),
        "empty_batch": await client.batch([]),
    }
    for key, value in local.items():
        assert production[key] == value, key
    assert production["run"] == 2
    assert production["batch_changes"] == [1, 0]
    # JS numbers: integral ones are int (a REAL 3.0 reads back as 3), 2**53+1 lost precision and is a float.
    assert production["types"] == {"id": "int", "name": "str", "score": "int", "ratio": "float", "gone": "NoneType",
                                   "blob": "list", "second_id": "float", "row": "dict"}  # fmt: skip
    assert math.isclose(production["all"][1]["id"], 2**53)
    # batch() got one JS Array of the prepared statements themselves (not a tuple, not proxies).
    [call] = production["batch_call"]
    assert call["args"] == [{"t": "Array", "v": [{"t": "D1PreparedStatement"}, {"t": "D1PreparedStatement"}]}]


async def test_d1_errors_are_classified_as_locally(pyodide: Any) -> None:
    production = pyodide.run("d1", "errors")
    for message, expected in ERRORS:
        got = production[message]
        assert got["error"] == expected, message
        assert got["cause"] == "JsException"
        assert got["str_of_js_error"] == f"Error: {message}"  # how Pyodide stringifies a JS Error
        assert got["message"] == message  # our error carries D1's message, without the JS "Error: " prefix
        backend = ScriptedBackend()
        backend.replies = [message]
        with pytest.raises(Exception) as raised:
            await D1Client(D1Database(backend)).run("UPDATE t SET a = 1")
        assert _outcome(raised.value) == {"error": got["error"], "message": got["message"]}
