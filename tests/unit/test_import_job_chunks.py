"""Staged record chunks: records split while staging come back whole and numbered, whatever the upload pieces;
blank lines are not stored; chunks respect their record and byte limits; slices then build the rows the synchronous
parser would."""

from __future__ import annotations

import json

from shared.domain.csv_import import CsvBytesParser, CsvParser, parse_csv_bytes
from shared.domain.import_jobs.chunks import RecordChunker, decode_chunk

BODY = (
    "email,first_name,notes\r\n"
    'a@x.example,Anna,"line one\r\nline two, with comma"\r\n'
    "\r\n"
    'b@x.example,Bea,"quote ""inside"""\r\n'
    "not-an-email,,\r\n" + "".join(f"p{i}@x.example,P{i},\r\n" for i in range(40)) + 'c@x.example,Cé,"never closed\r\n'
).encode()


def staged(pieces: list[bytes], **limits: int) -> tuple[CsvBytesParser, list[str], RecordChunker]:
    parser, chunker = CsvBytesParser(), RecordChunker(**limits)
    chunks: list[str] = []
    for piece in pieces:
        chunks += chunker.add(parser.feed_records(piece))
    chunks += chunker.add(parser.finish_records())
    return parser, chunks + chunker.finish(), chunker


def test_records_survive_any_split_of_the_upload_and_rows_match_the_synchronous_parse() -> None:
    expected = [r.as_dict() if hasattr(r, "as_dict") else (r.row_number, r.fields) for r in parse_csv_bytes([BODY])]
    for size in (1, 7, 64, len(BODY)):
        pieces = [BODY[i : i + size] for i in range(0, len(BODY), size)]
        parser, chunks, chunker = staged(pieces, max_records=6)
        assert parser.parser.header_cells == ["email", "first_name", "notes"]
        assert chunker.rows == 44  # the blank line is not a row
        resumed = CsvParser.resumed(",", parser.parser.header_cells)
        results = [r for chunk in chunks for r in resumed.rows(decode_chunk(chunk))]
        got = [r.as_dict() if hasattr(r, "as_dict") else (r.row_number, r.fields) for r in results]
        assert got == expected, size


def test_chunks_keep_to_their_limits() -> None:
    _, chunks, _ = staged([BODY], max_records=10)
    assert [len(json.loads(c)) for c in chunks] == [10, 10, 10, 10, 4]
    _, by_bytes, _ = staged([BODY], max_bytes=200)
    assert all(len(c.encode()) <= 200 for c in by_bytes[1:]) and len(by_bytes) > 5
    numbers = [record.number for chunk in by_bytes for record in decode_chunk(chunk)]
    assert numbers == sorted(numbers) and 3 not in numbers  # row 3 is the blank line (row 2 spans two lines)


def test_json_row_statements_split_on_utf8_bytes_and_keep_every_row() -> None:
    from shared.adapters.d1.prospects import json_rows_inserts

    rows = [[f"id-{i}", "Zoë Weiß – 東京" * (i % 7), i, None] for i in range(300)]
    queries = json_rows_inserts("INSERT INTO t SELECT * FROM json_each(CAST(? AS TEXT))", rows, max_bytes=2_000)
    assert len(queries) > 10
    params = [q.params[0] for q in queries]
    assert all(isinstance(p, bytes) and len(p) <= 2_000 for p in params)  # UTF-8 bytes (client.bound_text)
    assert [row for p in params for row in json.loads(p)] == rows
