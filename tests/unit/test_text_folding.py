"""The one text-folding rule (normalize.fold) and the boundary cleaning rule, as properties and examples."""

from __future__ import annotations

import unicodedata
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.domain.csv_export import neutralise_cell, unneutralise
from shared.domain.csv_import.rows import clean_cell
from shared.domain.errors import ValidationFailed
from shared.domain.normalize import (
    SORT_NAME_CHARS,
    clean_line,
    clean_multiline,
    fold,
    normalize_company,
    person_key,
    search_text,
    sort_name,
)
from shared.domain.prospect_query import search_terms
from shared.domain.prospects import ProspectCreate

FORMS: tuple[Literal["NFC", "NFD", "NFKC", "NFKD"], ...] = ("NFC", "NFD", "NFKC", "NFKD")
_FULL_WIDTH = {c: chr(ord(c) - 0x21 + 0xFF01) for c in map(chr, range(0x21, 0x7F))}
# Name-like text: letters, marks, digits, spaces and a little punctuation from every script hypothesis knows.
names = st.text(st.characters(categories=("L", "M", "N", "Zs", "Pd", "Po")), min_size=1, max_size=40)
any_text = st.text(max_size=60)


def full_width(text: str) -> str:
    return "".join(_FULL_WIDTH.get(c, c) for c in text)


def variants(text: str) -> list[str]:
    """Ways the same name reaches us: each normalisation form, other cases, full-width ASCII."""
    return [
        *(unicodedata.normalize(form, text) for form in FORMS),
        text.upper(),
        text.lower(),
        text.title(),
        text.casefold(),
        full_width(text),
        full_width(text.upper()),
    ]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Müller", "MULLER"),
        ("Müller", "mu\u0308ller"),
        ("Müller", "Ｍüｌｌｅｒ"),
        ("Müller", "MÜLLER"),
        ("Straße", "STRASSE"),
        ("Straße", "strasse"),
        ("Finca ﬁlomena", "finca filomena"),
        ("Ｈｏｔｅｌ Ｓｏｎｎｅ", "hotel sonne"),
        ("Zoë Ångström", "ZOE ANGSTROM"),
        ("Yıldız", "YILDIZ"),
        ("Ꭰ", "ꭰ"),  # Cherokee: casefold maps small letters to capitals
    ],
)
def test_examples_fold_equal(stored: str, typed: str) -> None:
    assert fold(stored) == fold(typed)
    assert search_terms(typed) == tuple(search_text(stored).split())


@given(any_text)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(any_text)
def test_fold_is_equal_under_every_normalisation_form_and_case(text: str) -> None:
    folded = fold(text)
    for variant in variants(text):
        assert fold(variant) == folded, variant


@given(names)
def test_duplicate_keys_and_search_words_agree_across_variants(name: str) -> None:
    """Whatever duplicate detection calls equal (same company and person key), search words fold alike."""
    for variant in variants(name):
        assert person_key("Hotel Sonne", name, None) == person_key("Hotel Sonne", variant, None)
        assert normalize_company(name) == normalize_company(variant)
        assert sort_name(name) == sort_name(variant)


def test_folding_changes_the_keys_where_it_should() -> None:
    """Not a constant: different names stay different."""
    assert person_key("Hotel Sonne", "Müller", None) != person_key("Hotel Sonne", "Miller", None)
    assert fold("Straße") != fold("Strase")


def test_search_words_are_folded_and_validated() -> None:
    assert search_terms("  GRAND   Hôtel, ﬁnca - GRAND ") == ("grand", "hotel,", "finca")
    with pytest.raises(ValidationFailed):
        search_terms("!!! ---")


@given(st.text(max_size=2000))
def test_sort_name_fits_a_cursor(text: str) -> None:
    assert len(sort_name(text)) <= SORT_NAME_CHARS
    assert sort_name(text) == fold(text)[:SORT_NAME_CHARS]


_CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))]
_INVISIBLE = ["\u200b", *(chr(c) for c in range(0x202A, 0x202F)), *(chr(c) for c in range(0x2066, 0x206A)), "\ufeff"]


@given(any_text)
def test_clean_line_removes_controls_and_is_idempotent(text: str) -> None:
    cleaned = clean_line(text)
    assert not any(c in cleaned for c in (*_CONTROLS, *_INVISIBLE, "\n", "\r", "\t"))
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in cleaned)
    assert cleaned == cleaned.strip()
    assert clean_line(cleaned) == cleaned


@given(any_text)
def test_clean_multiline_keeps_line_breaks_and_is_idempotent(text: str) -> None:
    cleaned = clean_multiline(text)
    assert not any(c in cleaned for c in (*_CONTROLS, *_INVISIBLE, "\r", "\x85", "\u2028"))
    assert "\n\n\n" not in cleaned
    assert clean_multiline(cleaned) == cleaned


def test_cleaning_keeps_what_is_text() -> None:
    assert clean_line('👩\u200d💻 Ｈｏｔｅｌ  e\u0301 "=cmd" ') == '👩\u200d💻 Ｈｏｔｅｌ e\u0301 "=cmd"'
    assert clean_multiline("line 1\r\n\r\n\r\nline\x00 2\u2028\t end") == "line 1\n\nline 2\nend"


def test_the_api_models_apply_the_boundary_rule() -> None:
    data = ProspectCreate(
        first_name="Jo\x00hn\u202e",
        company_name="Hotel \n Sonne\x07",
        notes="a\r\nb\x00\n\n\n\nc",
        city="\ufeffMünchen",
    )
    assert (data.first_name, data.company_name, data.city) == ("John", "Hotel Sonne", "München")
    assert data.notes == "a\nb\n\nc"


def test_length_limits_hold_for_the_text_as_sent_then_it_is_cleaned() -> None:
    """The document's maxLength is what a client can check: a longer value is refused even if cleaning would shorten
    it (schemathesis: a schema-violating request must not be accepted); within it, controls are still removed."""
    assert ProspectCreate(company_name="x" * 150 + "\x00" * 50).company_name == "x" * 150
    with pytest.raises(ValidationError):
        ProspectCreate(company_name="x" * 200 + "\x00" * 50)


@given(st.text(alphabet=st.sampled_from("'= +-@\t\r＝＋－＠ax"), max_size=8) | any_text)
def test_the_importer_undoes_exactly_what_the_export_neutralised(text: str) -> None:
    assert unneutralise(neutralise_cell(text)) == text
    assert clean_cell(neutralise_cell(clean_line(text))) == clean_line(text)
