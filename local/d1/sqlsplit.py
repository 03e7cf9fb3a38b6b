"""Split SQL text into statements the way SQLite's `prepare` consumes it, one statement (and its `;`) at a time.

Semicolons inside strings, comments and `CREATE TRIGGER ... BEGIN ... END;` bodies do not split (the check is
`sqlite3.complete_statement`). Leading empty statements and comments stay attached to the statement they precede,
as `prepare` skips them; text left after the last statement (say a trailing comment) is its own piece, which
`has_statement` reports as empty.
"""

from __future__ import annotations

import sqlite3

# The characters workerd skips after a statement's tail before deciding whether more SQL follows.
TAIL_SPACE = " \t\n\r\v\f"


def split_statements(sql: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    position = sql.find(";")
    while position != -1:
        candidate = sql[start : position + 1]
        if sqlite3.complete_statement(candidate) and has_statement(candidate):
            pieces.append(candidate)
            start = position + 1
            while start < len(sql) and sql[start] in TAIL_SPACE:
                start += 1
        position = sql.find(";", position + 1)
    if start < len(sql):
        pieces.append(sql[start:])
    return pieces


def has_statement(sql: str) -> bool:
    """Whether `sql` holds anything besides whitespace, comments and empty statements (`;`)."""
    rest = sql
    while True:
        rest = rest.lstrip()
        if rest.startswith("--"):
            newline = rest.find("\n")
            rest = "" if newline == -1 else rest[newline + 1 :]
        elif rest.startswith("/*"):
            end = rest.find("*/")
            rest = "" if end == -1 else rest[end + 2 :]
        elif rest.startswith(";"):
            rest = rest[1:]
        else:
            return bool(rest)
