"""Duplicates within one file: a row repeating an earlier row's email, LinkedIn profile or company + person key is
reported as a DuplicateRow of the first (first row wins; errors pass through untouched).

A duplicate's other keys are remembered too, pointing at the same first row: row 2 (email A), row 5 (email A,
LinkedIn L), row 9 (LinkedIn L) are one person, and rows 5 and 9 both come back as duplicates of row 2.

Memory: only keys are kept, and compactly: each key is hashed to 64 bits (BLAKE2b, stable across processes and
platforms: Python's hash() is only 32 bits on wasm32) into an open-addressing table of two flat arrays (12 bytes a
slot, at most 70% full) instead of a dict of strings (~150 bytes a key). 100,000 rows with three keys each fit in
524,288 slots: 6.3 MB. Two different keys colliding on 64 bits is a ~n²/2⁶⁵ event, about 10⁻⁹ for 300,000 keys; it
would mark one row as a duplicate.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from hashlib import blake2b

from shared.domain.csv_import.results import DuplicateRow, ParsedRow, RowResult

_KEYS_PER_ROW = 3  # email, LinkedIn, company + person


def _digest(kind: str, key: str) -> int:
    value = int.from_bytes(blake2b(f"{kind}\x00{key}".encode(), digest_size=8).digest(), "little")
    return value or 1  # 0 marks an empty slot


class KeyTable:
    """A set of 64-bit digests, each remembering the row number that added it."""

    def __init__(self, capacity: int = 1024) -> None:
        size = 1
        while size < capacity:
            size *= 2
        self._keys = array("Q", bytes(8 * size))
        self._rows = array("I", bytes(4 * size))
        self._mask = size - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def _slot(self, digest: int) -> int:
        keys, mask = self._keys, self._mask
        slot = digest & mask
        while True:
            found = keys[slot]
            if found == 0 or found == digest:
                return slot
            slot = (slot + 1) & mask

    def get(self, digest: int) -> int | None:
        """The row number stored for this digest, or None."""
        slot = self._slot(digest)
        return int(self._rows[slot]) if self._keys[slot] else None

    def add(self, digest: int, row: int) -> int | None:
        """Insert; return the row number already holding this digest (then nothing changes), else None."""
        slot = self._slot(digest)
        if self._keys[slot]:
            return int(self._rows[slot])
        self._keys[slot] = digest
        self._rows[slot] = row
        self._count += 1
        if self._count * 10 > (self._mask + 1) * 7:
            self._grow()
        return None

    def _grow(self) -> None:
        old_keys, old_rows = self._keys, self._rows
        size = (self._mask + 1) * 2
        self._keys = array("Q", bytes(8 * size))
        self._rows = array("I", bytes(4 * size))
        self._mask = size - 1
        self._count = 0
        for digest, row in zip(old_keys, old_rows, strict=True):
            if digest:
                self.add(digest, row)


class InFileDeduper:
    """check() each result in file order. `expected_rows`, when known (an import job's slice), sizes the table once
    instead of growing it (rehashing every key) on the way."""

    def __init__(self, expected_rows: int = 0) -> None:
        self._table = KeyTable(max(1024, _KEYS_PER_ROW * expected_rows * 10 // 7 + 1))

    def check(self, result: RowResult) -> RowResult | DuplicateRow:
        if not isinstance(result, ParsedRow):
            return result
        keys = [
            (kind, key)
            for kind, key in (
                ("email", result.email_normalized),
                ("linkedin", result.linkedin_normalized),
                ("person", result.person_key),
            )
            if key
        ]
        digests = [(kind, _digest(kind, key)) for kind, key in keys]
        for kind, digest in digests:  # email, then LinkedIn, then person: the first match names the key
            first = self._table.get(digest)
            if first is not None:
                for _, other in digests:
                    self._table.add(other, first)
                return DuplicateRow(result.row_number, first, kind, result)
        for _, digest in digests:
            self._table.add(digest, result.row_number)
        return result

    @property
    def keys_held(self) -> int:
        return len(self._table)


def dedupe_in_file(results: Iterable[RowResult]) -> Iterator[RowResult | DuplicateRow]:
    deduper = InFileDeduper()
    for result in results:
        yield deduper.check(result)
