"""The import pipeline, streaming: text (or bytes) in, one RowResult per data row out.

Push style, for a request body arriving in chunks (`async for chunk in body: handle(parser.feed(chunk))`):

    parser = CsvBytesParser()            # or CsvParser() for text
    for chunk in chunks: results = parser.feed(chunk)
    results = parser.finish()

Two steps, for an import job: `feed_records()` / `finish_records()` split and check the header (cheap) and
return data records to store; later `CsvParser.resumed(delimiter, header_cells).rows(records)` builds the rows.

Pull style, for anything iterable: `parse_rows(text_pieces)` / `parse_csv_bytes(byte_chunks)` generators.

Text pieces may be of any size and split anywhere (lines keep their line endings: pieces are concatenated as they
are). Memory stays bounded: the dialect sample (`SAMPLE_CHARS`), one record (`max_row_chars`), and the caller's chunk.

File-level problems raise CsvFormatError: binary or undecodable input (from the decoder), no header row, no identity
column, a header longer than the row limit. They are always raised before the first RowResult is returned (binary
checks look at the first 64 KB; the header is checked before any row), so an endpoint catching CsvFormatError has
written nothing yet. Everything about a single row is a RowError result; the rest of the file goes on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from shared.domain.csv_import.decoding import SNIFF_BYTES, CsvDecoder
from shared.domain.csv_import.dialect import Dialect, detect_dialect
from shared.domain.csv_import.errors import CsvFormatError
from shared.domain.csv_import.headers import ColumnMap, map_headers
from shared.domain.csv_import.records import MAX_RECORD_CHARS, Record, RecordSplitter
from shared.domain.csv_import.results import RowError, RowResult
from shared.domain.csv_import.rows import RowBuilder

SAMPLE_CHARS = 32 * 1024
MAX_ROW_CHARS = MAX_RECORD_CHARS


class CsvParser:
    """CSV text to RowResults. After the header row has been read, `dialect` and `columns` (with `unknown`
    headers) describe the file; `rows_seen` counts data rows so far (blank ones excluded)."""

    def __init__(self, *, delimiter: str | None = None, max_row_chars: int = MAX_ROW_CHARS) -> None:
        self._forced_delimiter = delimiter
        self._max_row_chars = max_row_chars
        self._sample: list[str] = []
        self._sample_chars = 0
        self._splitter: RecordSplitter | None = None
        self._builder: RowBuilder | None = None
        self._finished = False
        self.dialect: Dialect | None = None
        self.columns: ColumnMap | None = None
        self.header_row: int | None = None
        self.header_cells: list[str] | None = None
        self.rows_seen = 0

    @classmethod
    def resumed(cls, delimiter: str, header_cells: list[str], *, max_row_chars: int = MAX_ROW_CHARS) -> CsvParser:
        """A parser for records split earlier (an import job's staged chunks): `rows()` only, no `feed()`."""
        parser = cls(delimiter=delimiter, max_row_chars=max_row_chars)
        parser.dialect = Dialect(delimiter, "\n", 0)
        parser._use_header(header_cells, number=1)
        parser._finished = True
        return parser

    def feed(self, text: str) -> list[RowResult]:
        return self.rows(self.feed_records(text))

    def finish(self) -> list[RowResult]:
        return self.rows(self.finish_records())

    def feed_records(self, text: str) -> list[Record]:
        """Like feed(), stopping before rows are built: the data records (the header is read and checked here)."""
        if self._finished:
            raise RuntimeError("feed() after finish()")
        if self._splitter is None:
            if self._sample_chars == 0 and text.startswith("\ufeff"):
                text = text[1:]
            self._sample.append(text)
            self._sample_chars += len(text)
            if self._sample_chars < SAMPLE_CHARS:
                return []
            return self._start()
        return self._data_records(self._splitter.feed(text))

    def finish_records(self) -> list[Record]:
        if self._finished:
            return []
        records = self._start() if self._splitter is None else []
        assert self._splitter is not None
        records += self._data_records(self._splitter.finish())
        self._finished = True
        if self.columns is None:
            raise CsvFormatError("The file is empty: there is no header row.", code="empty_file")
        return records

    def _start(self) -> list[Record]:
        text = "".join(self._sample)
        self._sample = []
        self.dialect = detect_dialect(text[:SAMPLE_CHARS])
        if self._forced_delimiter:
            self.dialect = Dialect(self._forced_delimiter, self.dialect.line_ending, self.dialect.preamble_lines)
        if self.dialect.preamble_lines:  # Excel's "sep=;" line: not data, and Excel does not show it as a row
            ending = text.find(self.dialect.line_ending)
            text = text[ending + len(self.dialect.line_ending) :] if ending >= 0 else ""
        self._splitter = RecordSplitter(self.dialect.delimiter, max_chars=self._max_row_chars)
        return self._data_records(self._splitter.feed(text))

    def _data_records(self, records: list[Record]) -> list[Record]:
        if self._builder is not None:
            return records
        out: list[Record] = []
        for record in records:
            if self._builder is None:
                self._read_header(record)
            else:
                out.append(record)
        return out

    def _cells(self, record: Record) -> list[str] | RowError:
        assert self.dialect is not None and record.text is not None
        try:
            return next(csv.reader((record.text,), delimiter=self.dialect.delimiter, strict=False))
        except StopIteration:
            return []
        except csv.Error as error:
            return RowError(record.number, None, f"the row cannot be read as CSV: {error}")

    def rows(self, records: list[Record]) -> list[RowResult]:
        """RowResults for data records (after the header); blank records yield nothing."""
        results: list[RowResult] = []
        for record in records:
            assert self._builder is not None
            if record.text is None:
                self.rows_seen += 1
                results.append(self._oversized(record))
                continue
            if record.unterminated:
                self.rows_seen += 1
                results.append(
                    RowError(
                        record.number,
                        None,
                        "a quoted cell is never closed: this row runs to the end of the file (is a quote missing?)",
                    )
                )
                continue
            if not record.text.strip():
                continue
            cells = self._cells(record)
            if isinstance(cells, RowError):
                self.rows_seen += 1
                results.append(cells)
                continue
            result = self._builder.build(record.number, cells)
            if result is not None:
                self.rows_seen += 1
                results.append(result)
        return results

    def _read_header(self, record: Record) -> None:
        if record.text is None:
            raise CsvFormatError(
                f"The header row is longer than {self._max_row_chars:,} characters: is this a CSV file?",
                code="header_too_long",
            )
        if not record.text.strip():
            return
        if record.unterminated:
            raise CsvFormatError("The header row has a quote that is never closed.", code="no_header")
        cells = self._cells(record)
        if isinstance(cells, RowError):
            raise CsvFormatError(f"The header row cannot be read: {cells.message}", code="no_header")
        if not any(cell.strip() for cell in cells):
            return
        self._use_header(cells, number=record.number)

    def _use_header(self, cells: list[str], *, number: int) -> None:
        self.columns = map_headers(cells)
        self._builder = RowBuilder(self.columns)
        self.header_cells = cells
        self.header_row = number

    def _oversized(self, record: Record) -> RowError:
        limit = f"{self._max_row_chars // 1024:,} KB" if self._max_row_chars >= 1024 else f"{self._max_row_chars}"
        index = record.oversized_field
        columns = self.columns
        if columns is not None and index is not None and index < len(columns.headers):
            field = columns.fields[index]
            return RowError(
                record.number,
                field,
                f"column {columns.headers[index]!r} holds more than {limit}; the row was skipped",
            )
        return RowError(record.number, None, f"the row is larger than {limit} (is a quote missing?); it was skipped")


def parse_rows(
    text: Iterable[str], *, delimiter: str | None = None, max_row_chars: int = MAX_ROW_CHARS
) -> Iterator[RowResult]:
    """RowResults for CSV text given as pieces (a file opened with newline='', a generator of lines keeping their
    line endings, decoded body chunks...). Raises CsvFormatError only for file-level problems."""
    parser = CsvParser(delimiter=delimiter, max_row_chars=max_row_chars)
    for piece in text:
        yield from parser.feed(piece)
    yield from parser.finish()


class CsvBytesParser:
    """CsvDecoder + CsvParser: bytes in, RowResults out. `decoder.encoding` tells what the file was read as."""

    def __init__(
        self,
        *,
        delimiter: str | None = None,
        max_row_chars: int = MAX_ROW_CHARS,
        sniff_bytes: int = SNIFF_BYTES,
    ) -> None:
        self.decoder = CsvDecoder(sniff_bytes=sniff_bytes)
        self.parser = CsvParser(delimiter=delimiter, max_row_chars=max_row_chars)

    def feed(self, data: bytes) -> list[RowResult]:
        return self.parser.rows(self.feed_records(data))

    def finish(self) -> list[RowResult]:
        return self.parser.rows(self.finish_records())

    def feed_records(self, data: bytes) -> list[Record]:
        text = self.decoder.feed(data)
        return self.parser.feed_records(text) if text else []

    def finish_records(self) -> list[Record]:
        text = self.decoder.finish()
        records = self.parser.feed_records(text) if text else []
        return records + self.parser.finish_records()


def parse_csv_bytes(
    chunks: Iterable[bytes], *, delimiter: str | None = None, max_row_chars: int = MAX_ROW_CHARS
) -> Iterator[RowResult]:
    parser = CsvBytesParser(delimiter=delimiter, max_row_chars=max_row_chars)
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.finish()
