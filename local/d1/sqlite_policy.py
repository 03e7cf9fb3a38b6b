"""What D1 lets SQL do, applied to a stdlib `sqlite3` connection, and SQLite errors worded the way D1 words them.

Ported from workerd `src/workerd/util/sqlite.c++` (`setupSecurity`, `isAuthorized`, `dbErrorMessage`) and
`src/workerd/api/sql.c++` (`SqlStorageRegulator`), at the version inside the pinned Miniflare (4.20260426): the
same limits, the same authorizer allow-lists, the same `<message>[ at offset N]: SQLITE_X (extended: ...)` text.
"""

from __future__ import annotations

import ctypes
import sqlite3
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: 2_200_000,  # largest string/blob (current workerd: 4 MiB)
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_COLUMN: 100,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 100,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 5,
    sqlite3.SQLITE_LIMIT_VDBE_OP: 25_000,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 127,
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 50,
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 100,
    sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH: 10,
    sqlite3.SQLITE_LIMIT_WORKER_THREADS: 0,
}


def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


ALLOWED_FUNCTIONS = _words(
    # core (soundex is on workerd's list but not compiled into its SQLite, so D1 has no such function)
    "abs changes char coalesce concat concat_ws format glob hex ifnull iif instr last_insert_rowid length like "
    "likelihood likely load_extension lower ltrim max_scalar min_scalar nullif octet_length printf quote random "
    "randomblob replace round rtrim sign substr substring total_changes trim typeof unhex unicode unlikely upper "
    "zeroblob",
    # date and time
    "date time datetime julianday unixepoch strftime timediff current_date current_time current_timestamp",
    # aggregate and window
    "avg count group_concat max min string_agg sum total row_number rank dense_rank percent_rank cume_dist ntile "
    "lag lead first_value last_value nth_value",
    # math
    "acos acosh asin asinh atan atan2 atanh ceil cos cosh degrees exp floor ln log log2 mod pi pow radians sin "
    "sinh sqrt tan tanh trunc",
    # JSON
    "json jsonb json_array jsonb_array json_array_length json_extract jsonb_extract -> ->> json_insert "
    "jsonb_insert json_object jsonb_object json_patch jsonb_patch json_remove jsonb_remove json_replace "
    "jsonb_replace json_set jsonb_set json_type json_valid json_quote json_group_array jsonb_group_array "
    "json_group_object jsonb_group_object json_each json_tree",
    # FTS5, and what ALTER TABLE runs internally
    "match highlight bm25 snippet sqlite_rename_column sqlite_rename_table sqlite_rename_test sqlite_drop_column "
    "sqlite_rename_quotefix",
)

# Pragma name -> argument rule. table_list/table_info/table_xinfo are handled separately.
_PRAGMAS = {
    "data_version": "none",
    "case_sensitive_like": "bool",
    "foreign_keys": "bool",
    "defer_foreign_keys": "bool",
    "ignore_check_constraints": "bool",
    "legacy_alter_table": "bool",
    "recursive_triggers": "bool",
    "reverse_unordered_selects": "bool",
    "foreign_key_check": "optional_name",
    "foreign_key_list": "name",
    "index_info": "name",
    "index_list": "name",
    "index_xinfo": "name",
    "quick_check": "number_or_name",
    "optimize": "number",
}
_BOOLEAN_WORDS = ("true", "false", "yes", "no", "on", "off", "1", "0")
_VIRTUAL_TABLE_MODULES = ("fts5", "fts5vocab")

_OK, _DENY = sqlite3.SQLITE_OK, sqlite3.SQLITE_DENY


def configure(conn: sqlite3.Connection) -> None:
    conn.setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)
    for category, limit in LIMITS.items():
        conn.setlimit(category, limit)


def allowed_name(name: str) -> bool:
    """Names starting `_cf_` (any case) are Cloudflare's own (`_cf_METADATA`, ...)."""
    return name[:4].lower() != "_cf_"


class Authorizer:
    """The `set_authorizer` callback. Internal SQL runs with `trusted` set; user SQL gets D1's rules."""

    def __init__(self) -> None:
        self.trusted = False
        self.transaction_denied = False  # set when a denial was a transaction, whose message is special

    def __call__(self, action: int, arg1: str | None, arg2: str | None, db_name: str | None, _: str | None) -> int:
        if self.trusted:
            return _OK
        return _OK if self._allows(action, arg1, arg2, db_name) else _DENY

    def _allows(self, action: int, arg1: str | None, arg2: str | None, db_name: str | None) -> bool:
        if action in (sqlite3.SQLITE_ALTER_TABLE, sqlite3.SQLITE_DETACH):
            # SQLite passes the database name first for these two.
            arg1, arg2, db_name = arg2, db_name, arg1
        if db_name == "temp":
            return action in (sqlite3.SQLITE_READ, sqlite3.SQLITE_UPDATE) and allowed_name(arg1 or "")
        if db_name is not None and db_name != "main":
            return False
        if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
            self.transaction_denied = True
            return False
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_ANALYZE, sqlite3.SQLITE_RECURSIVE):
            return True
        if action in (
            sqlite3.SQLITE_CREATE_TABLE,
            sqlite3.SQLITE_DELETE,
            sqlite3.SQLITE_DROP_TABLE,
            sqlite3.SQLITE_INSERT,
            sqlite3.SQLITE_CREATE_VIEW,
            sqlite3.SQLITE_DROP_VIEW,
            sqlite3.SQLITE_REINDEX,
            sqlite3.SQLITE_ALTER_TABLE,
            sqlite3.SQLITE_READ,
            sqlite3.SQLITE_UPDATE,
        ):
            return allowed_name(arg1 or "")
        if action in (
            sqlite3.SQLITE_CREATE_INDEX,
            sqlite3.SQLITE_DROP_INDEX,
            sqlite3.SQLITE_CREATE_TRIGGER,
            sqlite3.SQLITE_DROP_TRIGGER,
        ):
            return allowed_name(arg1 or "") and allowed_name(arg2 or "")
        if action == sqlite3.SQLITE_PRAGMA:
            return _pragma_allowed(arg1 or "", arg2)
        if action == sqlite3.SQLITE_FUNCTION:
            return (arg2 or "") in ALLOWED_FUNCTIONS
        if action in (sqlite3.SQLITE_CREATE_VTABLE, sqlite3.SQLITE_DROP_VTABLE):
            return (arg2 or "").lower() in _VIRTUAL_TABLE_MODULES and allowed_name(arg1 or "")
        return False  # ATTACH/DETACH, temp objects, other virtual tables, anything unknown


def _pragma_allowed(pragma: str, argument: str | None) -> bool:
    if pragma == "table_list":
        return True
    if pragma in ("table_info", "table_xinfo"):
        return argument is not None and allowed_name(argument)
    rule = _PRAGMAS.get(pragma)
    if rule is None:
        return False
    if argument is None:
        return rule != "name"
    if rule == "bool":
        value = argument
        if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
            value = value[1:-1]
        return value.lower().startswith(_BOOLEAN_WORDS)
    if rule == "number":
        return _is_int(argument)
    if rule == "number_or_name":
        return argument.isdigit() or allowed_name(argument)
    return rule in ("name", "optional_name") and allowed_name(argument)


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


_PRIMARY_NAMES = {
    0: "SQLITE_OK",
    1: "SQLITE_ERROR",
    2: "SQLITE_INTERNAL",
    3: "SQLITE_PERM",
    4: "SQLITE_ABORT",
    5: "SQLITE_BUSY",
    6: "SQLITE_LOCKED",
    7: "SQLITE_NOMEM",
    8: "SQLITE_READONLY",
    9: "SQLITE_INTERRUPT",
    10: "SQLITE_IOERR",
    11: "SQLITE_CORRUPT",
    12: "SQLITE_NOTFOUND",
    13: "SQLITE_FULL",
    14: "SQLITE_CANTOPEN",
    15: "SQLITE_PROTOCOL",
    16: "SQLITE_EMPTY",
    17: "SQLITE_SCHEMA",
    18: "SQLITE_TOOBIG",
    19: "SQLITE_CONSTRAINT",
    20: "SQLITE_MISMATCH",
    21: "SQLITE_MISUSE",
    22: "SQLITE_NOLFS",
    23: "SQLITE_AUTH",
    24: "SQLITE_FORMAT",
    25: "SQLITE_RANGE",
    26: "SQLITE_NOTADB",
    27: "SQLITE_NOTICE",
    28: "SQLITE_WARNING",
}


# Extended codes newer than the stdlib module's name table (it says "unknown" for them).
_EXTENDED_NAMES = {
    2835: "SQLITE_CONSTRAINT_PINNED",
    3091: "SQLITE_CONSTRAINT_DATATYPE",
}


class ErrorWording:
    """Words a `sqlite3.Error` as workerd's `dbErrorMessage` does, error offset included where SQLite has one.

    The stdlib module does not expose `sqlite3_error_offset`; it is read through ctypes from the connection's
    `sqlite3*` handle, only on the CPython build this was checked against (3.13, 64-bit, GIL) and only after
    the handle proved itself by naming the database file. Otherwise messages simply lack " at offset N".
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._error_offset, self._handle = _locate_error_offset(conn, path)

    def describe(self, error: sqlite3.Error) -> str:
        code = getattr(error, "sqlite_errorcode", None)
        if not isinstance(code, int):
            return str(error)
        message = str(error)
        offset = -1 if self._error_offset is None else int(self._error_offset(self._handle))
        if offset >= 0:
            message += f" at offset {offset}"
        primary = code & 0xFF
        message += f": {_PRIMARY_NAMES.get(primary, f'SQLITE_{primary}')}"
        extended = _EXTENDED_NAMES.get(code) or getattr(error, "sqlite_errorname", "unknown")
        if code != primary and extended != "unknown":
            message += f" (extended: {extended})"
        return message


def _locate_error_offset(conn: sqlite3.Connection, path: Path) -> tuple[Callable[..., int] | None, int | None]:
    layout_known = (
        sys.version_info[:2] == (3, 13)
        and sys.maxsize > 2**32
        and not hasattr(sys, "gettotalrefcount")
        and not sysconfig.get_config_var("Py_GIL_DISABLED")
    )
    if not layout_known:
        return None, None
    try:
        import _sqlite3

        library = ctypes.CDLL(_sqlite3.__file__)
        error_offset = library.sqlite3_error_offset
        db_filename = library.sqlite3_db_filename
    except (ImportError, OSError, AttributeError):
        return None, None
    error_offset.argtypes, error_offset.restype = [ctypes.c_void_p], ctypes.c_int
    db_filename.argtypes, db_filename.restype = [ctypes.c_void_p, ctypes.c_char_p], ctypes.c_char_p
    # pysqlite_Connection starts with PyObject_HEAD (16 bytes), then `sqlite3 *db`.
    handle = ctypes.c_void_p.from_address(id(conn) + 16).value
    if not handle:
        return None, None
    named = db_filename(handle, b"main")
    if not named or Path(named.decode()).resolve() != path.resolve():
        return None, None
    return error_offset, handle
