"""CSV export, streamed: RFC 4180 lines (CRLF, quotes doubled, fields quoted when they hold `,` `"` CR or LF),
one at a time, with spreadsheet formula injection neutralised.

A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-` or `@`, or with tab or CR, which
Excel strips before looking; also after leading whitespace, and the full-width forms `＝` `＋` `－` `＠`) gets a
leading `'`, which spreadsheets show as "this is text" and our importer removes again (`unneutralise`); a text that
already starts with `'`s before such a character gets one more, so the round trip gives it back unchanged. Numbers
are not text and are written as they are (-5 stays a number). The text is plain UTF-8: the endpoint prepends a BOM
(U+FEFF) so Excel reads it as UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from enum import Enum

_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def neutralise_cell(value: object) -> str:
    """The cell's text, with a leading `'` if a spreadsheet would otherwise evaluate it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(str(item) for item in value)
    text = str(value)
    if text and (_runs(text) or _is_neutralised(text)):
        return "'" + text
    return text


def _runs(text: str) -> bool:
    return text[:1] in _TRIGGERS or text.lstrip()[:1] in _TRIGGERS


def _is_neutralised(text: str) -> bool:
    return text[:1] == "'" and _runs(text.lstrip("'"))


def unneutralise(text: str) -> str:
    """The inverse of `neutralise_cell` for text (what the importer applies): "'+49 89 123" -> "+49 89 123",
    "''=x" -> "'=x"."""
    return text[1:] if _is_neutralised(text) else text


class _Line:
    """A write() target that keeps the last line csv.writer produced."""

    __slots__ = ("line",)

    def __init__(self) -> None:
        self.line = ""

    def write(self, text: str) -> int:
        self.line = text
        return len(text)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object] | Mapping[str, object]]) -> Iterator[str]:
    """The header line, then one line per row (a sequence in header order, or a mapping keyed by header; missing
    keys are empty cells), each ending in CRLF. Lazy: nothing is read from `rows` before it is needed."""
    target = _Line()
    writer = csv.writer(target, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL, doublequote=True)
    writer.writerow([neutralise_cell(name) for name in header])
    yield target.line
    for row in rows:
        cells = [row.get(name) for name in header] if isinstance(row, Mapping) else row
        writer.writerow([neutralise_cell(cell) for cell in cells])
        yield target.line
