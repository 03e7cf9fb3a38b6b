"""Unsubscribe tokens (shared/domain/sending/unsubscribe_tokens.py): round trip, tampering, wrong secrets, rotation,
opacity, determinism, size, and the secret setting."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.sending.unsubscribe_tokens import (
    MAX_RAW_ID_BYTES,
    MAX_TOKEN_CHARS,
    TokenInvalid,
    make_token,
    read_token,
    secrets_from,
)

OLD = b"old-secret-" + b"o" * 32
NEW = b"new-secret-" + b"n" * 32
OTHER = b"someone-else-" + b"x" * 32
EMAIL_ID = "0190a1b2c3d4e5f60718293a4b5c6d7e"  # the shape TimeOrderedIds makes

hex_ids = st.binary(min_size=16, max_size=16).map(bytes.hex)
raw_ids = st.text(min_size=1, max_size=20).filter(lambda text: 0 < len(text.encode()) <= MAX_RAW_ID_BYTES)
any_ids = st.one_of(hex_ids, raw_ids)


def test_round_trip_url_safe_and_short() -> None:
    token = make_token([NEW], EMAIL_ID)
    assert read_token([NEW], token) == EMAIL_ID
    assert len(token) == 55
    assert token.isascii() and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@given(any_ids)
def test_round_trip_any_id(email_id: str) -> None:
    token = make_token([NEW], email_id)
    assert read_token([NEW], token) == email_id
    assert len(token) <= MAX_TOKEN_CHARS and "=" not in token


def test_the_longest_raw_id_still_fits() -> None:
    email_id = "e" * MAX_RAW_ID_BYTES
    token = make_token([NEW], email_id)
    assert len(token) == MAX_TOKEN_CHARS and read_token([NEW], token) == email_id
    for bad in ("", "e" * (MAX_RAW_ID_BYTES + 1)):
        with pytest.raises(ValueError, match="email id"):
            make_token([NEW], bad)
    with pytest.raises(ValueError, match="secret"):
        make_token([], EMAIL_ID)


@given(any_ids)
def test_deterministic_so_header_and_footer_agree(email_id: str) -> None:
    assert make_token([NEW], email_id) == make_token([NEW, OLD], email_id)
    assert make_token([NEW], email_id) != make_token([OLD], email_id)


@settings(max_examples=60)
@given(any_ids, st.data())
def test_tampering_with_any_byte_or_character_is_refused(email_id: str, data: st.DataObject) -> None:
    token = make_token([NEW], email_id)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid):
        read_token([NEW], tampered)
    # Every other spelling of the text too, the last character's unused bits included.
    index = data.draw(st.integers(0, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    replacement = data.draw(st.sampled_from([char for char in alphabet if char != token[index]]))
    with pytest.raises(TokenInvalid):
        read_token([NEW], token[:index] + replacement + token[index + 1 :])


def test_truncated_extended_and_garbage_tokens_are_refused() -> None:
    token = make_token([NEW], EMAIL_ID)
    for bad in (token[:-1], token[:-2], token + "A", token + "AA", token + "=", "", "A", "x" * 200, token[:10],
                token.replace("-", "+").replace("_", "/"), f" {token}", f"{token}\n", "../../etc/passwd"):  # fmt: skip
        if bad == token:
            continue
        with pytest.raises(TokenInvalid):
            read_token([NEW], bad)


def test_a_wrong_secret_is_refused() -> None:
    token = make_token([NEW], EMAIL_ID)
    with pytest.raises(TokenInvalid):
        read_token([OTHER], token)
    with pytest.raises(TokenInvalid):
        read_token([], token)


def test_rotation_the_first_signs_every_secret_verifies() -> None:
    before = make_token([OLD], EMAIL_ID)
    after = make_token([NEW, OLD], EMAIL_ID)  # rotated: NEW signs, OLD still verifies
    assert read_token([NEW, OLD], before) == EMAIL_ID
    assert read_token([NEW, OLD], after) == EMAIL_ID
    assert read_token([OLD, NEW], after) == EMAIL_ID
    with pytest.raises(TokenInvalid):
        read_token([NEW], before)  # OLD retired: its tokens stop working


def test_a_forged_tag_over_a_valid_layout_is_refused() -> None:
    # Someone who knows the format but not the secret: version, IV, cipher of their choice, a tag under their key.
    body = bytes([1]) + bytes(8) + bytes.fromhex(EMAIL_ID)
    tag = hmac.new(OTHER, body, hashlib.sha256).digest()[:16]
    forged = base64.urlsafe_b64encode(body + tag).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid):
        read_token([NEW], forged)


@given(hex_ids)
def test_opaque_the_id_does_not_appear(email_id: str) -> None:
    token = make_token([NEW], email_id)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert email_id not in token.lower()
    assert bytes.fromhex(email_id) not in raw
    assert base64.urlsafe_b64encode(bytes.fromhex(email_id)).rstrip(b"=").decode() not in token
    assert all(email_id[i : i + 8] not in token.lower() for i in range(0, 32, 8))


@given(raw_ids.filter(lambda text: len(text) >= 4))
def test_opaque_a_raw_id_does_not_appear(email_id: str) -> None:
    token = make_token([NEW], email_id)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert email_id.encode() not in raw and email_id not in token


def test_ids_that_share_a_prefix_share_no_ciphertext() -> None:
    # Time-ordered ids made in the same millisecond differ only at the end; their tokens must not show it.
    first = base64.urlsafe_b64decode(make_token([NEW], "0190a1b2c3d4" + "0" * 20) + "=")
    second = base64.urlsafe_b64decode(make_token([NEW], "0190a1b2c3d4" + "0" * 19 + "1") + "=")
    assert first[0] == second[0] == 1  # the version byte
    common = sum(a == b for a, b in zip(first[1:], second[1:], strict=True))
    assert common <= 6  # about 40 bytes at 1/256 each: chance agreement only


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a" * 32, [b"a" * 32]),
        (f"{'n' * 40}, {'o' * 33}", [b"n" * 40, b"o" * 33]),
        (f" {'é' * 32} ", ["é".encode() * 32]),
    ],
)
def test_secrets_from_parses_the_setting(value: str, expected: list[bytes]) -> None:
    assert secrets_from(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "not set"),
        ("", "not set"),
        ("   ", "not set"),
        ("short", "secret 1 has 5 characters"),
        (f"{'a' * 32},", "secret 2 has 0 characters"),
        (f"{'a' * 32},{'b' * 31}", "secret 2 has 31 characters"),
    ],
)
def test_secrets_from_refuses_weak_or_missing_secrets(value: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        secrets_from(value)
    assert "b" * 31 not in str(caught.value) and "short" not in str(caught.value)  # never the secret itself
