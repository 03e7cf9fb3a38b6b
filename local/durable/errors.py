"""Errors the Durable Object emulator raises, shaped like what production code sees.

In production every failure on the JS side of a binding (a DO method that raised, a SQL error, a storage limit)
reaches Python as `pyodide.ffi.JsException` carrying the JS message. The local errors subclass the local
`JsException` stand-in so `except JsException` works in both places, and keep the same message text.
"""

from __future__ import annotations

from pyodide.ffi import JsException

__all__ = ["DurableObjectAbort", "DurableObjectError", "RpcMethodNotFound", "SqlStorageError", "StorageError"]


class DurableObjectError(JsException):
    """An exception raised inside a Durable Object, as the caller of the stub sees it.

    The message is `"<OriginalType>: <message>"`; `remote_type` holds the original class name. The original
    exception is chained as `__cause__` for local tracebacks only (production has nothing like it).
    """

    def __init__(self, message: str, *, remote_type: str = "Error") -> None:
        super().__init__(message)
        self.remote_type = remote_type


class StorageError(JsException):
    """A `ctx.storage` call rejected by the runtime (bad key, limit exceeded, alarm without handler, ...)."""


class SqlStorageError(StorageError):
    """`ctx.storage.sql` failure; the message ends with the SQLite result code name, e.g. `...: SQLITE_ERROR`."""


class DurableObjectAbort(BaseException):
    """Raised by `ctx.abort()`, like the SDK: a BaseException so `except Exception` does not swallow it."""


class RpcMethodNotFound(DurableObjectError, TypeError):
    """`TypeError: The RPC receiver does not implement the method "x".` — also a TypeError for `except TypeError`."""
