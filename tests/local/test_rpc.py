"""The RPC round trip: what the SDK can send, how values come back, and storage encoding."""

from __future__ import annotations

import math
from collections import OrderedDict
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from local.rpc import MAX_SAFE_INTEGER, decode_value, encode_value, rpc_roundtrip


class Color(StrEnum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


class Custom:
    pass


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 1.5, "", "héllo", b"\x00\xff", [], {}],
)
def test_plain_values_round_trip_unchanged(value: object) -> None:
    out = rpc_roundtrip(value)
    assert out == value
    assert type(out) is type(value)


def test_nested_structures_are_deep_copied() -> None:
    value: dict[str, Any] = {"a": [1, {"b": "c"}], "d": {"e": None}}
    out = rpc_roundtrip(value)
    assert out == value
    assert out is not value
    assert out["a"] is not value["a"]
    assert out["a"][1] is not value["a"][1]


def test_integral_floats_come_back_as_int_like_pyodide() -> None:
    assert rpc_roundtrip(1.0) == 1 and type(rpc_roundtrip(1.0)) is int
    assert type(rpc_roundtrip(-0.0)) is int
    assert type(rpc_roundtrip(1e20)) is float
    assert math.isnan(rpc_roundtrip(math.nan))
    assert rpc_roundtrip(math.inf) == math.inf


def test_subclasses_become_base_types() -> None:
    out = rpc_roundtrip({"c": Color.RED, "l": Level.HIGH, "o": OrderedDict(x=1)})
    assert type(out["c"]) is str and out["c"] == "red"
    assert type(out["l"]) is int and out["l"] == 3
    assert type(out["o"]) is dict


def test_memoryview_comes_back_as_bytes() -> None:
    assert rpc_roundtrip(memoryview(b"abc")) == b"abc"


def test_datetime_same_instant_naive_millisecond_precision() -> None:
    aware = datetime(2026, 1, 5, 9, 0, 0, 123456, tzinfo=UTC)
    out = rpc_roundtrip(aware)
    assert out.tzinfo is None
    assert out.timestamp() == pytest.approx(aware.timestamp() - 0.000456, abs=1e-6)


def test_exception_becomes_error() -> None:
    out = rpc_roundtrip(ValueError("bad"))
    assert type(out) is Exception
    assert str(out) == "Error: bad"


@pytest.mark.parametrize(
    "value",
    [(1, 2), {1, 2}, frozenset(), bytearray(b"x"), Custom(), print, lambda: 1, 2**53, -(2**53), {1: "a"}],
)
def test_rejected_values(value: object) -> None:
    with pytest.raises(TypeError, match="cannot be sent over RPC"):
        rpc_roundtrip(value)


def test_rejection_inside_nested_structure_notes_where() -> None:
    with pytest.raises(TypeError, match="tuple") as info:
        rpc_roundtrip({"a": [1, {"b": (1,)}]})
    assert "at value['a'][1]['b']" in info.value.__notes__


def test_tuple_message_matches_sdk() -> None:
    with pytest.raises(TypeError) as info:
        rpc_roundtrip((1,))
    assert str(info.value) == "<class 'tuple'> cannot be sent over RPC."


async def test_unawaited_coroutine_rejected() -> None:
    async def work() -> int:
        return 1

    coro = work()
    try:
        with pytest.raises(TypeError, match="Awaitable"):
            rpc_roundtrip([coro])
    finally:
        coro.close()


def test_cycles_rejected() -> None:
    looped: list[object] = []
    looped.append(looped)
    with pytest.raises(TypeError, match="cyclic"):
        rpc_roundtrip(looped)


def test_shared_substructure_is_not_a_cycle() -> None:
    shared = {"x": 1}
    assert rpc_roundtrip([shared, shared]) == [{"x": 1}, {"x": 1}]


def test_dicts_that_look_like_tags_survive() -> None:
    values: list[dict[str, object]] = [{"$bytes": "AA=="}, {"$date": 5}, {"$dict": {}}, {"$error": "x"}]
    for value in values:
        assert rpc_roundtrip(value) == value
        assert decode_value(encode_value(value)) == value


def test_storage_encoding_matches_round_trip() -> None:
    value = {"n": 1.0, "b": b"\x01", "when": datetime(2026, 1, 5, tzinfo=UTC), "l": [None, True, "s"]}
    assert decode_value(encode_value(value)) == rpc_roundtrip(value)
    with pytest.raises(TypeError):
        encode_value((1,))
