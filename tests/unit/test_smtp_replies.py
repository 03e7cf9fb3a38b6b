"""SMTP reply classification: real replies from real servers, the text rules, and properties over any reply."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.sending.smtp_replies import UNCLASSIFIED, classify_reply, split_status
from shared.ports.mail import SendOutcome

CASES = [
    # accepted
    (250, "2.0.0 OK 1697051234 d9443c01a7336-1c9b1e2e8f5si123456pla.42 - gsmtp", "accepted"),
    (250, "Ok: queued as 4SxYz12abc", "accepted"),
    (251, "2.1.5 User not local; will forward", "accepted"),
    # rate limits
    (421, "4.7.0 Try again later, closing connection. (EHLO) - gsmtp", "rate_limited"),
    (421, "Too many concurrent SMTP connections", "rate_limited"),
    (450, "4.7.28 Our system has detected an unusual rate of unsolicited mail", "rate_limited"),
    (452, "4.5.3 Too many recipients", "rate_limited"),
    (452, "Too many recipients received this hour", "rate_limited"),
    (451, "4.7.650 The mail server has been temporarily rate limited due to IP reputation", "rate_limited"),
    # mailbox full
    (452, "4.2.2 The email account that you tried to reach is over quota", "mailbox_full"),
    (552, "5.2.2 The email account that you tried to reach is over quota", "mailbox_full"),
    (552, "Mailbox full", "mailbox_full"),
    # other temporary
    (450, "4.2.0 <x@y>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/", "transient"),
    (451, "4.7.1 Greylisting in action, please come back later", "transient"),
    (451, "4.3.0 Temporary local problem", "transient"),
    (452, "4.3.1 Insufficient system storage", "transient"),
    (454, "4.7.0 TLS not available due to local problem", "rate_limited"),
    # recipient refused
    (550, "5.1.1 The email account that you tried to reach does not exist. - gsmtp", "recipient_refused"),
    (550, "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", "recipient_refused"),
    (551, "User not local; please try <forward@example.com>", "recipient_refused"),
    (553, "5.1.3 Invalid address", "recipient_refused"),
    (550, "5.2.1 The email account that you tried to reach is disabled.", "recipient_refused"),
    (550, "Requested action not taken: mailbox unavailable", "recipient_refused"),
    (550, "No such user here", "recipient_refused"),
    (550, "rejected: user unknown", "recipient_refused"),  # both phrases: the recipient ones win
    (554, "delivery error: dd This user doesn't have a yahoo.com account", "recipient_refused"),
    # sender problems
    (535, "5.7.8 Username and Password not accepted. - gsmtp", "sender_problem"),
    (535, "Authentication failed", "sender_problem"),
    (530, "Must issue a STARTTLS command first", "sender_problem"),
    (534, "5.7.9 Application-specific password required", "sender_problem"),
    (550, "5.7.1 Message rejected due to local policy", "sender_problem"),
    (
        550,
        "5.7.26 Unauthenticated email from example.com is not accepted due to DMARC policy",
        "sender_problem",
    ),
    (554, "5.7.1 Service unavailable; Client host [1.2.3.4] blocked using zen.spamhaus.org", "sender_problem"),
    (550, "5.7.515 Access denied, sending domain does not meet the required authentication level", "sender_problem"),
    (552, "5.3.4 Message size exceeds fixed limit", "sender_problem"),
    (553, "5.1.8 <bad@nodomain>: Sender address rejected: Domain not found", "sender_problem"),
    (550, "Message rejected as spam", "sender_problem"),
    (554, "Your IP has a poor reputation", "sender_problem"),
    (550, "Relaying denied", "sender_problem"),
    # unplaceable permanent replies: never a bounce
    (554, "Transaction failed", "transient"),
    (500, "5.5.1 Command unrecognized", "transient"),
    (550, "4.1.1 mixed classes are not trusted", "transient"),
]


@pytest.mark.parametrize(("code", "text", "expected"), CASES, ids=[f"{c}-{t[:30]}" for c, t, _ in CASES])
def test_real_replies(code: int, text: str, expected: str) -> None:
    reply = classify_reply(code, text)
    assert reply.outcome == expected
    assert SendOutcome(reply.outcome) is SendOutcome(expected)  # the values are the port's
    assert reply.code == code


def test_enhanced_status_is_split_from_the_words() -> None:
    assert split_status("5.1.1 User unknown") == ("5.1.1", "User unknown")
    assert split_status("5.7.515 Access denied") == ("5.7.515", "Access denied")
    assert split_status("4.2.2") == ("4.2.2", "")
    assert split_status("User unknown 5.1.1") == (None, "User unknown 5.1.1")
    assert split_status("5.1.1User") == (None, "5.1.1User")
    reply = classify_reply(550, "5.1.1 User unknown")
    assert (reply.status, reply.detail) == ("5.1.1", "User unknown")


def test_a_given_status_wins_over_the_text() -> None:
    assert classify_reply(550, "mailbox unavailable", status="5.7.1").outcome == "sender_problem"


def test_an_unplaceable_permanent_reply_says_so() -> None:
    reply = classify_reply(554, "Transaction failed")
    assert reply.outcome == "transient"
    assert reply.detail == f"{UNCLASSIFIED}: 554 Transaction failed"


replies_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)


@given(code=st.integers(200, 399), text=replies_text)
def test_every_positive_reply_is_accepted(code: int, text: str) -> None:
    assert classify_reply(code, text).outcome == "accepted"


@given(code=st.integers(400, 499), text=replies_text)
def test_a_temporary_reply_never_bounces_or_blames_the_sender(code: int, text: str) -> None:
    assert classify_reply(code, text).outcome in {"transient", "rate_limited", "mailbox_full"}


@given(code=st.integers(500, 599), text=replies_text)
def test_a_permanent_reply_is_placed_or_retried(code: int, text: str) -> None:
    reply = classify_reply(code, text)
    assert reply.outcome != "accepted"
    if reply.outcome == "transient":
        assert reply.detail.startswith(UNCLASSIFIED)


@given(code=st.integers(0, 999), text=st.text(max_size=200))
def test_classification_never_fails(code: int, text: str) -> None:
    assert SendOutcome(classify_reply(code, text).outcome)
