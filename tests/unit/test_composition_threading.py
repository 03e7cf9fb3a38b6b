"""Follow-up threading headers (thread_headers.py) and Message-IDs (message_ids.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.composition.message_ids import message_id
from shared.domain.composition.thread_headers import MAX_REFERENCES_CHARS, reply_subject, thread_references


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("A question about Hotel Sol", "Re: A question about Hotel Sol"),
        ("Re: A question", "Re: A question"),
        ("RE: re: Re:A question", "Re: A question"),
        ("Aw: AW: Frage", "Re: Frage"),
        ("Antw: Vraag", "Re: Vraag"),
        ("Re[2]: Re(3): Hello", "Re: Hello"),
        ("Re : Bonjour", "Re: Bonjour"),
        ("Fwd: Offer", "Re: Fwd: Offer"),
        ("Re: Fwd: Offer", "Re: Fwd: Offer"),
        ("  spaced   out  ", "Re: spaced out"),
        ("Regarding rooms", "Re: Regarding rooms"),
        ("Rooms: 40", "Re: Rooms: 40"),
        ("", "Re:"),
    ],
)
def test_reply_subject(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


@given(st.text(max_size=60))
def test_reply_subject_is_idempotent_and_never_doubles(subject: str) -> None:
    once = reply_subject(subject)
    assert reply_subject(once) == once
    assert not once.lower().startswith("re: re:")


def test_the_first_reply_references_the_parent() -> None:
    assert thread_references("<a@x.example>", None) == ("<a@x.example>", "<a@x.example>")
    assert thread_references("a@x.example", "") == ("<a@x.example>", "<a@x.example>")


def test_later_replies_extend_the_chain() -> None:
    in_reply_to, refs = thread_references("<b@x.example>", "<a@x.example>")
    assert (in_reply_to, refs) == ("<b@x.example>", "<a@x.example> <b@x.example>")
    assert thread_references("<c@x.example>", refs)[1] == "<a@x.example> <b@x.example> <c@x.example>"


def test_without_references_the_parents_in_reply_to_is_used() -> None:
    refs = thread_references("<b@x.example>", None, parent_in_reply_to="<a@x.example>")[1]
    assert refs == "<a@x.example> <b@x.example>"


def test_folded_and_repeated_references_are_read() -> None:
    refs = thread_references("<c@x.example>", "<a@x.example>\r\n <b@x.example>  <c@x.example>")[1]
    assert refs == "<a@x.example> <b@x.example> <c@x.example>"


@given(st.integers(0, 200))
def test_long_chains_drop_middle_ids_but_keep_the_first_and_the_last(n: int) -> None:
    chain = " ".join(f"<{i:04d}.{'x' * 30}@mail.example>" for i in range(n))
    parent = "<parent@mail.example>"
    _, refs = thread_references(parent, chain)
    ids = refs.split(" ")
    assert len(refs) <= MAX_REFERENCES_CHARS
    assert ids[-1] == parent
    if n:
        assert ids[0] == chain.split(" ")[0]
        kept = ids[1:-1]
        assert kept == chain.split(" ")[len(chain.split(" ")) - len(kept) :]  # the newest of the middle stay


@pytest.mark.parametrize("bad", ["", "no-at-sign", "<a b@x>", "<>"])
def test_a_parent_that_is_not_a_message_id_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        thread_references(bad, None)


def test_message_ids() -> None:
    assert message_id("01HZX3.k-9_a", "Jengu.Example") == "<01HZX3.k-9_a@jengu.example>"
    assert message_id("abc", "hôtel.example.") == "<abc@xn--htel-vqa.example>"


@pytest.mark.parametrize("unique", ["", "a b", "a@b", ".a", "a.", "a..b", "<a>", "ü", "x" * 129])
def test_bad_unique_parts_are_refused(unique: str) -> None:
    with pytest.raises(ValueError):
        message_id(unique, "jengu.example")


@pytest.mark.parametrize("domain", ["", "localhost", "a_b.example", "-a.example", "a..example", "x@y.example"])
def test_bad_domains_are_refused(domain: str) -> None:
    with pytest.raises(ValueError):
        message_id("abc", domain)


def test_a_message_id_threads() -> None:
    first = message_id("m1", "jengu.example")
    assert thread_references(first, None) == (first, first)
