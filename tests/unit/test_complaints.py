"""Feedback reports (RFC 5965 ARF from Yahoo and the RFC's own example, Microsoft JMRP, not-spam and auth-failure
reports) read into who complained about which of our messages; bounces and replies are no complaint."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.inbound_mail.complaints import Complaint, read_complaint
from shared.domain.inbound_mail.parse import parse_message
from shared.domain.inbound_mail.parsed import AuthResults, MimePart, ParsedMail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bounces"


def read(name: str) -> Complaint | None:
    return read_complaint(parse_message((FIXTURES / name).read_bytes()))


EXPECTED = {
    "complaint_yahoo_arf.eml": Complaint(
        feedback_type="abuse",
        original_rcpt="sonne.fewo@yahoo.de",
        original_message_id="<arf-case-4411@jengu.test>",
        original_mail_from="bounces+4411@jengu.test",
        source_ip="203.0.113.7",  # from the report's words: Yahoo gives no Source-IP field
        user_agent="Yahoo!-Mail-Feedback/2.0",
        reporting_mta=None,
        format="arf",
    ),
    "complaint_rfc5965_redacted.eml": Complaint(
        feedback_type="abuse",
        original_rcpt="owner@b-and-b-meadow.example",  # no Original-Rcpt-To: the embedded headers' To
        original_message_id="<rfc5965-case-0308@jengu.test>",
        original_mail_from="sales@jengu.test",
        source_ip="203.0.113.7",
        user_agent="SomeGenerator/1.0",
        reporting_mta="mail.example.net",
        format="arf",
    ),
    "complaint_jmrp.eml": Complaint(
        feedback_type="abuse",
        original_rcpt="lakeside.lodge@outlook.com",  # X-HmXmrOriginalRecipient, the To is redacted
        original_message_id="<jmrp-case-0909@jengu.test>",
        original_mail_from="sales@jengu.test",
        source_ip="203.0.113.7",
        user_agent=None,
        reporting_mta="hotmail.com",
        format="jmrp",
    ),
    "complaint_not_spam.eml": Complaint(
        feedback_type="not-spam",
        original_rcpt="front.desk@hotel-isp-user.example",
        original_message_id="<notspam-case-1001@jengu.test>",
        original_mail_from=None,
        source_ip="203.0.113.7",
        user_agent="ISP-FBL/3.2",
        reporting_mta=None,
        format="arf",
    ),
    "complaint_auth_failure.eml": Complaint(
        feedback_type="auth-failure",
        original_rcpt="victim@receiver.example",
        original_message_id="<spoofed-1@not-jengu.example>",
        original_mail_from="spoofer@jengu.test",
        source_ip="198.51.100.66",
        user_agent="Receiver-AFRF/1.0",
        reporting_mta=None,
        format="arf",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_feedback_reports_are_read(name: str) -> None:
    assert read(name) == EXPECTED[name]


def test_only_complaints_by_the_recipient_suppress() -> None:
    suppressing = {name for name, c in EXPECTED.items() if c.suppresses}
    assert suppressing == {"complaint_yahoo_arf.eml", "complaint_rfc5965_redacted.eml", "complaint_jmrp.eml"}


def test_every_complaint_fixture_is_covered() -> None:
    assert {p.name for p in FIXTURES.glob("complaint_*.eml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.eml") if not p.name.startswith("complaint_")))
def test_bounces_and_near_misses_are_no_complaint(name: str) -> None:
    assert read(name) is None


def report(fields: str, original: str = "", *, text: str = "") -> ParsedMail:
    parts = [MimePart("text/plain", text), MimePart("message/feedback-report", fields)]
    if original:
        parts.append(MimePart("message/rfc822", original))
    return ParsedMail(
        message_id="<fbl-1@isp.example>",
        in_reply_to=(),
        references=(),
        from_address="fbl@isp.example",
        from_name=None,
        to_addresses=("abuse@jengu.test",),
        subject="Abuse report",
        date=None,
        headers={},
        auth=AuthResults(),
        content_type="multipart/report",
        report_type="feedback-report",
        text=text,
        reply_text=text,
        parts=tuple(parts),
    )


def test_redacted_recipients_are_unknown_not_a_wrong_address() -> None:
    complaint = read_complaint(
        report(
            "Feedback-Type: abuse\nOriginal-Rcpt-To: redacted@aol.com\n",
            "From: sales@jengu.test\nTo: xxxxxxxx@aol.com\nMessage-ID: <ours-7@jengu.test>\n",
        )
    )
    assert complaint is not None
    assert complaint.original_rcpt is None
    assert complaint.original_message_id == "<ours-7@jengu.test>"


def test_folded_fields_missing_feedback_type_and_an_ipv6_source() -> None:
    complaint = read_complaint(
        report(
            "User-Agent: FBL/1.0\nSource-IP: 2001:db8::25\nOriginal-Rcpt-To:\n <GM@Hotel.example>\n",
            "To: gm@hotel.example\nMessage-ID: ours-8@jengu.test\n",
        )
    )
    assert complaint is not None
    assert (complaint.feedback_type, complaint.original_rcpt, complaint.source_ip) == (
        "abuse",
        "gm@hotel.example",
        "2001:db8::25",
    )
    assert complaint.original_message_id == "<ours-8@jengu.test>"


@settings(max_examples=200, deadline=None)
@given(fields=st.text(max_size=300), original=st.text(max_size=300))
def test_read_complaint_never_raises(fields: str, original: str) -> None:
    result = read_complaint(report(fields, original))
    assert isinstance(result, Complaint)
