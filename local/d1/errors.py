"""D1's error type, and the message shapes Cloudflare's D1 client (workerd `d1-api.ts`) gives its errors."""

from __future__ import annotations

from pyodide.ffi import JsException

# workerd's SqlStorageRegulator::allowTransactions() text, raised for BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE.
TRANSACTION_MESSAGE = (
    "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() "
    "APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it "
    "will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' "
    "automatic atomic write coalescing."
)


class D1Error(JsException):
    """A failed D1 call. `str(error)` is the message real D1 puts on its JS `Error` (`D1_ERROR: ...` etc.)."""


def d1_error(message: str) -> D1Error:
    return D1Error(f"D1_ERROR: {message}")


def exec_error(line_number: int, line: str, message: str) -> D1Error:
    suffix = f": {message}" if message else ""
    return D1Error(f"D1_EXEC_ERROR: Error in line {line_number}: {line}{suffix}")


def type_error(js_type: str, js_value: str) -> D1Error:
    return D1Error(f"D1_TYPE_ERROR: Type '{js_type}' not supported for value '{js_value}'")


def column_not_found(column: str) -> D1Error:
    return D1Error(f"D1_COLUMN_NOTFOUND: Column not found ({column})")
