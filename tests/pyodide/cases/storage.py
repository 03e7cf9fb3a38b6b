"""`ctx.storage` and alarms as the Durable Object logic modules use them, through the SDK's DurableObjectContext.

`storage_scenario` is plain Python over any storage: the CPython side (test_storage.py) runs it on the local
runtime's `DurableObjectStorage` and holds both results equal.
"""

from __future__ import annotations

from typing import Any

ALARM_MS = 1_767_225_600_123


async def storage_scenario(storage: Any) -> dict[str, Any]:
    """The calls durable_objects/*/logic.py make (see durable_objects/storage.py), with their results."""
    out: dict[str, Any] = {}
    await storage.put("probe:calls", 1)
    await storage.put("cfg", {"limit": 5, "none": None, "nested": {"a": [1, 2.5, "x", None]}, "flag": False})
    for day, n in [("day:2026-01-01", 3), ("day:2026-01-02", 0), ("day:2026-01-03", 7), ("other", 1.0)]:
        await storage.put(day, n)
    out["one"] = await storage.get("cfg")
    out["missing"] = await storage.get("nope")
    out["integral_float"] = await storage.get("other")
    many = await storage.get(["day:2026-01-03", "nope", "cfg"])
    out["many"] = sorted(dict(many).items())
    out["list_prefix"] = list(dict(await storage.list({"prefix": "day:"})).items())
    out["list_end_limit"] = list(dict(await storage.list({"prefix": "day:", "end": "day:2026-01-03", "limit": 1})))
    out["list_start"] = list(dict(await storage.list({"start": "day:2026-01-02", "end": "other"})))
    out["list_start_after"] = list(dict(await storage.list({"prefix": "day:", "startAfter": "day:2026-01-02"})))
    out["deleted"] = await storage.delete(["day:2026-01-01", "nope"])
    out["after_delete"] = list(dict(await storage.list({"prefix": "day:"})))
    out["alarm_unset"] = await storage.getAlarm()
    await storage.setAlarm(ALARM_MS)
    out["alarm"] = await storage.getAlarm()
    await storage.deleteAlarm()
    out["alarm_deleted"] = await storage.getAlarm()
    out["types"] = {
        "one": isinstance(out["one"], dict),
        "nested": isinstance(out["one"]["nested"], dict),
        "alarm": type(out["alarm"]).__name__,
        "integral_float": type(out["integral_float"]).__name__,
    }
    return out


async def sdk_storage() -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import calls
    from workers import DurableObject

    class Holder(DurableObject):
        pass

    holder = Holder(jengu_mocks.DurableObjectState.new("obj"), jengu_mocks.makeEnv())
    result = await storage_scenario(holder.ctx.storage)
    result["storage_wrapper"] = type(holder.ctx.storage).__name__
    result["calls"] = calls()
    return result


async def alarm_handler() -> dict[str, Any]:
    """workerd calls `alarm` relaxed with its raw JS alarmInfo; our shells' `alarm(self, alarm_info=None)` shape."""
    import jengu_mocks
    import js
    from pyodide.code import relaxed_call
    from workers import DurableObject

    seen: list[Any] = []

    class Shell(DurableObject):
        async def alarm(self, alarm_info: Any = None) -> None:
            seen.append(await self.ctx.storage.getAlarm())

    class Bare(DurableObject):
        async def alarm(self) -> None:
            seen.append("bare")

    info = js.JSON.parse('{"retryCount": 0, "isRetry": false}')
    shell = Shell(jengu_mocks.DurableObjectState.new("a"), jengu_mocks.makeEnv())
    await shell.ctx.storage.setAlarm(ALARM_MS)
    await relaxed_call(shell.alarm, info)
    await relaxed_call(Bare(jengu_mocks.DurableObjectState.new("b"), jengu_mocks.makeEnv()).alarm, info)
    return {"seen": seen}
