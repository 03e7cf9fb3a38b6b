"""CPython stand-in for `pyodide.ffi`: `to_js` (identity on plain data) and `JsException`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class JsException(Exception):
    """Raised by JS calls in Pyodide; the local emulators raise subclasses with the same message text."""


def to_js(value: Any, *, dict_converter: Callable[..., Any] | None = None, **_: Any) -> Any:
    return value
