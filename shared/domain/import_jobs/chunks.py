"""Staged records: the file's data records, split while staging, stored as JSON chunks a slice reads back whole.

A chunk holds at most `CHUNK_RECORDS` records (one slice: ~1 s of CPU in Pyodide, a few MB of memory) and at most
`CHUNK_BYTES` of UTF-8 JSON (a D1 value is capped at 2,000,000 bytes; one record is at most 64 K characters), so a
slice never starts inside a row: a quoted cell spanning lines, or a record split across upload pieces, is one
record in one chunk. Each record keeps its spreadsheet row number and its oversize/unterminated flags, so a slice
reports exactly what the synchronous import would.
"""

from __future__ import annotations

import json
from typing import Any

from shared.domain.csv_import.records import Record

CHUNK_RECORDS = 1_000
CHUNK_BYTES = 500_000  # the JS heap a slice commit needs grows with it (decision 0013, "JS strings")
_record_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode  # built once, not per record


def _encode(record: Record) -> list[Any]:
    return [record.number, record.text, record.oversized_field, 1 if record.unterminated else 0]


def decode_chunk(text: str) -> list[Record]:
    return [Record(int(n), t, f, bool(u)) for n, t, f, u in json.loads(text)]


class RecordChunker:
    """add() records; full chunks (JSON text) come back as they fill; finish() returns the last one."""

    def __init__(self, *, max_records: int | None = None, max_bytes: int | None = None) -> None:
        self._max_records = max_records or CHUNK_RECORDS
        self._max_bytes = max_bytes or CHUNK_BYTES
        self._pieces: list[str] = []
        self._bytes = 0
        self.rows = 0  # data records that are not blank lines

    def add(self, records: list[Record]) -> list[str]:
        full: list[str] = []
        for record in records:
            if record.text is not None and not record.text.strip() and not record.unterminated:
                continue  # a blank line: no row, nothing to store (its number is skipped, as Excel shows it)
            piece = _record_json(_encode(record))
            size = len(piece) if piece.isascii() else len(piece.encode())
            if self._pieces and (len(self._pieces) >= self._max_records or self._bytes + size + 1 > self._max_bytes):
                full.append(self._take())
            self._pieces.append(piece)
            self._bytes += size + 1
            self.rows += 1
        return full

    def finish(self) -> list[str]:
        return [self._take()] if self._pieces else []

    def _take(self) -> str:
        text = "[" + ",".join(self._pieces) + "]"
        self._pieces, self._bytes = [], 0
        return text
