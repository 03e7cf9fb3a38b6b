"""Runs one conformance case inside Pyodide: import `cases.<module>`, await `<func>()`, answer JSON text."""

from __future__ import annotations

import importlib
import json
from typing import Any


async def run_case(module: str, func: str) -> str:
    case = getattr(importlib.import_module(f"cases.{module}"), func)
    result: Any = await case()
    return json.dumps(result, default=repr)
