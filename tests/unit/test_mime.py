"""Outgoing MIME (shared/domain/sending/mime.py): every header parsed back with the modern parser, RFC 8058 and
RFC 2369 headers exact, RFC 5322 line lengths, threading, encodings in several scripts, addresses, injection."""

from __future__ import annotations

import dataclasses
import email.utils
import re
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.sending.mime import MailParts, build_mime

BASE = MailParts(
    message_id="<0190a1b2c3d4e5f60718293a4b5c6d7e@jengu-demo.test>",
    from_address="anna@jengu-demo.test",
    from_name="Anna Berg",
    to_address="bob@hotel-sol.example",
    reply_to=None,
    subject="A short note for Hotel Sol",
    text="Hi Bob,\n\nA short note.\n\nBest regards,\nAnna\n",
    html=None,
    in_reply_to=None,
    references=None,
    date=datetime(2025, 3, 4, 9, 30, 0, tzinfo=UTC),
    unsubscribe_url="https://jengu-demo.test/u/AQzx3mB8dQk2lq0Zr9t1uVwXyZ_-abcdEFGHijklMNOP",
    unsubscribe_mailto="mailto:unsubscribe@jengu-demo.test?subject=unsubscribe",
)

SUBJECTS = {
    "german": "Grüße aus München: Ihre Zimmerbuchungen für die Saison – ein kurzer Vorschlag für das Hotel",
    "greek": "Μια σύντομη ερώτηση για το ξενοδοχείο σας στην Αθήνα και τις κρατήσεις της σεζόν",
    "japanese": "ホテルの予約管理についての簡単なご提案です。来シーズンに向けてお話しできれば幸いです。",
    "arabic": "سؤال قصير حول فندقكم في دبي وحجوزات الموسم القادم مع اقتراح بسيط للتعاون",
    "emoji": "Quick idea for your rooftop 🏨🌅✨ — 👨‍👩‍👧‍👦 family suites and 🇪🇸 guests 🎉🎉🎉🎉🎉",
}


def build(**changes: Any) -> tuple[bytes, dict[str, str], EmailMessage]:
    raw, extra = build_mime(dataclasses.replace(BASE, **changes))
    return raw, extra, BytesParser(policy=policy.default).parsebytes(raw)


def content(part: object) -> str:
    """A part's decoded text with line ends as LF (the parser keeps a 7bit part's CRLF)."""
    return cast(EmailMessage, part).get_content().replace("\r\n", "\n")


def display_name(raw: bytes) -> tuple[str, str]:
    """(display name, address) of From as RFC 2047 §6.2 reads it: whitespace between adjacent encoded-words is
    dropped. (The stdlib's modern address parser inserts a space there, so it is not the judge of names.)"""
    unfolded = b"\r\n".join(header_block(raw)).replace(b"\r\n ", b" ").decode("ascii")
    value = next(line for line in unfolded.split("\r\n") if line.startswith("From:"))[5:].strip()
    name, address = email.utils.parseaddr(value)
    return (str(make_header(decode_header(name))) if "=?" in name else name), address


def header_block(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def physical_header_lines(raw: bytes, name: str) -> list[bytes]:
    """The physical lines of one header (its first line and its continuation lines)."""
    lines = header_block(raw)
    out: list[bytes] = []
    for line in lines:
        if out and line[:1] in (b" ", b"\t"):
            out.append(line)
        elif out:
            break
        elif line.lower().startswith(name.lower().encode() + b":"):
            out.append(line)
    return out


def test_every_header_parses_back() -> None:
    _, extra, msg = build(reply_to="replies@jengu-demo.test")
    assert msg["Message-ID"] == BASE.message_id
    assert email.utils.parsedate_to_datetime(str(msg["Date"])) == BASE.date
    assert str(msg["From"]) == "Anna Berg <anna@jengu-demo.test>"
    assert msg["From"].addresses[0].display_name == "Anna Berg"
    assert str(msg["To"]) == "bob@hotel-sol.example"
    assert str(msg["Reply-To"]) == "replies@jengu-demo.test"
    assert msg["Subject"] == BASE.subject
    assert msg["MIME-Version"] == "1.0"
    assert msg["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg["Content-Transfer-Encoding"] == "7bit"  # pure ASCII, short lines
    assert content(msg) == BASE.text
    assert msg.defects == []
    names = [name.lower() for name in msg]
    assert len(names) == len(set(names))  # every header once
    assert "auto-submitted" not in names and "precedence" not in names
    assert "in-reply-to" not in names and "references" not in names  # a first email does not thread
    assert extra == {
        "List-Unsubscribe": f"<{BASE.unsubscribe_url}>, <{BASE.unsubscribe_mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }


def test_rfc_8058_pair_is_exact_on_the_wire() -> None:
    raw, _, msg = build()
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    assert msg["List-Unsubscribe"] == f"<{BASE.unsubscribe_url}>, <{BASE.unsubscribe_mailto}>"
    # RFC 2369: angle-bracketed URIs separated by commas, the https one first (what one-click POSTs to).
    assert re.findall(r"<([^<>]+)>", str(msg["List-Unsubscribe"])) == [BASE.unsubscribe_url, BASE.unsubscribe_mailto]


def test_long_unsubscribe_urls_and_ids_are_kept_verbatim_never_encoded() -> None:
    long_url = "https://unsubscribe.jengu-demo.test/u/" + "Ab1-_" * 16
    long_id = "<" + "f" * 64 + "." + "0" * 32 + "@mail.jengu-demo.test>"
    refs = " ".join(f"<{n:032x}.{n:032x}@mail.example.com>" for n in range(8))
    raw, extra, msg = build(unsubscribe_url=long_url, message_id=long_id, in_reply_to=long_id, references=refs)
    assert b"=?" not in b"\r\n".join(header_block(raw))  # no encoded-word anywhere (all of it is ASCII)
    assert msg["Message-ID"] == long_id
    assert msg["In-Reply-To"] == long_id and extra["In-Reply-To"] == long_id
    assert msg["References"] == refs and extra["References"] == refs
    assert re.findall(r"<([^<>]+)>", str(msg["List-Unsubscribe"]))[0] == long_url
    for name in ("References", "List-Unsubscribe"):
        lines = physical_header_lines(raw, name)
        assert len(lines) > 1  # folded between tokens...
        assert all(len(line) <= 78 or len(line.split()) <= 2 for line in lines)  # ...and only one token past 78


def test_threading_headers_for_a_follow_up() -> None:
    parent = "<0190a1b2c3d4e5f60718293a4b5c6d7e@jengu-demo.test>"
    root = "<0190a1b2c3d4e5f60718293a4b5c6d00@jengu-demo.test>"
    _, extra, msg = build(
        message_id="<0190a1b2c3d4e5f60718293a4b5c6d99@jengu-demo.test>",
        subject="Re: A short note for Hotel Sol",
        in_reply_to=parent,
        references=f"{root}  {parent}",
    )
    assert msg["In-Reply-To"] == parent
    assert msg["References"] == f"{root} {parent}"
    assert msg["Subject"] == "Re: A short note for Hotel Sol"  # kept as given
    assert extra["In-Reply-To"] == parent and extra["References"] == f"{root} {parent}"


def test_text_first_multipart_alternative_when_html_is_given() -> None:
    html = "<p>Hi Bob,</p><p>A short note – with an <b>accent</b>: café.</p>"
    raw, _, msg = build(html=html)
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert content(parts[0]) == BASE.text
    assert content(parts[1]).rstrip("\n") == html
    assert all(part["MIME-Version"] is None for part in parts)  # only at the top
    assert msg.get_body() is not None
    assert content(msg.get_body(("plain",))) == BASE.text
    boundary = msg.get_boundary()
    assert boundary is not None and raw.count(f"--{boundary}".encode()) == 3
    # The boundary is derived from the Message-ID: the same parts give the same bytes (a retry sends the same).
    assert build(html=html)[0] == raw
    assert build(html=html, message_id="<other@jengu-demo.test>")[2].get_boundary() != boundary


def test_a_body_that_contains_the_boundary_gets_a_longer_one() -> None:
    _, _, first = build(html="<p>x</p>")
    boundary = first.get_boundary()
    assert boundary is not None
    _, _, msg = build(html="<p>x</p>", text=f"see --{boundary} here\n")
    assert msg.get_boundary() != boundary
    assert content(msg.get_body(("plain",))) == f"see --{boundary} here\n"


@pytest.mark.parametrize("script", sorted(SUBJECTS))
def test_subjects_and_bodies_in_other_scripts(script: str) -> None:
    subject = SUBJECTS[script]
    text = f"{subject}\n\n{subject}\n"
    raw, _, msg = build(subject=subject, text=text, html=f"<p>{subject}</p>", from_name=subject[:20])
    assert msg["Subject"] == subject
    assert display_name(raw) == (subject[:20].strip(), BASE.from_address)
    body = cast(EmailMessage, msg.get_body(("plain",)))
    assert content(body) == text
    assert body["Content-Transfer-Encoding"] in {"quoted-printable", "base64"}
    assert raw.isascii()  # 7-bit clean on the wire: headers encoded, bodies transfer-encoded
    assert_line_rules(raw)


def test_transfer_encoding_follows_the_content() -> None:
    assert build(text="plain ascii\n")[2]["Content-Transfer-Encoding"] == "7bit"
    assert build(text="x" * 200 + "\n")[2]["Content-Transfer-Encoding"] == "quoted-printable"  # a long line
    assert build(text="Grüße, ein Satz mit Umlauten.\n")[2]["Content-Transfer-Encoding"] == "quoted-printable"
    assert build(text=SUBJECTS["japanese"] * 3)[2]["Content-Transfer-Encoding"] == "base64"


def test_a_400_character_subject_is_folded() -> None:
    words = "Hotel Sol rooftop terrace bookings for the coming season and a short question"
    subject = ((words + " ") * 6)[:400]
    assert len(subject) == 400
    raw, _, msg = build(subject=subject)
    assert msg["Subject"] == subject
    lines = physical_header_lines(raw, "Subject")
    assert len(lines) >= 6 and all(len(line) <= 78 for line in lines)
    raw, _, msg = build(subject=SUBJECTS["japanese"] * 9)  # ~400 characters of CJK: encoded-words
    assert msg["Subject"] == SUBJECTS["japanese"] * 9
    assert all(len(line) <= 78 for line in physical_header_lines(raw, "Subject"))


def assert_line_rules(raw: bytes) -> None:
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")  # CRLF only
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 998 for line in lines)
    for line in header_block(raw):
        # A header line may pass 78 only when it is a single unbreakable token after the name or the fold.
        assert len(line) <= 78 or len(line.split()) <= 2, line


_NO_LINE_BREAKS = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"])
# Words the folder finds hard: ASCII specials and "=?", long unbreakable runs, any script, mixed with spaces and tabs.
_WORD = st.one_of(
    st.text(alphabet='abcXYZ019-=?_:;"(),.<>@\\', min_size=1, max_size=90),
    st.text(alphabet=_NO_LINE_BREAKS, min_size=1, max_size=40),
)
_PHRASE = st.lists(st.tuples(st.sampled_from([" ", "  ", "\t", " \t "]), _WORD), max_size=12).map(
    lambda pairs: "".join(space + word for space, word in pairs)
)


@settings(max_examples=300, deadline=None)
@given(
    subject=st.one_of(_PHRASE, _PHRASE.map(str.strip), st.text(alphabet=_NO_LINE_BREAKS, max_size=300)),
    name=st.one_of(_PHRASE, st.text(alphabet=_NO_LINE_BREAKS, max_size=80)),
    text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400),
)
def test_any_subject_name_and_body_round_trip_within_the_line_rules(subject: str, name: str, text: str) -> None:
    raw, _, msg = build(subject=subject, from_name=name or None, text=text)
    assert_line_rules(raw)
    assert msg["Subject"] == subject  # exactly, whitespace included
    assert display_name(raw) == (" ".join(name.split()), BASE.from_address)
    expected = "\n".join(re.split(r"\r\n|\r|\n", text))  # line ends become CRLF on the wire, LF when read
    assert content(msg.get_body(("plain",))).rstrip("\n") == expected.rstrip("\n")


@pytest.mark.parametrize(
    "subject",
    [
        ":::::: ::::::::::: 000¡¡¡¡¡¡¡𐀀𐀀 : ¡",  # the stdlib's own folder doubles the space before the last word
        "  leading and trailing spaces  ",
        "a literal =?utf-8?q?encoded_word?= stays literal",
        "see https://jengu-demo.test/" + "a-very-long-path-segment/" * 5,  # an ASCII word longer than a line
        "tab\tseparated\t\twords",
        "",
    ],
)
def test_awkward_subjects_are_kept_exactly(subject: str) -> None:
    raw, _, msg = build(subject=subject)
    assert msg["Subject"] == subject
    assert all(len(line) <= 78 for line in physical_header_lines(raw, "Subject"))


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ('Anna "the boss" Berg', b'From: "Anna \\"the boss\\" Berg" <anna@jengu-demo.test>'),
        ("Berg, Anna", b'From: "Berg, Anna" <anna@jengu-demo.test>'),
        ("Anna (Sales) <Berg>", b'From: "Anna (Sales) <Berg>" <anna@jengu-demo.test>'),
        ("José Müller-Lüdenscheidt", b"From: =?utf-8?"),
        ("Zoë, O'Brien & Søn", b"From: =?utf-8?"),
        ("back\\slash", b'From: "back\\\\slash" <anna@jengu-demo.test>'),
    ],
)
def test_display_names_with_specials_and_accents(name: str, wire: bytes) -> None:
    raw, _, msg = build(from_name=name)
    assert wire in raw
    assert display_name(raw) == (name, "anna@jengu-demo.test")
    assert msg["From"].addresses[0].addr_spec == "anna@jengu-demo.test"
    assert all(len(line) <= 78 for line in physical_header_lines(raw, "From"))


def test_no_display_name() -> None:
    for name in (None, "", "   "):
        raw, _, msg = build(from_name=name)
        assert b"\r\nFrom: anna@jengu-demo.test\r\n" in raw
        assert msg["From"].addresses[0].display_name == ""


def test_idna_domains_in_addresses() -> None:
    raw, _, msg = build(
        from_address="anna@hôtel-müller.example",
        to_address="info@bücher.example",
        reply_to="antwort@straße.example",
    )
    domain = msg["From"].addresses[0].domain
    assert domain.startswith("xn--") and domain.encode("ascii").decode("idna") == "hôtel-müller.example"
    assert str(msg["To"]) == "info@xn--bcher-kva.example"  # the RFC 3492 example's label
    assert str(msg["Reply-To"]) == "antwort@strasse.example"  # IDNA 2003 (the stdlib codec) maps ß to ss
    assert raw.isascii()


@pytest.mark.parametrize("field", ["from_address", "to_address", "reply_to"])
def test_a_non_ascii_local_part_needs_smtputf8_and_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match="SMTPUTF8") as caught:
        build(**{field: "jösé@example.com"})
    assert {"from_address": "From", "to_address": "To", "reply_to": "Reply-To"}[field] in str(caught.value)


@pytest.mark.parametrize(
    "address", ["no-at-sign", "@example.com", "a@", "a b@example.com", "a@b@example.com", "a@localhost", "a@-x.com"]
)
def test_malformed_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValueError, match="To address"):
        build(to_address=address)


INJECTIONS = ["\r\nBcc: victim@example.com", "\nBcc: x@example.com", "\rX: y", "a\u2028b", "a\x85b", "a\x0bb", "\x00"]


@pytest.mark.parametrize("evil", INJECTIONS)
@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("subject", "Subject"),
        ("from_name", "From"),
        ("from_address", "From"),
        ("to_address", "To"),
        ("reply_to", "Reply-To"),
        ("message_id", "Message-ID"),
        ("in_reply_to", "In-Reply-To"),
        ("references", "References"),
        ("unsubscribe_url", "unsubscribe_url"),
        ("unsubscribe_mailto", "unsubscribe_mailto"),
    ],
)
def test_header_injection_is_impossible(field: str, named: str, evil: str) -> None:
    valid = getattr(BASE, field) or "replies@jengu-demo.test"
    value = valid[:-1] + evil + valid[-1] if field in {"message_id", "in_reply_to", "references"} else valid + evil
    if field in {"in_reply_to", "references"}:
        value = "<a@b.example" + evil + ">"
    with pytest.raises(ValueError, match=named):
        build(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("message_id", "no-brackets@jengu-demo.test"),
        ("message_id", "<no-at-sign>"),
        ("message_id", "<a b@jengu-demo.test>"),
        ("in_reply_to", "<a@b> <c@d>"),
        ("references", "<a@b>, <c@d>"),
        ("unsubscribe_url", "http://jengu-demo.test/u/x"),
        ("unsubscribe_url", "https://jengu-demo.test/u/a,b"),
        ("unsubscribe_url", "https://jengu-demo.test/u/ä"),
        ("unsubscribe_mailto", "unsubscribe@jengu-demo.test"),
        ("message_id", "<" + "a" * 990 + "@b.example>"),
    ],
)
def test_malformed_ids_and_urls_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValueError):
        build(**{field: value})


def test_date_is_rfc_5322_with_its_offset_and_must_be_aware() -> None:
    when = datetime(2025, 7, 1, 8, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    raw, _, msg = build(date=when)
    assert b"\r\nDate: Tue, 01 Jul 2025 08:00:00 +0200\r\n" in raw
    assert msg["Date"].datetime == when
    with pytest.raises(ValueError, match="timezone-aware"):
        build(date=datetime(2025, 7, 1, 8, 0, 0))  # a naive date


def test_the_raw_bytes_use_crlf_only_whatever_the_input_line_ends() -> None:
    raw, _, msg = build(text="one\ntwo\r\nthree\rfour\n", html="<p>a</p>\n<p>b</p>\r\n")
    assert_line_rules(raw)
    assert content(msg.get_body(("plain",))) == "one\ntwo\nthree\nfour\n"
