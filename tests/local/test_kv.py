"""LocalKV: the SDK's KV surface, Cloudflare's limits, TTLs on a manual clock, paging and persistence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local.clock import ManualClock
from local.kv import KVError, LocalKV


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def kv(tmp_path: Path, clock: ManualClock) -> Iterator[LocalKV]:
    store = LocalKV(tmp_path / "kv.sqlite", clock)
    yield store
    store.close()


async def test_text_json_and_bytes_round_trip(kv: LocalKV) -> None:
    await kv.put("greeting", "héllo")
    await kv.put("config", '{"limit": 5, "tags": ["a"]}')
    await kv.put("blob", b"\x00\xffraw")

    assert await kv.get("greeting") == "héllo"
    assert await kv.get("config", "json") == {"limit": 5, "tags": ["a"]}
    assert await kv.get("config", type="json") == {"limit": 5, "tags": ["a"]}
    assert await kv.get("config", {"type": "json"}) == {"limit": 5, "tags": ["a"]}
    assert await kv.get("blob", "arrayBuffer") == b"\x00\xffraw"
    assert await kv.get("greeting", "arrayBuffer") == "héllo".encode()
    assert await kv.get("missing") is None
    assert await kv.get("missing", "json") is None


async def test_bulk_get_returns_a_dict_with_none_for_missing(kv: LocalKV) -> None:
    await kv.put("a", "1")
    await kv.put("b", "[2]")
    assert await kv.get(["a", "b", "c"]) == {"a": "1", "b": "[2]", "c": None}
    assert await kv.get(["a", "b"], "json") == {"a": 1, "b": [2]}
    with pytest.raises(KVError):
        await kv.get(["a"], "arrayBuffer")


async def test_metadata_round_trip(kv: LocalKV) -> None:
    await kv.put("k", "v", metadata={"owner": "ops", "n": 1})
    await kv.put("plain", "v")
    assert await kv.getWithMetadata("k") == {"value": "v", "metadata": {"owner": "ops", "n": 1}}
    assert await kv.getWithMetadata("plain") == {"value": "v", "metadata": None}
    assert await kv.getWithMetadata("missing") == {"value": None, "metadata": None}
    listed = await kv.list()
    assert listed["keys"] == [{"name": "k", "metadata": {"owner": "ops", "n": 1}}, {"name": "plain"}]


async def test_put_overwrites_and_delete_removes(kv: LocalKV) -> None:
    await kv.put("k", "one", metadata={"v": 1})
    await kv.put("k", "two")
    assert await kv.getWithMetadata("k") == {"value": "two", "metadata": None}
    await kv.delete("k")
    await kv.delete("k")  # deleting a missing key is fine
    assert await kv.get("k") is None


async def test_ttl_expiry_hides_key_from_get_and_list(kv: LocalKV, clock: ManualClock) -> None:
    start = int(clock.now())
    await kv.put("session", "s", expirationTtl=60)
    await kv.put("forever", "f")
    listed = await kv.list()
    assert listed["keys"] == [{"name": "forever"}, {"name": "session", "expiration": start + 60}]

    clock.advance(59)
    assert await kv.get("session") == "s"

    clock.advance(1)
    assert await kv.get("session") is None
    assert await kv.getWithMetadata("session") == {"value": None, "metadata": None}
    assert [k["name"] for k in (await kv.list())["keys"]] == ["forever"]


async def test_absolute_expiration(kv: LocalKV, clock: ManualClock) -> None:
    at = int(clock.now()) + 3600
    await kv.put("k", "v", expiration=at)
    assert (await kv.list())["keys"] == [{"name": "k", "expiration": at}]
    clock.advance(3599)
    assert await kv.get("k") == "v"
    clock.advance(1)
    assert await kv.get("k") is None


@pytest.mark.parametrize(("ttl", "seconds_ahead"), [(30, None), (0, None), (None, 30), (None, -10)])
async def test_expiration_closer_than_60_seconds_is_rejected(
    kv: LocalKV, clock: ManualClock, ttl: int | None, seconds_ahead: int | None
) -> None:
    expiration = None if seconds_ahead is None else clock.now() + seconds_ahead
    with pytest.raises(KVError, match="KV PUT failed: 400 Invalid expiration"):
        await kv.put("k", "v", expirationTtl=ttl, expiration=expiration)
    assert await kv.get("k") is None


async def test_ttl_error_message_mirrors_cloudflare(kv: LocalKV) -> None:
    with pytest.raises(KVError) as info:
        await kv.put("k", "v", expirationTtl=30)
    assert str(info.value) == (
        "KV PUT failed: 400 Invalid expiration_ttl of 30. Please specify integer greater than 60."
    )


@pytest.mark.parametrize("key", ["", ".", "..", "k" * 513, "é" * 257])
async def test_invalid_keys_are_rejected(kv: LocalKV, key: str) -> None:
    with pytest.raises(KVError):
        await kv.put(key, "v")
    with pytest.raises(KVError):
        await kv.get(key)


async def test_key_of_exactly_512_bytes_is_allowed(kv: LocalKV) -> None:
    await kv.put("k" * 512, "v")
    assert await kv.get("k" * 512) == "v"


async def test_size_limits(kv: LocalKV) -> None:
    with pytest.raises(KVError, match="413 Value length"):
        await kv.put("big", b"x" * (25 * 1024 * 1024 + 1))
    with pytest.raises(KVError, match="413 Metadata length"):
        await kv.put("meta", "v", metadata={"pad": "x" * 1100})
    with pytest.raises(TypeError):
        await kv.put("obj", {"not": "a string"})  # type: ignore[arg-type]


async def test_list_pages_through_2500_keys_in_bytewise_order(kv: LocalKV) -> None:
    names = [f"user:{i:05d}" for i in range(2500)]
    for name in reversed(names):
        await kv.put(name, "x")
    await kv.put("other:1", "x")

    seen: list[str] = []
    pages = 0
    cursor = None
    while True:
        page = await kv.list(prefix="user:", cursor=cursor)
        pages += 1
        seen += [k["name"] for k in page["keys"]]
        if page["list_complete"]:
            assert "cursor" not in page
            break
        cursor = page["cursor"]
    assert pages == 3
    assert seen == names


async def test_list_limit_and_cursor(kv: LocalKV) -> None:
    for name in ["b", "a", "c", "ab", "B", "é"]:
        await kv.put(name, "x")
    first = await kv.list(limit=2)
    assert [k["name"] for k in first["keys"]] == ["B", "a"]  # bytewise: uppercase before lowercase
    assert first["list_complete"] is False
    rest = await kv.list(cursor=first["cursor"])
    assert [k["name"] for k in rest["keys"]] == ["ab", "b", "c", "é"]
    assert rest["list_complete"] is True
    assert (await kv.list(prefix="a"))["keys"] == [{"name": "a"}, {"name": "ab"}]
    assert (await kv.list(prefix="zzz"))["keys"] == []
    with pytest.raises(KVError):
        await kv.list(limit=1001)
    with pytest.raises(KVError):
        await kv.list(limit=0)


async def test_state_survives_reopen(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "state" / "kv.sqlite"
    first = LocalKV(path, clock)
    await first.put("kept", "yes", metadata={"m": 1})
    await first.put("short", "lived", expirationTtl=120)
    first.close()

    clock.advance(120)
    second = LocalKV(path, clock)
    assert await second.getWithMetadata("kept") == {"value": "yes", "metadata": {"m": 1}}
    assert await second.get("short") is None
    second.close()
