"""Per-namespace index of scheduled alarms, so due alarms are found without opening every object's database.

`<state_dir>/<class_name>/_alarms.sqlite` holds one row per object with an alarm: when it is due and how many
retries of it have already failed. It is a hint: before firing, the namespace re-reads the alarm from the object's
own file (the truth, which transactions roll back) and repairs the index when they disagree.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AlarmEntry", "AlarmIndex"]


@dataclass(frozen=True, slots=True)
class AlarmEntry:
    hex_id: str
    name: str | None
    at_ms: int
    retry: int


class AlarmIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, autocommit=True)
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS alarms (id TEXT PRIMARY KEY, name TEXT, at_ms INTEGER NOT NULL, "
                "retry INTEGER NOT NULL DEFAULT 0)"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS alarms_at ON alarms (at_ms)")
            self._conn = conn
        return self._conn

    def set(self, hex_id: str, name: str | None, at_ms: int | None, *, retry: int = 0) -> None:
        if at_ms is None:
            self._db.execute("DELETE FROM alarms WHERE id = ?", (hex_id,))
            return
        self._db.execute(
            "INSERT INTO alarms (id, name, at_ms, retry) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "name = coalesce(excluded.name, alarms.name), at_ms = excluded.at_ms, retry = excluded.retry",
            (hex_id, name, at_ms, retry),
        )

    def get(self, hex_id: str) -> AlarmEntry | None:
        row = self._db.execute("SELECT id, name, at_ms, retry FROM alarms WHERE id = ?", (hex_id,)).fetchone()
        return None if row is None else AlarmEntry(*row)

    def due(self, now_ms: int) -> list[AlarmEntry]:
        rows = self._db.execute(
            "SELECT id, name, at_ms, retry FROM alarms WHERE at_ms <= ? ORDER BY at_ms, id", (now_ms,)
        ).fetchall()
        return [AlarmEntry(*row) for row in rows]

    def next_ms(self) -> int | None:
        row = self._db.execute("SELECT min(at_ms) FROM alarms").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
