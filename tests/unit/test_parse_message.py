"""`parse_message` on the reply fixtures (plain, HTML-only, Outlook, bottom-posted, forwarded, base64, broken MIME,
lying and unknown charsets), DSN parts, Authentication-Results, the 25 MB cap, and "never raises"."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.inbound_mail.intent import classify_reply
from shared.domain.inbound_mail.parse import (
    MAX_PART_BYTES,
    auth_results,
    html_to_text,
    lenient_decode,
    parse_message,
)
from shared.domain.inbound_mail.parsed import AuthResults, ParsedMail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "replies"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "inbound"


def load(name: str) -> ParsedMail:
    return parse_message((FIXTURES / name).read_bytes())


# fixture -> (from, reply text, intent)
EXPECTED = {
    "plain_top_posted_en.eml": (
        "hannah@sonnenhof-hotel.example",
        "Hello Tom,\n\nyes, that could be useful for us. Can you tell me more about how the setup works?",
        "interested",
    ),
    "html_only_de.eml": (
        "k.maier@alpenhof.example",
        "Hallo Herr Berger,\n\ngerne können wir nächste Woche telefonieren. Passt Ihnen Dienstag um 10 Uhr?",
        "meeting_request",
    ),
    "outlook_fr_cp1252.eml": (
        "julien.morel@hotel-lumiere.example",
        "Bonjour,\n\nMerci, mais nous ne sommes pas intéressés. Nous avons déjà un prestataire.",
        "not_interested",
    ),
    "bottom_posted_es.eml": (
        "lucia@hotelsol.example",
        "¿Podemos hablar el jueves a las 11? Llámame al móvil.",
        "meeting_request",
    ),
    "forwarded_it.eml": (
        "giulia@villaverde.example",
        "Non sono la persona giusta, contatti il mio collega Luca Bianchi: luca.bianchi@villaverde.example",
        "referral",
    ),
    "base64_nl.eml": (
        "sanne@duinhotel.example",
        "Hallo Tom,\n\nGraag afmelden voor deze mails, wij hebben geen interesse.",
        "unsubscribe",
    ),
    "iphone_pt.eml": ("ana@hotelmar.example", "Parece interessante. Pode enviar-me mais informações?", "interested"),
    "truncated_multipart.eml": (
        "mike@seasidelodge.example",
        "Definitely interested. Please send details.",
        "interested",
    ),
    "missing_from.eml": (None, "Please remove me from your mailing list.", "unsubscribe"),
    "lying_charset.eml": (
        "juergen@seehotel.example",
        "Vielen Dank, wir haben aktuell keinen Bedarf. Schöne Grüße aus München – Jürgen",
        "not_interested",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reply_fixtures(name: str) -> None:
    sender, reply, intent = EXPECTED[name]
    mail = load(name)
    assert mail.from_address == sender
    assert mail.reply_text == reply
    assert classify_reply(mail.reply_text, mail.subject).label == intent


def test_every_fixture_parses() -> None:
    names = sorted(p.name for p in FIXTURES.glob("*.eml"))
    assert len(names) >= 12
    for name in names:
        assert load(name).text


def test_headers_threading_and_cloudflare_auth_first() -> None:
    mail = load("plain_top_posted_en.eml")
    assert mail.message_id == "<CAF=reply-1@mail.gmail.example>"
    assert mail.in_reply_to == ("<out-1@jengu-mail.example>",)
    assert mail.references == ("<out-0@jengu-mail.example>", "<out-1@jengu-mail.example>")
    assert mail.from_name == "Hannah Fischer"
    assert mail.to_addresses == ("tom@jengu-mail.example",)
    assert mail.date is not None and mail.date.utcoffset() is not None
    assert mail.auth == AuthResults(spf="pass", dkim="pass", dmarc="pass")  # not the spoofed "dmarc=fail" header
    assert len(mail.headers["authentication-results"]) == 2
    assert mail.header("Subject") == "Re: Direct bookings for Sonnenhof"


def test_html_only_drops_script_style_and_quotes() -> None:
    mail = load("html_only_de.eml")
    assert mail.content_type == "text/html"
    assert "hidden" not in mail.text and "color" not in mail.text
    assert "> Hallo Frau Maier," in mail.text  # blockquote kept as quoted lines in `text`


def test_encoded_words_and_cp1252_quoted_printable() -> None:
    assert load("bottom_posted_es.eml").from_name == "Lucía Fernández"
    mail = load("outlook_fr_cp1252.eml")
    assert mail.subject == "RE: Réservations directes"
    assert "Directeur – Hôtel Lumière" in mail.text
    assert mail.header("thread-topic") == "Réservations directes"


def test_forwarded_message_parts_depth_first() -> None:
    mail = load("forwarded_it.eml")
    kinds = [p.content_type for p in mail.parts]
    assert kinds == ["text/plain", "message/rfc822", "text/plain"]
    assert "Message-ID: <out-5@jengu-mail.example>" in mail.parts[1].text
    assert mail.text.startswith("Non sono la persona giusta")  # the embedded message is not the body


def test_broken_mime_is_read_as_far_as_it_goes() -> None:
    assert "CloseBoundaryNotFoundDefect" in load("truncated_multipart.eml").problems
    assert "no From address" in load("missing_from.eml").problems
    assert any("read as utf-8" in p for p in load("lying_charset.eml").problems)
    unknown = load("unknown_charset.eml")
    assert unknown.reply_text.startswith("Kunnen we volgende week even bellen?")
    assert any("x-mac-klingon" in p for p in unknown.problems)
    assert load("broken_base64.eml").text.startswith("Já temos uma solução, não precisamos.")


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples live beside the repo")
def test_the_shared_samples() -> None:
    bounce = parse_message((SAMPLES / "bounce_user_unknown.eml").read_bytes())
    assert bounce.content_type == "multipart/report" and bounce.report_type == "delivery-status"
    kinds = [p.content_type for p in bounce.parts]
    assert kinds == ["text/plain", "message/delivery-status", "text/rfc822-headers"]
    status = bounce.parts[1].text
    assert "Reporting-MTA: dns; smtp.outbound.example" in status and "Status: 5.1.1" in status
    assert "Action: failed" in status.split("\n\n")[1]  # per-recipient block after the per-message one
    assert "Message-ID: {{MSGID}}" in bounce.parts[2].text
    reply = parse_message((SAMPLES / "reply_interested.eml").read_bytes())
    assert reply.reply_text.endswith("Can you tell me more about how the setup works?")


@pytest.mark.parametrize(
    ("data", "declared", "text"),
    [
        ("Grüße".encode(), "us-ascii", "Grüße"),
        ("Grüße".encode(), "iso-8859-1", "Grüße"),
        ("Grüße".encode("latin-1"), "utf-8", "Grüße"),
        ("Grüße".encode("cp1252"), "x-unknown", "Grüße"),
        ("日本語".encode("shift_jis"), "shift_jis", "日本語"),
        ("€ 20".encode("cp1252"), None, "€ 20"),
        (b"\x81\x8d\x8f", "utf-8", "\x81\x8d\x8f"),
    ],
)
def test_lenient_decode(data: bytes, declared: str | None, text: str) -> None:
    assert lenient_decode(data, declared, []) == text


def test_auth_results_forms() -> None:
    assert auth_results(()) == AuthResults()
    header = "mx.cloudflare.net; dkim=fail (bad sig) header.d=a; dkim=pass header.d=b; spf=softfail; dmarc=fail"
    assert auth_results(("other.example; dmarc=pass", header)) == AuthResults("softfail", "pass", "fail")
    assert auth_results(("mx.example; spf=none (no spf=pass here) smtp.mailfrom=x",)).spf == "none"


def test_html_to_text_blocks_and_entities() -> None:
    html = (
        "<div>One&nbsp;&amp;&#x20AC;</div><ul><li>a</li><li>b</li></ul><p>x<br/>y</p><table><tr><td>c</td></tr></table>"
    )
    assert html_to_text(html) == "One &€\n- a\n- b\n\nx\ny\n\nc"


def test_a_25_mb_message_is_capped_not_decoded() -> None:
    attachment = base64.encodebytes(b"\x00\x01binary" * 2_000_000)
    text = b"lorem ipsum dolor sit amet, " * 80_000
    raw = (
        b"From: a@b.example\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n"
        b"Content-Type: text/plain\r\n\r\n" + text + b"\r\n--zz\r\nContent-Type: application/pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + attachment + b"\r\n--zz--\r\n"
    )
    assert len(raw) > 20_000_000
    started = time.perf_counter()
    mail = parse_message(raw)
    assert time.perf_counter() - started < 5
    assert [(p.content_type, p.text) for p in mail.parts][1] == ("application/pdf", "")
    assert len(mail.text) <= MAX_PART_BYTES and "text part truncated" in mail.problems


NASTY = [
    b"",
    b"\r\n",
    b"\xff\xfe\x00garbage without headers",
    b"Subject: =?x-unknown?Q?caf=E9?=\r\nFrom: =?utf-8?B?@@@?= <@>\r\n\r\n",
    b'Content-Type: multipart/mixed; boundary="\r\n\r\n--\r\n--"--\r\n\x00--',
    b"Content-Type: multipart/alternative\r\n\r\n--x\r\n\r\nno boundary declared",
    b"Content-Type: message/rfc822\r\n\r\n",
    b"Content-Type: message/delivery-status\r\n\r\nAction failed garbage\r\n",
    b"Content-Type: text/plain; charset=zlib\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%\r\n",
    b"Date: not a date\r\nFrom: a@b, c\r\nTo: ,,,@@@\r\nMessage-ID: none\r\n\r\nx",
    b"Subject: deep\r\n"
    + b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n) for n in range(3000)),
]


@pytest.mark.parametrize("raw", NASTY)
def test_nasty_messages_never_raise(raw: bytes) -> None:
    mail = parse_message(raw)
    assert isinstance(mail, ParsedMail)
    mail.text.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_never_raises_on_random_bytes(raw: bytes) -> None:
    assert isinstance(parse_message(raw), ParsedMail)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["utf-8", "latin-1", "cp1252", "us-ascii", "x-bogus", "utf-16"]))
def test_any_text_in_any_declared_charset(body: str, charset: str) -> None:
    raw = f"From: a@b.example\r\nContent-Type: text/plain; charset={charset}\r\n\r\n".encode() + body.encode()
    mail = parse_message(raw)
    mail.text.encode("utf-8")
