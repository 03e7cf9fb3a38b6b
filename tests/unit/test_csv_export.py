"""CSV export (shared/domain/csv_export.py): formula injection neutralised, RFC 4180 lines, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.csv_export import csv_lines, neutralise_cell
from shared.domain.csv_import import parse_rows
from shared.domain.csv_import.results import ParsedRow
from shared.domain.prospects import EmailStatus


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 89 123", "'+49 89 123"),
        ("-5", "'-5"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("\tplain tab", "'\tplain tab"),
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        (" =1+1", "' =1+1"),
        ("\n =1+1", "'\n =1+1"),
        ("\u3000=1+1", "'\u3000=1+1"),
        ("＝1+1", "'＝1+1"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
    ],
)
def test_formula_triggers_are_neutralised(value: str, expected: str) -> None:
    assert neutralise_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Hotel Sonnenhof", "Hotel Sonnenhof"),
        ("a=b", "a=b"),
        ("jane@hotel.example", "jane@hotel.example"),
        ("O'Connor", "O'Connor"),
        ("", ""),
        (None, ""),
        (-5, "-5"),
        (3.5, "3.5"),
        (0, "0"),
        (True, "true"),
        (EmailStatus.VALID, "valid"),
        (["spa", "vip"], "spa, vip"),
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05+00:00"),
    ],
)
def test_safe_values_are_unchanged(value: object, expected: str) -> None:
    assert neutralise_cell(value) == expected


def test_lines_are_rfc4180() -> None:
    lines = list(
        csv_lines(
            ["name", "notes", "phone"],
            [["Lee, Ann", 'said "hi"\nthen left', "+49 1"], {"name": "Bob", "phone": None}, ["", "", ""]],
        )
    )
    assert lines == [
        "name,notes,phone\r\n",
        '"Lee, Ann","said ""hi""\nthen left",\'+49 1\r\n',
        "Bob,,\r\n",
        ",,\r\n",
    ]


def test_lines_are_lazy() -> None:
    consumed = count()

    def rows() -> Iterator[list[int]]:
        for i in range(1_000_000_000):
            next(consumed)
            yield [i]

    lines = csv_lines(["n"], rows())
    assert next(lines) == "n\r\n"
    assert next(lines) == "0\r\n"
    assert next(consumed) == 1  # one row read so far


CELL = st.one_of(st.text(), st.integers(), st.none(), st.sampled_from(["=1", "+1", "-1", "@a", "\t=", "\r=", " =x"]))


@given(st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=20))
def test_csv_reader_reads_back_the_neutralised_cells(rows: list[list[object]]) -> None:
    text = "".join(csv_lines(["a", "b", "c"], rows))
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == ["a", "b", "c"]
    assert read[1:] == [[neutralise_cell(cell) for cell in row] for row in rows]


@given(st.text())
def test_nothing_exported_starts_a_formula(text: str) -> None:
    cell = neutralise_cell(text)
    stripped = cell.lstrip()
    assert not stripped[:1] or stripped[0] not in "=+-@＝＋－＠" or cell.startswith("'")
    assert not cell[:1] or cell[0] not in "\t\r"


def test_export_then_import_round_trips() -> None:
    header = ["email", "first_name", "last_name", "phone", "notes"]
    rows = [["ann@hotel.example", "Ann", "Lee", "+49 89 123", "=not a formula, just notes"]]
    (row,) = list(parse_rows(csv_lines(header, rows)))
    assert isinstance(row, ParsedRow)
    assert row.fields["phone"] == "+49 89 123"
    assert row.fields["notes"] == "=not a formula, just notes"
