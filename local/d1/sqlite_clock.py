"""Make SQLite's "now" read a `Clock`, so `CURRENT_TIMESTAMP` defaults and `datetime('now')` move with tests' time.

SQLite takes the time from the OS; application-defined functions of the same name override the built-ins, so
the date functions are replaced by wrappers that swap 'now' (explicit or implied) for the clock's instant and let
the built-in, on a private in-memory connection, do the rest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from local.clock import Clock

SqlValue = str | bytes | int | float | None

_DATE_FUNCTIONS = ("date", "time", "datetime", "julianday", "unixepoch", "strftime")
_KEYWORDS = {
    "current_timestamp": "datetime",
    "current_date": "date",
    "current_time": "time",
}


def follow_clock(conn: sqlite3.Connection, clock: Clock) -> sqlite3.Connection:
    """Install the overrides; returns the private connection the built-ins run on (close it with `conn`)."""
    builtin = sqlite3.connect(":memory:")

    def now() -> str:
        moment = datetime.fromtimestamp(clock.now(), UTC)
        return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"

    def call(name: str, args: tuple[SqlValue, ...]) -> SqlValue:
        placeholders = ", ".join("?" * len(args))
        value: SqlValue = builtin.execute(f"SELECT {name}({placeholders})", args).fetchone()[0]
        return value

    def date_function(name: str) -> Callable[..., SqlValue]:
        def wrapper(*args: SqlValue) -> SqlValue:
            values = list(args)
            time_index = 1 if name == "strftime" else 0
            if len(values) <= time_index:
                values.append("now")
            values = [now() if isinstance(v, str) and v.lower() == "now" else v for v in values]
            return call(name, tuple(values))

        return wrapper

    for name in _DATE_FUNCTIONS:
        conn.create_function(name, -1, date_function(name), deterministic=True)
    for keyword, name in _KEYWORDS.items():
        conn.create_function(keyword, 0, date_function(name))
    return builtin
