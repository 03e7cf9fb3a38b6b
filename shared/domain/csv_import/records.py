"""Split CSV text into records (one per spreadsheet row), quote-aware and with a bounded record size.

Why not just csv.reader? Its only size guard is csv.field_size_limit, which is process-global, and after it raises
the reader resumes at the next *physical line*: when the oversized field was a quoted multi-line one, the rest of that
field is then read as new rows (verified in tests/unit/test_csv_import.py). So records are delimited here, with the
same rules as csv.reader (a quote opens a quoted field only at the start of a field; `""` inside quotes is a quote;
outside quotes `\\r\\n`, `\\n` and `\\r` end a record), and csv.reader only ever parses one complete record.

A record longer than `max_chars` is not kept: from the moment it crosses the limit its text is dropped while the scan
goes on to find where it ends, so a 10 MB cell costs the caller's chunk and nothing more. It comes out as a Record
with `text=None` and the index of the field that crossed the limit.

Records are numbered from `first_number` (1 by default) as a spreadsheet numbers rows: a quoted field spanning several
lines is one row; blank lines are rows (Excel shows them), and come out as records with empty text.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

MAX_RECORD_CHARS = 64 * 1024

_OUTSIDE = re.compile(r'[\r\n"]')


@dataclass(frozen=True, slots=True)
class Record:
    number: int
    text: str | None  # None: longer than the limit, dropped
    oversized_field: int | None = None  # 0-based index of the field that crossed the limit, when known
    unterminated: bool = False  # the file ended inside a quoted field


class RecordSplitter:
    """Push text in with feed() (pieces of any size, split anywhere), get complete records back; finish() at EOF."""

    def __init__(self, delimiter: str, *, max_chars: int = MAX_RECORD_CHARS, first_number: int = 1) -> None:
        self._delimiter = delimiter
        self._max = max_chars
        self._number = first_number - 1
        self._parts: list[str] = []
        self._size = 0
        self._oversized = False
        self._oversized_field: int | None = None
        self._last = ""  # last character of the current record so far ("" at its start)
        self._in_quotes = False
        self._quote_pending = False  # inside quotes, the last character seen was a quote: closing or doubled?
        self._cr_pending = False  # a record just ended with "\r": swallow a "\n" starting the next piece

    def feed(self, text: str) -> list[Record]:
        out: list[Record] = []
        n = len(text)
        i = 0
        if self._cr_pending and n:
            self._cr_pending = False
            if text[0] == "\n":
                i = 1
        start = i  # where the current record's unsaved text begins in `text`
        while i < n:
            if self._in_quotes:
                if self._quote_pending:
                    self._quote_pending = False
                    if text[i] == '"':
                        i += 1
                        continue
                    self._in_quotes = False
                    continue  # look at text[i] again, outside quotes
                j = text.find('"', i)
                if j < 0:
                    break
                if j + 1 == n:
                    self._quote_pending = True
                    i = n
                elif text[j + 1] == '"':
                    i = j + 2
                else:
                    self._in_quotes = False
                    i = j + 1
                continue
            match = _OUTSIDE.search(text, i)
            if match is None:
                break
            j = match.start()
            char = text[j]
            if char == '"':
                previous = text[j - 1] if j > start else self._last
                if previous in ("", self._delimiter):
                    self._in_quotes = True
                i = j + 1
                continue
            self._save(text, start, j)
            out.append(self._emit())
            if char == "\r":
                if j + 1 == n:
                    self._cr_pending = True
                    i = n
                else:
                    i = j + 2 if text[j + 1] == "\n" else j + 1
            else:
                i = j + 1
            start = i
        self._save(text, start, n)
        return out

    def finish(self) -> list[Record]:
        """The last record, when the text does not end with a line break."""
        unterminated = self._in_quotes and not self._quote_pending
        self._in_quotes = self._quote_pending = self._cr_pending = False
        if not (self._parts or self._oversized or unterminated):
            return []
        return [self._emit(unterminated=unterminated)]

    @property
    def records_emitted(self) -> int:
        return self._number

    def _save(self, text: str, start: int, end: int) -> None:
        length = end - start
        if length <= 0:
            return
        self._last = text[end - 1]
        if self._oversized:
            return
        if self._size + length > self._max:
            head = "".join(self._parts) + text[start : start + self._max - self._size + 1]
            self._oversized_field = self._field_index(head)
            self._parts = []
            self._size = 0
            self._oversized = True
            return
        self._parts.append(text[start:end])
        self._size += length

    def _field_index(self, head: str) -> int | None:
        try:
            return len(next(csv.reader([head], delimiter=self._delimiter, strict=False))) - 1
        except (csv.Error, StopIteration):
            return None

    def _emit(self, *, unterminated: bool = False) -> Record:
        self._number += 1
        if self._oversized:
            record = Record(self._number, None, self._oversized_field, unterminated)
        else:
            record = Record(self._number, "".join(self._parts), None, unterminated)
        self._parts = []
        self._size = 0
        self._oversized = False
        self._oversized_field = None
        self._last = ""
        return record
