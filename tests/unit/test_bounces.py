"""Delivery reports read from a corpus of real-looking DSNs (Postfix, Exim, Sendmail, Gmail, Microsoft 365/Exchange in
seven languages, Yahoo, qmail): recipient, action, status, code, verdict and the original Message-ID — and the
near-misses (out-of-office, a forwarded bounce, a postmaster newsletter, a read receipt) that are no bounce."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.inbound_mail.bounces import Bounce, find_code, find_status, read_bounce, verdict_for
from shared.domain.inbound_mail.parse import parse_message
from shared.domain.inbound_mail.parsed import AuthResults, MimePart, ParsedMail
from tests.samples import inbound_sample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bounces"

# file -> (format, original Message-ID, [(recipient, action, status, code, verdict), ...])
EXPECTED: dict[str, tuple[str, str | None, list[tuple[str | None, str, str | None, int | None, str]]]] = {
    "postfix_user_unknown.eml": (
        "rfc3464",
        "<c1a9f2e4.0b7d.4c1e@jengu.test>",
        [("reservations@hotel-alpenrose.example", "failed", "5.1.1", 550, "hard")],
    ),
    "postfix_mailbox_full.eml": (
        "rfc3464",
        "<5d2e8f10-33aa-4b7c-9a0e-1f2e3d4c5b6a@jengu.test>",
        [("info@pension-seeblick.example", "failed", "5.2.2", 552, "soft")],
    ),
    "postfix_delayed.eml": (
        "rfc3464",
        "<delay-7781@jengu.test>",
        [("booking@castello-verde.example", "delayed", "4.4.1", None, "soft")],
    ),
    "postfix_spamhaus.eml": (
        "rfc3464",
        "<spamhaus-case-01@jengu.test>",
        [("gm@hotel-kaiserhof.example", "failed", "5.7.1", 554, "policy")],
    ),
    "postfix_text_only.eml": (
        "postfix-text",
        "<text-only-4411@jengu.test>",
        [("direktion@landgasthof-linde.example", "failed", "5.1.1", 550, "hard")],
    ),
    "postfix_gmail_sending_quota.eml": (
        "rfc3464",
        "<quota-545-2912@jengu.test>",
        [("hotel.am.markt@gmail.com", "failed", "5.4.5", 550, "policy")],
    ),
    "postfix_gmail_rate_421.eml": (
        "rfc3464",
        "<rate-421-2913@jengu.test>",
        [("familie.brandt@gmail.com", "delayed", "4.7.28", 421, "policy")],
    ),
    "postfix_too_large.eml": (
        "rfc3464",
        "<too-big-3010@jengu.test>",
        [("marketing@resort-alpin.example", "failed", "5.3.4", 552, "policy")],
    ),
    "postfix_domain_not_found.eml": (
        "rfc3464",
        "<nxdomain-3011@jengu.test>",
        [("info@hotel-that-closed.example", "failed", "5.4.4", None, "hard")],
    ),
    "postfix_two_recipients.eml": (
        "rfc3464",
        "<three-rcpt-3012@jengu.test>",
        [
            ("schulleitung@hotelschule.example", "failed", "5.1.1", 550, "hard"),  # Original-Recipient: what we sent
            ("kueche@hotelschule.example", "failed", "5.0.0", 550, "hard"),
        ],
    ),
    "o365_dbeb_access_denied.eml": (
        "rfc3464",
        "<dbeb-1919@jengu.test>",
        [("events@grandhotel-ost.example", "failed", "5.4.1", 550, "hard")],
    ),
    "exim_failed.eml": (
        "exim",
        "<exim-hard-0093@jengu.test>",
        [("sales@agriturismo-colline.example", "failed", "5.1.1", 550, "hard")],
    ),
    "exim_quota_local.eml": (
        "exim",
        "<quota-local-5510@jengu.test>",
        [("rezeption@hotel-am-see.example", "failed", None, None, "soft")],
    ),
    "exim_delay_warning.eml": (
        "exim",
        None,
        [("info@hostal-la-plaza.example", "delayed", "4.3.0", 451, "soft")],
    ),
    "exim_dsn_dmarc.eml": (
        "rfc3464",
        "<dmarc-fail-2201@jengu.test>",
        [("owner.villa.serena@gmail.com", "failed", "5.7.26", 550, "policy")],
    ),
    "sendmail_dsn.eml": (
        "rfc3464",
        "<sendmail-dsn-3300@jengu.test>",
        [("m.dubois@auberge-du-lac.example", "failed", "5.1.1", 550, "hard")],
    ),
    "sendmail_text_host_unknown.eml": (
        "heuristic",
        "<sendmail-text-1207@jengu.test>",
        [("kontakt@hotel-nirgendwo.example", "failed", "5.1.2", 550, "hard")],
    ),
    "gmail_address_not_found.eml": (
        "rfc3464",
        "<gmail-hard-7720@jengu.test>",
        [("concierge.palazzo.rossi@gmail.com", "failed", "5.1.1", None, "hard")],
    ),
    "gmail_disabled.eml": (
        "rfc3464",
        "<gmail-disabled-0041@jengu.test>",
        [("old.frontdesk.strandhotel@gmail.com", "failed", "5.2.1", 550, "hard")],
    ),
    "gmail_inbox_full.eml": (
        "rfc3464",
        "<gmail-full-9091@jengu.test>",
        [("booking.casadelmar@gmail.com", "failed", "5.2.2", 552, "soft")],
    ),
    "gmail_delay.eml": (
        "rfc3464",
        "<gmail-delay-3131@jengu.test>",
        [("reception@hotel-bergblick.example", "delayed", "4.4.1", None, "soft")],
    ),
    "o365_recipient_not_found.eml": (
        "rfc3464",
        "<o365-hard-5150@jengu.test>",
        [("t.maier@seehotel-gruppe.example", "failed", "5.1.10", 550, "hard")],
    ),
    "exchange_text_recipnotfound.eml": (
        "exchange",
        "<exch-text-6262@jengu.test>",
        [("j.petersen@hotelgruppe-nord.example", "failed", "5.1.1", 550, "hard")],
    ),
    "exchange_text_banned_ip.eml": (
        "exchange",
        "<banned-ip-4040@jengu.test>",
        [("frontoffice@lindenhof-hotel.example", "failed", "5.7.606", 550, "policy")],
    ),
    "exchange_de_mailbox_full.eml": (
        "rfc3464",
        "<de-full-2801@jengu.test>",
        [("buchung@hotel-schwarzwald.example", "failed", "5.2.2", 554, "soft")],
    ),
    "exchange_es_user_unknown.eml": (
        "exchange",
        "<es-hard-2802@jengu.test>",
        [("reservas@hotel-sol-y-mar.example", "failed", "5.1.1", 550, "hard")],
    ),
    "exchange_fr_spam.eml": (
        "rfc3464",
        "<fr-spam-2803@jengu.test>",
        [("direction@hotel-belle-vue.example", "failed", "5.7.1", 550, "policy")],
    ),
    "exchange_it_quota.eml": (
        "exchange",
        "<it-full-2804@jengu.test>",
        [("info@albergo-del-porto.example", "failed", "5.2.2", 552, "soft")],
    ),
    "exchange_nl_not_found.eml": (
        "rfc3464",
        "<nl-hard-2805@jengu.test>",
        [("receptie@hotel-de-duinen.example", "failed", "5.1.10", 550, "hard")],
    ),
    "exchange_pt_expired.eml": (
        "exchange",
        "<pt-expired-2806@jengu.test>",
        [("reservas@pousada-do-rio.example", "failed", "4.4.7", 400, "soft")],
    ),
    "yahoo_no_account.eml": (
        "heuristic",
        "<yahoo-hard-2020@jengu.test>",
        [("villa.aurora.owner@yahoo.com", "failed", None, 554, "hard")],
    ),
    "yahoo_deferred_tss04.eml": (
        "rfc3464",
        "<tss04-0420@jengu.test>",
        [("b.richter@yahoo.de", "delayed", "4.7.0", 421, "policy")],
    ),
    "qmail_no_mailbox.eml": (
        "qmail",
        "<qmail-hard-2112@jengu.test>",
        [("chef@kleine-pension.example", "failed", "5.1.1", None, "hard")],
    ),
    "qmail_remote_mailbox_full.eml": (
        "qmail",
        "<qmail-full-1100@jengu.test>",
        [("gasthof.krone@isp-mail.example", "failed", "5.2.2", 552, "soft")],
    ),
    # A failed report whose own status is transient (4.0.0) is soft, even when it speaks of a Null MX.
    "gmail_null_mx_transient.eml": (
        "rfc3464",
        "<nullmx-4410@jengu.test>",
        [("reservations@hotel-seeblick.example", "failed", "4.0.0", None, "soft")],
    ),
    # Google Groups: the group may not exist or we may not post to it, in any language: policy, never hard.
    "google_groups_es.eml": (
        "heuristic",
        "<groups-5120@jengu.test>",
        [("reservas-hotel-mirador@googlegroups.com", "failed", None, None, "policy")],
    ),
    # A recipient filter's 5.7.1 that says the user is unknown.
    "sendmail_571_user_unknown.eml": (
        "rfc3464",
        "<sm571-6031@jengu.test>",
        [("contact@hotel-beausejour.example", "failed", "5.7.1", 550, "hard")],
    ),
    # DragonFly Mail Agent: the recipient's host does not resolve.
    "dma_host_not_found.eml": (
        "heuristic",
        "<dma-7302@jengu.test>",
        [("info@gasthof-sonne.example", "failed", None, None, "hard")],
    ),
    # The receiving host's own delivery agent failed: its configuration, not a missing address.
    "postfix_procmail_local_error.eml": (
        "rfc3464",
        "<procmail-8120@jengu.test>",
        [("empfang@hotel-lindenhof.example", "failed", "5.1.1", None, "soft")],
    ),
    # A refusal without a reason: policy, not a proof the address is gone.
    "exim_bare_rejected.eml": (
        "rfc3464",
        "<exim-rej-9031@jengu.test>",
        [("office@villa-serena.example", "failed", "5.0.0", 550, "policy")],
    ),
    # Each recipient's line is its own: the next recipient's "Mailbox full" does not soften the first one's.
    "opensmtpd_two_recipients.eml": (
        "rfc3464",
        "<osmtpd-2204@jengu.test>",
        [
            ("info@hotel-bergblick.example", "failed", "5.1.1", 550, "hard"),
            ("booking@hotel-bergblick.example", "failed", "5.2.2", 552, "soft"),
        ],
    ),
    # The returned message's headers (X-Proofpoint-Virus-Version ...) are not the server's words: a delay stays soft.
    "messagingserver_delay_returned_headers.eml": (
        "rfc3464",
        "<msgsrv-delay-3317@jengu.test>",
        [("direzione@albergo-dolomiti.example", "delayed", "4.4.7", None, "soft")],
    ),
    # Amazon SES inbound: Action before Final-Recipient (any order within a block); "Message Filtered" is policy.
    "ses_inbound_message_filtered.eml": (
        "rfc3464",
        "<ses-filter-4471@jengu.test>",
        [("prenotazioni@hotel-meridiana.example", "failed", "5.2.0", 550, "policy")],
    ),
    # "Command not recognized" is a protocol problem on our side, not a missing address.
    "postfix_command_not_recognized.eml": (
        "rfc3464",
        "<cmd-5510@jengu.test>",
        [("rezeption@gasthaus-adler.example", "failed", "5.5.1", 500, "policy")],
    ),
    "qmail_barracuda.eml": (
        "qmail",
        "<qmail-policy-0830@jengu.test>",
        [
            ("info@hotel-panorama.example", "failed", None, 550, "policy"),
            ("sales@hotel-panorama.example", "failed", None, 554, "policy"),
        ],
    ),
}

NOT_BOUNCES = sorted(p.name for p in FIXTURES.glob("not_*.eml")) + sorted(p.name for p in FIXTURES.glob("complaint_*"))


def read(name: str) -> Bounce | None:
    return read_bounce(parse_message((FIXTURES / name).read_bytes()))


def test_every_bounce_fixture_has_its_expectation() -> None:
    bounce_files = {p.name for p in FIXTURES.glob("*.eml")} - set(NOT_BOUNCES) - {"success_dsn.eml"}
    assert bounce_files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bounce_fixture_is_read(name: str) -> None:
    fmt, original_id, recipients = EXPECTED[name]
    bounce = read(name)
    assert bounce is not None, f"{name} not recognised"
    assert bounce.format == fmt
    assert bounce.original_message_id == original_id
    got = [(r.address, r.action, r.status, r.code, r.verdict) for r in bounce.recipients]
    assert got == recipients
    assert all(r.diagnostic and "\n" not in r.diagnostic for r in bounce.recipients)


@pytest.mark.parametrize(
    ("name", "reporting_mta", "remote_mta"),
    [
        ("postfix_user_unknown.eml", "mail.jengu.test", "mx01.hotel-alpenrose.example"),
        ("gmail_inbox_full.eml", "googlemail.com", "gmail-smtp-in.l.google.com"),
        ("o365_recipient_not_found.eml", "DB9PR02MB7211.eurprd02.prod.outlook.com", None),
        ("exim_failed.eml", "mx1.shared-host.example", "mail.agriturismo-colline.example"),
        ("exchange_text_recipnotfound.eml", "EXCH01.hotelgruppe-nord.example", None),
        ("postfix_text_only.eml", "relay.hosting-provider.example", "mx00.landgasthof-linde.example"),
        ("qmail_no_mailbox.eml", "mail.kleine-pension.example", None),
    ],
)
def test_reporting_and_remote_mta(name: str, reporting_mta: str, remote_mta: str | None) -> None:
    bounce = read(name)
    assert bounce is not None
    assert bounce.reporting_mta == reporting_mta
    assert bounce.recipients[0].remote_mta == remote_mta


def test_message_verdict_is_the_worst_recipient() -> None:
    two = read("postfix_two_recipients.eml")
    full = read("gmail_inbox_full.eml")
    policy = read("qmail_barracuda.eml")
    assert two is not None and two.verdict == "hard"
    assert full is not None and full.verdict == "soft"
    assert policy is not None and policy.verdict == "policy"


def test_a_success_report_is_a_report_without_failures() -> None:
    bounce = read("success_dsn.eml")
    assert bounce is not None
    assert bounce.recipients == ()
    assert bounce.verdict is None
    assert bounce.original_message_id == "<success-3013@jengu.test>"


@pytest.mark.parametrize("name", NOT_BOUNCES)
def test_near_misses_are_not_bounces(name: str) -> None:
    assert read(name) is None


def test_the_shared_sample_bounce() -> None:
    raw = inbound_sample(
        "bounce_user_unknown.eml",
        TO="sales@jengu.test",
        FROM="gm@grand-hotel.example",
        MSGID="<orig-1@jengu.test>",
        SUBJECT="Quick question",
        DATE="Mon, 05 Jan 2026 09:00:00 +0000",
    )
    bounce = read_bounce(parse_message(raw))
    assert bounce is not None
    assert bounce.original_message_id == "<orig-1@jengu.test>"
    assert [(r.address, r.status, r.verdict) for r in bounce.recipients] == [
        ("gm@grand-hotel.example", "5.1.1", "hard")
    ]


@pytest.mark.parametrize(
    "name", ["not_ooo_exchange.eml", "not_ooo_german_null_sender.eml", "not_ooo_from_mailer_daemon_lookalike.eml"]
)
def test_auto_replies_never_read_as_bounces_even_with_a_bounce_like_subject(name: str) -> None:
    raw = (FIXTURES / name).read_bytes()
    assert read_bounce(parse_message(raw)) is None
    renamed = raw.replace(b"Subject: ", b"Subject: Re: ", 1)
    assert read_bounce(parse_message(renamed)) is None


def mail(
    text: str,
    *,
    subject: str = "Undelivered Mail Returned to Sender",
    sender: str | None = "mailer-daemon@mx.example.net",
    headers: dict[str, str] | None = None,
    parts: tuple[MimePart, ...] = (),
    content_type: str = "text/plain",
    report_type: str | None = None,
) -> ParsedMail:
    """A ParsedMail built directly, as any parser following the contract would give it."""
    return ParsedMail(
        message_id="<own@mx.example.net>",
        in_reply_to=(),
        references=(),
        from_address=sender,
        from_name=None,
        to_addresses=("sales@jengu.test",),
        subject=subject,
        date=None,
        headers={k.lower(): (v,) for k, v in (headers or {}).items()},
        auth=AuthResults(),
        content_type=content_type,
        report_type=report_type,
        text=text,
        reply_text=text,
        parts=parts or (MimePart("text/plain", text),),
    )


def test_dsn_fields_without_blank_lines_and_with_xtext() -> None:
    status = (
        "Reporting-MTA: dns; mx.example.net\n"
        "Final-Recipient: rfc822; a@hotel.example\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\n"
        "Original-Recipient: rfc822;b+2Bsales@hotel.example\nFinal-Recipient: rfc822;b+sales@hotel.example\n"
        "Action: delayed\nStatus: 4.2.2\nDiagnostic-Code: smtp; 452 4.2.2 over quota\n"
    )
    parsed = mail(
        "report",
        parts=(MimePart("text/plain", "report"), MimePart("message/delivery-status", status)),
        content_type="multipart/report",
        report_type="delivery-status",
    )
    bounce = read_bounce(parsed)
    assert bounce is not None and bounce.reporting_mta == "mx.example.net"
    got = [(r.address, r.action, r.status, r.verdict) for r in bounce.recipients]
    assert got == [
        ("a@hotel.example", "failed", "5.1.1", "hard"),
        ("b+sales@hotel.example", "delayed", "4.2.2", "soft"),
    ]


def test_a_report_whose_status_part_is_empty_falls_back_to_the_text_and_the_failed_recipients_header() -> None:
    text = "Delivery to the following recipient failed permanently:\n\n     gm@hotel.example\n\n550 5.1.1 No such user"
    parsed = mail(
        text,
        subject="Delivery Status Notification (Failure)",
        headers={"X-Failed-Recipients": "gm@hotel.example"},
        parts=(MimePart("text/plain", text), MimePart("message/delivery-status", "")),
        content_type="multipart/report",
        report_type="delivery-status",
    )
    bounce = read_bounce(parsed)
    assert bounce is not None
    assert [(r.address, r.status, r.verdict) for r in bounce.recipients] == [("gm@hotel.example", "5.1.1", "hard")]


def test_original_id_from_a_quoted_header_block_and_else_from_in_reply_to() -> None:
    text = (
        "Hi. This is the qmail-send program at mx.\n\n<a@h.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n"
    )
    quoted = mail(text + "\n--- Below this line is a copy of the message.\n\nMessage-ID: <ours-1@jengu.test>\n")
    assert (b := read_bounce(quoted)) is not None and b.original_message_id == "<ours-1@jengu.test>"
    bare = mail(text)
    threaded = ParsedMail(**{**{f: getattr(bare, f) for f in bare.__slots__}, "in_reply_to": ("<ours-2@jengu.test>",)})
    assert (b := read_bounce(threaded)) is not None and b.original_message_id == "<ours-2@jengu.test>"
    assert (b := read_bounce(bare)) is not None and b.original_message_id is None


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Unzustellbar: Angebot", "Die Nachricht konnte nicht zugestellt werden.\n\nx@h.example\n550 5.1.1 unbekannt"),
        ("Non remis : Offre", "Votre message n'a pas pu être remis.\n\nx@h.example\n550 5.1.1 utilisateur inconnu"),
        ("No se puede entregar: Oferta", "No se pudo entregar.\n\nx@h.example\n550 5.1.1 usuario desconocido"),
        ("Non recapitabile: Offerta", "Impossibile recapitare.\n\nx@h.example\n550 5.1.1 utente sconosciuto"),
        ("Onbestelbaar: Aanbod", "Het bericht kon niet worden bezorgd.\n\nx@h.example\n550 5.1.1 bestaat niet"),
        ("Não entregue: Oferta", "A mensagem não pôde ser entregue.\n\nx@h.example\n550 5.1.1 não existe"),
        ("Mail delivery failed", "x@h.example\n550 5.1.1 no such user"),
        ("failure notice", "x@h.example\n550 5.1.1 no such user"),
    ],
)
def test_subjects_in_several_languages(subject: str, body: str) -> None:
    bounce = read_bounce(mail(body, subject=subject, sender="postmaster@h.example"))
    assert bounce is not None
    assert [(r.address, r.status, r.verdict) for r in bounce.recipients] == [("x@h.example", "5.1.1", "hard")]


def test_a_person_is_not_a_mailer_daemon_even_with_a_bounce_subject() -> None:
    assert read_bounce(mail("x@h.example\n550 5.1.1 no such user", sender="markus@jengu.test")) is None
    # someone at postmaster@ forwarding a bounce by hand: no report of ours
    forwarded = mail("x@h.example 550 5.1.1", subject="Fwd: Mail delivery failed", sender="postmaster@h.example")
    assert read_bounce(forwarded) is None
    assert read_bounce(mail("x@h.example 550 5.1.1", subject="Mail delivery failed", sender="postmaster@h.example"))


# --- the verdict ------------------------------------------------------------------------------------------------

VERDICTS: list[tuple[str | None, str, str]] = [
    ("5.1.1", "550 5.1.1 <x@h.example>: Recipient address rejected: User unknown in local recipient table", "hard"),
    (None, "550 No such user here", "hard"),
    ("5.0.0", "550 5.0.0 <x@h.example>... User unknown", "hard"),
    (
        None,
        "554 delivery error: dd Sorry your message to x@yahoo.com cannot be delivered. This mailbox is disabled",
        "hard",
    ),
    ("5.2.1", "550 5.2.1 Mailbox disabled, not accepting messages", "hard"),
    (None, "550 5.1.1 Utilisateur inconnu", "hard"),
    (None, "550 Benutzer unbekannt", "hard"),
    ("5.1.1", "550 5.1.1 Mailbox does not exist", "hard"),
    (None, "550 Requested action not taken: mailbox unavailable", "hard"),
    (None, "552 1 Requested mail action aborted, mailbox not found", "hard"),
    ("5.7.1", "553 Invalid recipient x@h.example (Mode: normal)", "hard"),
    ("5.7.1", "550 5.7.1 550 User Unknown: x@h.example", "hard"),
    (
        "5.7.1",
        "554 5.7.1 <x@h.example>: Recipient address rejected: User unknown; blocked using zen.spamhaus.org",
        "policy",
    ),
    ("5.7.1", "550 5.7.1 <x@h.example>: User unknown, temporarily locked. Please try again later", "policy"),
    ("4.7.1", "450 4.7.1 <x@h.example>: Recipient address rejected: User unknown", "policy"),  # transient: never hard
    ("5.4.4", "550 5.4.4 Reason: Illegal host/domain name found", "hard"),
    ("5.1.1", "maildrop: Cannot create /home/x/Maildir/tmp: No such user", "soft"),
    ("5.2.2", "procmail: Couldn't create /var/mail/x: mailbox is full", "soft"),
    ("5.0.0", "550 Rejected", "policy"),
    ("5.5.1", "500 5.5.1 Command not recognized", "policy"),
    ("5.1.1", "550 5.1.1 Sender not recognized", "policy"),
    ("5.0.0", "550 5.0.0 Message has moved to quarantine", "policy"),
    (None, "550 Your message was not accepted: address has moved", "hard"),
    (None, "550 This person has moved on and no longer works here", "hard"),
    ("5.2.0", "550 5.2.0 Message Filtered", "policy"),
    ("5.1.1", "550 5.1.1 <x@h.example>... User unknown (filtered by recipient table)", "hard"),
    (None, "SMTP error from remote mail server after end of data: 500 Line limit exceeded", "policy"),
    ("5.6.0", "550 5.6.0 Message has lines longer than 998 characters", "policy"),
    ("5.0.0", "554 5.0.0 Message rejected.", "policy"),
    ("5.1.1", "550 5.1.1 Address rejected: User unknown", "hard"),
    (None, "550 DNS lookup failure: host mail.h.example not found", "hard"),
    ("4.2.2", "452 4.2.2 Mailbox full", "soft"),
    (None, "552 Requested mail action aborted: exceeded storage allocation", "soft"),
    ("5.2.2", "552 5.2.2 Quota exceeded (mailbox for user is full)", "soft"),
    (None, "552 5.2.2 <x@h.example>: user is over quota", "soft"),
    ("4.4.7", "Message expired", "soft"),
    (
        "4.7.1",
        "450 4.7.1 <x@h.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch",
        "soft",
    ),
    (None, "550 Requested action not taken", "soft"),
    (None, "554 5.4.7 delivery expired (message too old)", "soft"),
    (
        "4.2.1",
        "450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents delivery",
        "soft",
    ),
    ("5.2.1", "550 5.2.1 Mailbox temporarily disabled, try again later", "soft"),
    (None, "451 4.1.1 user unknown (temporary lookup failure)", "soft"),
    (
        "5.7.1",
        "550 5.7.1 Unfortunately, messages from [203.0.113.7] weren't sent. Part of their network is on our block list",
        "policy",
    ),
    (
        "5.7.515",
        "550 5.7.515 Access denied, sending domain jengu.test doesn't meet the required authentication level.",
        "policy",
    ),
    (None, "554 Transaction failed: spam message rejected", "policy"),
    (None, "550 Rejected by policy", "policy"),
    (None, "550 Message rejected: your IP 203.0.113.7 is listed at bl.spamcop.net", "policy"),
    ("4.7.0", "421 4.7.0 Try again later, closing connection. (EHLO) - gsmtp", "policy"),
    (None, "452 Too many recipients received this hour", "policy"),
    (None, "550 5.1.8 Sender address rejected: Domain not found", "policy"),
    (None, "553 5.1.7 The sender address is invalid", "policy"),
    ("5.1.1", "550 5.1.1 <x@h.example> blocked using zen.spamhaus.org", "policy"),
    (None, "550 5.4.5 Daily user sending quota exceeded", "policy"),
    (None, "554 5.7.1 <x@h.example>: Relay access denied", "policy"),
    (None, "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", "policy"),
    (None, "421 Too many concurrent SMTP connections; please try again later", "policy"),
    (None, "550 High probability of spam", "policy"),
    (None, "554 5.7.5 Permanent error evaluating DMARC policy", "policy"),
]


VERDICTS += [
    (
        "5.2.1",
        "550-5.2.1 The user you are trying to contact is receiving mail at a rate that prevents delivery",
        "soft",
    ),
    ("5.7.13", "525 5.7.13 <x@h.example>: Recipient address rejected: User account disabled", "hard"),
    (
        "5.0.0",
        "Your message wasn't delivered to x@h.example because the address couldn't be found. Check for typos or"
        " unnecessary spaces and try again.",
        "hard",
    ),
    (None, "550 Protocol violation", "policy"),
    (None, "550 5.2.0 <sales@jengu.test> From: Domain is invalid. Please provide a valid From:", "policy"),
    (None, "550 #5.1.0 Address rejected.", "hard"),
    (None, "554 5.3.0 <x@h.example>: Recipient address rejected: Internal system error", "soft"),
    (None, "host mx.h.example[192.0.2.1] refused to talk to me: 421 Service not available", "policy"),
    (None, "550 5.4.4 Invalid domain", "hard"),
]

# Without a code, "failed" (RFC 3464: no more attempts) is what makes a recipient's words permanent.
FAILED_WITHOUT_CODE: list[tuple[str, str]] = [
    ("User some.name (x@h.example) not listed in Domino Directory", "hard"),
    (
        "DNS Error: DNS type 'mx' lookup of h.example responded with code NOERROR The domain h.example doesn't receive"
        " email according to the administrator: returned Null MX",
        "hard",
    ),
    ("Name service error for domain h.example: Host not found, try again", "soft"),
    ("4.0.0 DNS Error: The domain h.example doesn't receive email according to the administrator: Null MX", "soft"),
    ("Unrouteable address", "hard"),
    ("mailbox is full: retry timeout exceeded", "soft"),
    ("The account or domain may not exist, they may be blacklisted, or missing the proper dns entries.", "policy"),
]


@pytest.mark.parametrize(("diagnostic", "expected"), FAILED_WITHOUT_CODE)
def test_verdict_of_a_failed_recipient_without_a_code(diagnostic: str, expected: str) -> None:
    status = find_status(diagnostic)
    assert verdict_for(status, find_code(diagnostic), diagnostic, "failed") == expected
    if expected == "hard":
        assert verdict_for(status, find_code(diagnostic), diagnostic, "delayed") == "soft"
        assert verdict_for(status, find_code(diagnostic), diagnostic) == "soft"  # nothing says it is permanent


@pytest.mark.parametrize(("status", "diagnostic", "expected"), VERDICTS)
def test_verdict_for_real_diagnostics(status: str | None, diagnostic: str, expected: str) -> None:
    status = status or find_status(diagnostic)
    assert verdict_for(status, find_code(diagnostic), diagnostic) == expected


def test_status_and_code_are_not_taken_from_addresses_dates_or_versions() -> None:
    assert find_status("host mx [10.4.5.6] said: 550 5.1.1 unknown") == "5.1.1"
    assert find_status("Exim 4.97.1 at 192.0.2.4") is None
    assert find_status("4.16.55.1; see error codes") is None
    assert find_status("smtp-gw6.example.com (Lotus SMTP MTA v4.6.1)") is None
    assert find_status("Sorry, no mailbox here by that name. (#5.1.1)") == "5.1.1"
    assert find_code("smtp; 550-5.1.1 The email account") == 550
    assert find_code("host mx.example.com[192.0.2.250] said: 452 4.2.2 over quota") == 452
    assert find_code("connect to mx[192.0.2.99]:25: Connection timed out") is None


@settings(max_examples=300, deadline=None)
@given(
    klass=st.sampled_from("45"),
    subject=st.integers(0, 7),
    detail=st.integers(0, 30),
    words=st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
)
def test_verdict_rules_hold_for_any_status(klass: str, subject: int, detail: int, words: str) -> None:
    status = f"{klass}.{subject}.{detail}"
    verdict = verdict_for(status, None, f"{status} {words}")
    assert verdict in ("hard", "soft", "policy")
    if subject == 7 and not (klass == "5" and detail == 13):  # x.7.13 is "user account disabled"
        assert verdict in ("policy", "soft")  # soft only for greylisting
    if klass == "4" or (subject == 2 and detail == 2):
        assert verdict != "hard"  # a transient or full mailbox never burns an address


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), subject=st.text(max_size=60))
def test_read_bounce_never_raises(text: str, subject: str) -> None:
    parsed = mail(text, subject=subject, parts=(MimePart("message/delivery-status", text),))
    result = read_bounce(parsed)
    assert result is None or isinstance(result, Bounce)
