"""The tier runs what Cloudflare runs: Python 3.13 on Pyodide 0.28.3, the SDK from its pinned wheel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def test_the_real_sdk_runs_in_real_pyodide(pyodide: Any) -> None:
    facts = pyodide.run("boot", "sdk_is_real")
    assert pyodide.version == "0.28.3"
    assert facts["python"].startswith("3.13.")
    assert facts["platform"] == "emscripten"
    assert "site-packages/workers/" in facts["sdk"]  # installed by micropip, not our local stand-in
    # The SDK recognised our mocks by their JS constructor names, as it does the real bindings.
    assert facts["db"] and facts["kv"] and facts["queue"] and facts["do"]
    assert facts["email_raw"] == "JsProxy"  # send_email is not on the SDK's wrap list: a raw JS object


def test_the_micropip_pin_is_pyodides_own() -> None:
    """micropip is part of the Pyodide distribution: the pinned wheel is the version pyodide-lock.json lists."""
    lock = json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())
    pins = dict(
        line.split()[0].split("==")
        for line in (HERE / "wheels.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert pins["micropip"] == lock["packages"]["micropip"]["version"]
    assert lock["info"]["python"] == "3.13.2"
    assert set(pins) == {"workers-runtime-sdk", "micropip"}
