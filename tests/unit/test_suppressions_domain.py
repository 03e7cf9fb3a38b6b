"""The suppression domain: how addresses, domains and people are normalised, which domains an address falls under,
which reasons need an override to remove, the masked address a page shows, the API model, and the CSV reader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.domain.csv_import.errors import CsvFormatError
from shared.domain.errors import ValidationFailed
from shared.domain.suppressions import (
    SuppressionCreate,
    SuppressionKind,
    SuppressionReason,
    domains_for,
    mask_address,
    needs_override,
    normalize_address,
    normalize_domain_value,
    normalize_person,
    normalize_value,
    read_suppression_csv,
)


@pytest.mark.parametrize(
    ("given_", "stored"),
    [
        ("Anna.Berg@Sonnenhof-Hotel.example", "anna.berg@sonnenhof-hotel.example"),
        ("  <anna@hotel.example> ", "anna@hotel.example"),
        ("mailto:Anna@Hotel.Example", "anna@hotel.example"),
        ("jörg@Bücher.example", "jörg@xn--bcher-kva.example"),
    ],
)
def test_an_address_is_lower_cased_with_an_idna_domain(given_: str, stored: str) -> None:
    assert normalize_address(given_) == stored


@pytest.mark.parametrize("bad", ["", "anna", "anna@", "@hotel.example", "anna@hotel", "a b@hotel.example", None, 3])
def test_what_is_not_an_address_is_refused(bad: object) -> None:
    with pytest.raises(ValidationFailed):
        normalize_address(bad)


@pytest.mark.parametrize(
    ("given_", "stored"),
    [
        ("hotel.example", "hotel.example"),
        ("HOTEL.Example.", "hotel.example"),
        ("@hotel.example", "hotel.example"),
        ("https://www.Hotel.example/about?x=1", "hotel.example"),
        ("mail.hotel.example", "mail.hotel.example"),  # as given: a subdomain stays a subdomain
        ("hotel.example:8080", "hotel.example"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ],
)
def test_a_domain_is_read_from_what_users_paste(given_: str, stored: str) -> None:
    assert normalize_domain_value(given_) == stored


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("anna@hotel.example", "kind 'email'"),
        ("localhost", "not a domain"),
        ("192.168.1.10", "IP address"),
        ("-hotel.example", "not a domain"),
        ("hotel_.example", "not a domain"),
        ("a" * 64 + ".example", "not a domain"),
        ("", "not a domain"),
    ],
)
def test_what_is_not_a_domain_is_refused_with_why(bad: str, says: str) -> None:
    with pytest.raises(ValidationFailed, match=says):
        normalize_domain_value(bad)


def test_a_person_is_a_prospect_id() -> None:
    assert normalize_person(" 0123456789ABCDEF0123456789abcdef ") == "0123456789abcdef0123456789abcdef"
    for bad in ("anna@hotel.example", "123", "g" * 32, None):
        with pytest.raises(ValidationFailed):
            normalize_person(bad)


def test_an_address_falls_under_its_domain_and_each_parent_but_not_the_tld() -> None:
    assert domains_for("a@mx.eu.hotel.example") == ["mx.eu.hotel.example", "eu.hotel.example", "hotel.example"]
    assert domains_for("a@hotel.example") == ["hotel.example"]


def test_only_a_persons_objection_needs_an_override_to_remove() -> None:
    protected = {r for r in SuppressionReason if needs_override(r)}
    assert protected == {SuppressionReason.UNSUBSCRIBE, SuppressionReason.COMPLAINT}


def test_a_page_shows_the_first_letter_and_the_domain_only() -> None:
    assert mask_address("anna.berg@hotel.example") == "a***@hotel.example"
    assert mask_address("not-an-address") == "***"


@given(st.from_regex(r"[a-z0-9._%+-]{1,30}", fullmatch=True), st.from_regex(r"[a-z0-9]{1,20}\.example", fullmatch=True))
def test_a_masked_address_never_shows_more_than_one_character_of_the_local_part(local: str, domain: str) -> None:
    masked = mask_address(f"{local}@{domain}")
    assert masked == f"{local[0]}***@{domain}"
    assert len(masked.partition("@")[0].replace("*", "")) == 1  # one character of the local part, whatever its length


@given(st.emails())
def test_normalising_an_address_is_idempotent(address: str) -> None:
    try:
        once = normalize_address(address)
    except ValidationFailed:
        return
    assert normalize_address(once) == once
    assert once == once.lower() or not once.isascii()


def test_the_api_model_takes_every_reason_and_cleans_the_note() -> None:
    body = SuppressionCreate(kind=SuppressionKind.DOMAIN, value="https://www.Hotel.example/", note=" a \n note ")
    assert (body.reason, body.note) == (SuppressionReason.MANUAL, "a note")
    assert normalize_value(body.kind, body.value) == "hotel.example"
    reasons = {
        SuppressionCreate.model_validate({"kind": "email", "value": "a", "reason": r}).reason for r in SuppressionReason
    }
    assert reasons == set(SuppressionReason)  # every reason may be recorded by hand, with its source
    with pytest.raises(ValidationError):
        SuppressionCreate.model_validate({"kind": "email", "value": "a@hotel.example", "reason": "because"})
    with pytest.raises(ValidationError):
        SuppressionCreate.model_validate({"kind": "email", "value": "a@hotel.example", "extra": 1})


def test_a_csv_with_headers_aliases_reasons_notes_and_bad_rows() -> None:
    data = (
        "E-Mail Address;Reason;Comments\n"
        "Anna@Bücher.example;complaint;forwarded by the ESP\n"
        "\n"
        "not-an-address;;\n"
        "b@hotel.example;whatever;\n"
        "c@hotel.example;Hard Bounce;\n"
    ).encode()
    rows, problems = read_suppression_csv(data)
    assert [(r.row, r.kind, r.value, r.reason, r.note) for r in rows] == [
        (2, SuppressionKind.EMAIL, "anna@xn--bcher-kva.example", SuppressionReason.COMPLAINT, "forwarded by the ESP"),
        (6, SuppressionKind.EMAIL, "c@hotel.example", SuppressionReason.HARD_BOUNCE, None),
    ]
    assert [(p.row, p.value) for p in problems] == [(4, "not-an-address"), (5, "b@hotel.example")]
    assert "not an email address" in problems[0].error and "unknown reason 'whatever'" in problems[1].error


def test_a_csv_with_a_domain_column_and_one_with_both() -> None:
    rows, problems = read_suppression_csv(b"Website\nhttps://www.hotel.example\nchain.example\n")
    assert [(r.kind, r.value, r.reason) for r in rows] == [
        (SuppressionKind.DOMAIN, "hotel.example", SuppressionReason.IMPORT),
        (SuppressionKind.DOMAIN, "chain.example", SuppressionReason.IMPORT),
    ]
    rows, problems = read_suppression_csv(b"email,domain\na@x.example,\n,y.example\n,,\n")
    assert [(r.kind, r.value) for r in rows] == [
        (SuppressionKind.EMAIL, "a@x.example"),
        (SuppressionKind.DOMAIN, "y.example"),
    ]
    assert problems == []


def test_a_plain_list_without_a_header_in_utf16_or_cp1252() -> None:
    text = "anna@hotel.example\r\nbücher.example\r\nmüller@café.example\r\n"
    for data in (text.encode("utf-16"), text.encode("cp1252"), ("\ufeff" + text).encode()):
        rows, problems = read_suppression_csv(data)
        assert [(r.row, r.kind, r.value) for r in rows] == [
            (1, SuppressionKind.EMAIL, "anna@hotel.example"),
            (2, SuppressionKind.DOMAIN, "xn--bcher-kva.example"),
            (3, SuppressionKind.EMAIL, "müller@xn--caf-dma.example"),
        ], data
        assert problems == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"name,company\nAnna,Hotel\n", "no_identity_column"),
        (b"  \n\n", "empty_file"),
        (b"PK\x03\x04rest", "binary_file"),
    ],
)
def test_files_that_are_not_a_suppression_list(data: bytes, code: str) -> None:
    with pytest.raises(CsvFormatError) as raised:
        read_suppression_csv(data)
    assert raised.value.code == code
