"""Durable Object storage and alarms in real Pyodide hold to the local runtime's `ctx.storage`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local.durable.sql import SqliteFile
from local.durable.storage import DurableObjectStorage
from tests.pyodide.cases.storage import ALARM_MS, storage_scenario


async def test_storage_calls_of_the_logic_modules_match_the_local_storage(pyodide: Any, tmp_path: Path) -> None:
    production = pyodide.run("storage", "sdk_storage")
    assert production["storage_wrapper"] == "_BindingWrapper"  # the SDK recognised DurableObjectStorage
    alarms: list[int | None] = []
    db = SqliteFile(tmp_path / "do.sqlite")
    try:
        local_storage = DurableObjectStorage(db, alarms.append, lambda: True)
        local = json.loads(json.dumps(await storage_scenario(local_storage)))  # as the JSON the tier answers in
    finally:
        db.close()
    for key, value in local.items():
        assert production[key] == value, key
    assert production["missing"] is None  # JS undefined, not "jsnull"
    assert production["one"]["none"] is None
    assert production["integral_float"] == 1 and production["types"]["integral_float"] == "int"
    assert production["alarm"] == ALARM_MS and production["types"]["alarm"] == "int"
    assert production["deleted"] == 1
    # The options reached the storage as plain JS objects, the multi-key calls as JS arrays.
    lists = [c["args"][0] for c in production["calls"] if c["method"] == "list"]
    assert lists[1] == {"t": "Object", "v": {"prefix": {"t": "string", "v": "day:"},
                                             "end": {"t": "string", "v": "day:2026-01-03"},
                                             "limit": {"t": "number", "v": 1}}}  # fmt: skip
    [delete] = [c["args"][0] for c in production["calls"] if c["method"] == "delete"]
    assert delete["t"] == "Array"
    [set_alarm] = [c["args"][0] for c in production["calls"] if c["method"] == "setAlarm"]
    assert set_alarm == {"t": "number", "v": ALARM_MS}


def test_alarm_handlers_are_called_relaxed_with_alarm_info(pyodide: Any) -> None:
    assert pyodide.run("storage", "alarm_handler") == {"seen": [ALARM_MS, "bare"]}
