"""The tier runs what Cloudflare runs: Python 3.13 on Pyodide 0.28.3, the SDK from its pinned wheel."""

from __future__ import annotations

from typing import Any


def test_the_real_sdk_runs_in_real_pyodide(pyodide: Any) -> None:
    facts = pyodide.run("boot", "sdk_is_real")
    assert pyodide.version == "0.28.3"
    assert facts["python"].startswith("3.13.")
    assert facts["platform"] == "emscripten"
    assert "site-packages/workers/" in facts["sdk"]  # installed by micropip, not our local stand-in
    # The SDK recognised our mocks by their JS constructor names, as it does the real bindings.
    assert facts["db"] and facts["kv"] and facts["queue"] and facts["do"]
    assert facts["email_raw"] == "JsProxy"  # send_email is not on the SDK's wrap list: a raw JS object
