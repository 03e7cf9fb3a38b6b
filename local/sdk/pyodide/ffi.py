"""CPython stand-in for `pyodide.ffi`: `to_js`, `JsProxy` and `JsException`, with Pyodide's conversion rules.

`to_js` converts as Pyodide does: a mapping becomes `dict_converter(entries)` when one is given (production code
passes `js.Object.fromEntries`, giving a plain JS object, here a `JsObject`) and a JS `Map` (`JsMap`) otherwise;
lists and tuples become arrays (lists). A JS object is not a Python mapping, so code that hands a binding a dict
where production needs a JS object fails locally too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


class JsException(Exception):
    """Raised by JS calls in Pyodide; the local emulators raise subclasses with the same message text."""


class JsProxy:
    """A JS value seen from Python (the stand-ins below), as `isinstance(x, JsProxy)` tells in Pyodide."""

    def to_py(self) -> Any:
        raise NotImplementedError


class JsObject(JsProxy):
    """A plain JS object: attribute access to its properties (`getattr(o, "from")`), `to_py()` gives a dict."""

    def __init__(self, entries: Iterable[tuple[str, Any]]) -> None:
        self.__dict__["_entries"] = dict(entries)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_entries"][name]
        except KeyError:
            raise AttributeError(name) from None

    def to_py(self) -> dict[str, Any]:
        return {key: _to_py(value) for key, value in self.__dict__["_entries"].items()}

    def __repr__(self) -> str:
        return f"[object Object] {self.__dict__['_entries']!r}"


class JsMap(JsProxy):
    """A JS `Map`: what `to_js` makes of a dict without a `dict_converter`. Its entries are not properties."""

    def __init__(self, entries: Iterable[tuple[Any, Any]]) -> None:
        self._entries = dict(entries)

    def get(self, key: Any) -> Any:
        return self._entries.get(key)

    def to_py(self) -> dict[Any, Any]:
        return {key: _to_py(value) for key, value in self._entries.items()}


def _to_py(value: Any) -> Any:
    if isinstance(value, JsProxy):
        return value.to_py()
    if isinstance(value, list):
        return [_to_py(item) for item in value]
    return value


def to_js(value: Any, *, dict_converter: Callable[..., Any] | None = None, **_: Any) -> Any:
    if isinstance(value, Mapping):
        entries = [(key, to_js(item, dict_converter=dict_converter)) for key, item in value.items()]
        return dict_converter(entries) if dict_converter is not None else JsMap(entries)
    if isinstance(value, (list, tuple)):
        return [to_js(item, dict_converter=dict_converter) for item in value]
    return value
