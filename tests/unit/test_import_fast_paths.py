"""The import path's shortcuts (decision 0013, "Throughput") give exactly what the full rules give: the ASCII fold,
the printable-text `clean_line`, the cached domain parse, and building a record from already-validated fields."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.csv_import import ParsedRow, parse_csv_bytes
from shared.domain.csv_import.emails import _valid, check_email
from shared.domain.normalize import clean_line, fold, normalize_domain, normalize_email, strip_controls
from shared.domain.prospect_records import new_record, new_record_from_fields
from shared.domain.prospects import ProspectCreate, ProspectFields
from tests.samples import CSV_SAMPLES
from tests.unit.test_import_hints import TRICKY

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def full_fold(text: str) -> str:
    """The folding rule of decision 0015, written out without any shortcut."""
    decomposed = unicodedata.normalize("NFKD", text.casefold()).casefold()
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ı", "i")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_fold_is_the_full_rule(text: str) -> None:
    assert fold(text) == full_fold(text)


@given(st.text())
def test_fold_of_any_text_is_the_full_rule_twice(text: str) -> None:
    assert fold(text) == full_fold(text) == fold(text)  # the second call may come from the cache


@given(st.text())
def test_clean_line_is_the_full_rule(text: str) -> None:
    assert clean_line(text) == " ".join(strip_controls(text).split())


def test_clean_line_still_cleans_what_is_not_printable() -> None:
    assert clean_line("a\u00a0\u00a0b\u200b\tc\u2028d ") == "a b c d"


@pytest.mark.parametrize(
    "text", ["https://www.Hotel.example/about", "hotel.example", "www.www.x.example", "[::1]", "nope", "a..b.example"]
)
def test_a_cached_domain_is_the_uncached_one(text: str) -> None:
    from shared.domain.normalize import _cached_domain, _domain

    assert normalize_domain(text) == normalize_domain(text) == _domain(text)
    assert _cached_domain.cache_info().maxsize is not None  # bounded


def test_long_text_is_not_cached() -> None:
    from shared.domain.normalize import _CACHED_CHARS, _cached_domain, _cached_fold

    before = _cached_fold.cache_info().currsize, _cached_domain.cache_info().currsize
    long_name = "é" * (_CACHED_CHARS + 1)
    assert fold(long_name) == full_fold(long_name)
    long_host = "a." * (_CACHED_CHARS // 2) + "example"
    assert normalize_domain(long_host) == long_host
    assert (_cached_fold.cache_info().currsize, _cached_domain.cache_info().currsize) == before


@given(st.text(alphabet=st.characters(blacklist_characters=",;", blacklist_categories=("Zs", "Zl", "Zp", "Cc"))))
def test_a_bare_email_cell_is_checked_as_the_list_rule_would(text: str) -> None:
    # A trailing separator sends the same cell through the list rule (an empty piece is dropped).
    assert check_email(text) == check_email(text + ";")


ADDRESS = r"\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}(\.[A-Za-z0-9'-]{1,5})?@([A-Za-z0-9-]{1,8}\.){1,3}[A-Za-z]{2,6}\.?\Z"


@given(st.from_regex(ADDRESS))
def test_a_valid_address_is_what_normalize_email_makes_of_it(text: str) -> None:
    address, _ = _valid(text)
    local, _, domain = text.partition("@")
    assert address is None or address == normalize_email(f"{local}@{domain.rstrip('.').lower()}")


def rows_of(data: bytes) -> list[ParsedRow]:
    return [r for r in parse_csv_bytes([data]) if isinstance(r, ParsedRow)]


@pytest.mark.parametrize(
    "data", [(CSV_SAMPLES / "prospects_sample.csv").read_bytes(), TRICKY], ids=["sample", "tricky"]
)
def test_records_from_validated_fields_equal_validated_records(data: bytes) -> None:
    rows = rows_of(data)
    assert rows
    for row in rows:
        values = {"lead_source": "csv_import", **row.fields}
        validated = new_record(ProspectCreate.model_validate(values), prospect_id="p", now=NOW)
        fast = new_record_from_fields(values, prospect_id="p", now=NOW, hints=row.hints)
        assert fast == validated, row.row_number
        assert row.fields == ProspectFields.model_validate(row.fields).model_dump(exclude_none=True)


@pytest.mark.parametrize("max_bytes", [10_000_000, 2_000, 1])
def test_json_rows_in_one_call_are_the_rows_joined(max_bytes: int) -> None:
    from shared.adapters.d1.prospects import _split_json_rows, json_rows_inserts

    rows = [[f"id-{i}", "Zoë Weiß – 東京" * (i % 7), i, None, '["a","b"]'] for i in range(300)]
    statement = "INSERT INTO t SELECT * FROM json_each(?)"
    assert json_rows_inserts(statement, rows, max_bytes) == _split_json_rows(statement, rows, max_bytes)
    assert json_rows_inserts(statement, [], max_bytes) == []
