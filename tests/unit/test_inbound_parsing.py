"""Inbound header summaries never raise, whatever the bytes: crafted nasty messages and hypothesis fuzzing."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.inbound import (
    MAX_HEADER_BYTES,
    MAX_HEADER_CHARS,
    HeaderSummary,
    header_block,
    summarise_headers,
)
from shared.messages.payloads import InboundReceived
from shared.service_layer.inbound import parse_inbound, receive_email
from tests.fakes import fake_services


def assert_storable(summary: HeaderSummary) -> None:
    """What parse_inbound writes to D1: None or clean, bounded, UTF-8-encodable single-line text."""
    for value in (summary.message_id, summary.subject, summary.in_reply_to):
        if value is None:
            continue
        assert 0 < len(value) <= MAX_HEADER_CHARS
        value.encode("utf-8")  # no lone surrogates
        assert value == value.strip()
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value)


def nested(depth: int) -> bytes:
    parts = [b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n) for n in range(depth)]
    return b"Subject: deep\r\n" + b"".join(parts) + b"text\r\n"


NASTY: dict[str, bytes] = {
    "empty": b"",
    "only a blank line": b"\r\n",
    "no headers, 8-bit garbage": b"\xff\xfe\x00garbage without headers",
    "NUL and controls in headers": b"Subject: a\x00b\x07c\x1b[31m\r\nMessage-ID: <\x00@x>\r\n\r\n",
    "raw UTF-8 header (RFC 6532)": "Subject: Grüße aus München 🏨\r\n\r\nBody".encode(),
    "raw latin-1 header": "Subject: Grüße\r\n\r\n".encode("latin-1"),
    "unknown charset": b"Subject: =?x-unknown?Q?caf=E9?=\r\n\r\n",
    "lying charset": b"Subject: =?utf-8?B?/w==?= =?us-ascii?Q?=FF?=\r\n\r\n",
    "non-text codec as charset": b"Subject: =?zlib?B?eJzLSM3JyQcABiwCFQ==?= =?idna?Q?=FF?=\r\n\r\n",
    "broken base64 encoded word": b"Subject: =?utf-8?B?@@@?= =?utf-8?Q?=ZZ?= =?utf-8?X?abc?=\r\n\r\n",
    "half an encoded word": b"Subject: =?utf-8?B?\r\n\r\n",
    "encoded words decoded": b"Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?= aus =?iso-8859-1?B?5Q==?= =?utf-8?Q?_x?=\r\n\r\n",
    "header without colon": b"this is not a header\r\nSubject: after\r\n\r\n",
    "continuation first": b" folded first\r\nSubject: x\r\n\r\n",
    "CR only line endings": b"Subject: cr\rMessage-ID: <m@x>\r\rBody",
    "LF only line endings": b"Subject: lf\nMessage-ID: <m@x>\n\nBody",
    "huge header line": b"Subject: " + b"A" * (4 * MAX_HEADER_BYTES) + b"\r\n\r\nBody",
    "many headers": b"".join(b"X-H%d: v\r\n" % n for n in range(50_000)) + b"Subject: late\r\n\r\n",
    "deep nesting": nested(5_000),
    "broken boundaries": b'Subject: b\r\nContent-Type: multipart/mixed; boundary="\r\n\r\n--\r\n--"--\r\n\x00--',
    "missing boundary": b"Subject: b\r\nContent-Type: multipart/alternative\r\n\r\n--x\r\n\r\n",
    "bad transfer encoding": b"Subject: t\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@===",
    "bidi and zero-width": "Subject: \u202egnp.exe\u200b\ufeff\r\n\r\n".encode(),
    "lone surrogate bytes": b"Subject: \xed\xa0\x80\r\n\r\n",
    "duplicate subjects": b"Subject: first\r\nSubject: second\r\n\r\n",
}


@pytest.mark.parametrize("raw", NASTY.values(), ids=NASTY.keys())
def test_nasty_messages_summarise_without_raising(raw: bytes) -> None:
    assert_storable(summarise_headers(raw))


def test_what_the_nasty_messages_give() -> None:
    s = {name: summarise_headers(raw) for name, raw in NASTY.items()}
    assert s["raw UTF-8 header (RFC 6532)"].subject == "Grüße aus München 🏨"
    assert s["raw latin-1 header"].subject == "Gr\ufffd\ufffde"
    assert s["encoded words decoded"].subject == "Grüße aus å x"  # no space between adjacent words
    assert s["NUL and controls in headers"].subject == "abc[31m"
    assert s["CR only line endings"].subject == "cr"
    assert s["LF only line endings"].message_id == "<m@x>"
    assert s["many headers"].subject is None  # beyond the header block we read
    assert s["huge header line"].subject == "A" * MAX_HEADER_CHARS
    assert s["deep nesting"].subject == "deep"
    assert s["bidi and zero-width"].subject == "gnp.exe"
    assert s["duplicate subjects"].subject == "first"
    assert s["unknown charset"].subject  # kept, not dropped
    assert s["empty"] == HeaderSummary(None, None, None)


def test_the_summary_reads_the_header_block_only() -> None:
    headers = b"Subject: s\r\nMessage-ID: <m@x>\r\n"
    body = b"\r\nSubject: not a header\r\n" + b"--b\r\n" * 1_000_000
    assert header_block(headers + body) == headers
    assert header_block(b"Subject: lf\n\nSubject: no\n") == b"Subject: lf\n"
    raw = headers + body
    tracemalloc.start()
    try:
        assert summarise_headers(raw).subject == "s"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024  # a 5 MiB body costs nothing: it is never copied nor parsed


header_names = st.sampled_from([b"Subject", b"Message-ID", b"In-Reply-To", b"Content-Type", b"X-\xff", b""])
header_values = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda cs, enc, data: b"=?%s?%s?%s?=" % (cs, enc, data),
        st.sampled_from([b"utf-8", b"x-nope", b"zlib", b"idna", b"utf-16", b"iso-8859-1", b"", b"?"]),
        st.sampled_from([b"B", b"Q", b"b", b"x", b""]),
        st.binary(max_size=40),
    ),
)
separators = st.sampled_from([b"\r\n", b"\n", b"\r", b"\r\n ", b"\n\t", b""])
messages = st.builds(
    lambda lines, blank, body: b"".join(lines) + blank + body,
    st.lists(st.builds(lambda n, v, s: n + b":" + v + s, header_names, header_values, separators), max_size=12),
    st.sampled_from([b"\r\n", b"\n", b""]),
    st.binary(max_size=300),
)


@settings(max_examples=300)
@given(messages)
def test_fuzzed_header_blocks_never_raise(raw: bytes) -> None:
    assert_storable(summarise_headers(raw))


@settings(max_examples=300)
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    assert_storable(summarise_headers(raw))


@pytest.mark.parametrize("raw", [NASTY["no headers, 8-bit garbage"], NASTY["lone surrogate bytes"], nested(2_000)])
async def test_an_unparseable_message_stays_stored_and_is_marked_parsed(raw: bytes) -> None:
    s = fake_services()
    inbound_id = await receive_email(
        mail_from="a@example.com",
        rcpt_to="inbox@jengu.test",
        raw=raw,
        inbound=s.inbound,
        publisher=s.publisher,
        clock=s.clock,
        ids=s.ids,
        log=s.log,
    )
    await parse_inbound(InboundReceived(inbound_id=inbound_id), inbound=s.inbound, log=s.log)
    assert await s.inbound.raw(inbound_id) == raw
    assert inbound_id in s.inbound.parsed  # type: ignore[attr-defined]
