"""Auto-replies: every fixture's kind, return date and referral; people mentioning holidays are not responders."""

from __future__ import annotations

import email
import re
from datetime import date
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from shared.domain.inbound_mail.auto_replies import AutoReply, read_auto_reply
from shared.domain.inbound_mail.parsed import AuthResults, ParsedMail

FIXTURES = Path(__file__).parents[1] / "fixtures" / "auto_replies"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in {"p", "br", "div"}:
            self.chunks.append("\n")


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_subtype() == "html":
        parser = _Text()
        parser.feed(content)
        return "".join(parser.chunks)
    return str(content)


def mail_from(raw: bytes | str) -> ParsedMail:
    """A ParsedMail built with the stdlib alone (independent of parse.py), as the classifier receives it."""
    data = raw.encode() if isinstance(raw, str) else raw
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    headers: dict[str, tuple[str, ...]] = {}
    for name, value in message.items():
        headers[name.lower()] = (*headers.get(name.lower(), ()), str(value))
    name, address = parseaddr(str(message.get("from", "")))
    text = _body(message)
    reply = "\n".join(line for line in text.splitlines() if not line.startswith(">"))
    return ParsedMail(
        message_id=message.get("message-id"),
        in_reply_to=tuple(str(message.get("in-reply-to", "")).split()),
        references=tuple(str(message.get("references", "")).split()),
        from_address=address.lower() or None,
        from_name=name or None,
        to_addresses=tuple(a.lower() for _, a in getaddresses([str(v) for v in message.get_all("to", [])])),
        subject=str(message.get("subject", "")),
        date=parsedate_to_datetime(str(message["date"])) if message.get("date") else None,
        headers=headers,
        auth=AuthResults(),
        content_type=message.get_content_type(),
        report_type=None,
        text=text,
        reply_text=reply,
    )


def read(name: str) -> AutoReply | None:
    mail = mail_from((FIXTURES / name).read_bytes())
    assert mail.date is not None
    return read_auto_reply(mail, received=mail.date.date())


D = date
# fixture -> (kind, return date, referral email, referral name)
EXPECTED: dict[str, tuple[str, date | None, str | None, str | None]] = {
    "exchange_ooo_en.eml": (
        "out_of_office",
        D(2026, 1, 12),
        "j.porter@northwind-logistics.co.uk",
        "James Porter",
    ),
    "exchange_ooo_de.eml": (
        "out_of_office",
        D(2026, 1, 12),
        "katrin.vogel@brandt-maschinenbau.de",
        "Katrin Vogel",
    ),
    "lotus_abwesenheitsnotiz_de.eml": ("out_of_office", D(2026, 8, 24), "sekretariat@stadtwerke-beispiel.de", None),
    "gmail_vacation_en_us.eml": ("out_of_office", D(2026, 7, 13), None, None),
    "gmail_vacation_fr.eml": ("out_of_office", D(2026, 2, 3), "julien.martin@atelier-lumiere.fr", "Julien Martin"),
    "zimbra_vacation_es.eml": ("out_of_office", D(2026, 8, 24), "pruiz@grupo-iberica.es", "Pablo Ruiz"),
    "apple_icloud_it.eml": ("out_of_office", D(2027, 1, 7), "ufficio@studio-conti.it", None),
    "vacation1_nl.eml": ("out_of_office", D(2026, 8, 17), "sanne.bakker@devries-bouw.nl", "Sanne Bakker"),
    "cpanel_autorespond_pt.eml": ("out_of_office", D(2026, 8, 9), None, None),
    "outlook_ooo_fr_noheaders.eml": ("out_of_office", D(2027, 1, 4), None, None),
    "ooo_es_noheaders_body_only.eml": ("out_of_office", D(2026, 8, 21), None, None),
    "ooo_it_subject_fuori_sede.eml": ("out_of_office", D(2026, 8, 31), None, None),
    "ooo_pt_br_no_date.eml": ("out_of_office", None, "comercial@agencia-ipe.com.br", None),
    "ooo_en_iso_date.eml": ("out_of_office", D(2026, 3, 20), None, None),
    "ooo_en_html_only_range.eml": ("out_of_office", D(2026, 7, 14), None, None),
    "ooo_en_weekday_only.eml": ("out_of_office", D(2026, 1, 19), None, None),
    "challenge_spamarrest.eml": ("challenge_response", None, None, None),
    "challenge_boxbe.eml": ("challenge_response", None, None, None),
    "challenge_de_noheaders.eml": ("challenge_response", None, None, None),
    "nlm_referral_en.eml": ("no_longer_monitored", None, "laura.chen@newbrand-group.com", "Laura Chen"),
    "nlm_left_company_de.eml": ("no_longer_monitored", None, "markus.lang@weber-logistik.de", "Markus Lang"),
    "nlm_dead_end_fr_noheaders.eml": ("no_longer_monitored", None, None, None),
    "nlm_nl_referral.eml": ("no_longer_monitored", None, "eva.dewit@vanleeuwen-transport.nl", "Eva de Wit"),
    "nlm_es_dead_end.eml": ("no_longer_monitored", None, None, None),
    "nlm_pt_referral.eml": ("no_longer_monitored", None, "marta.sousa@vinhos-douro.pt", "Marta Sousa"),
    "nlm_it_dead_end.eml": ("no_longer_monitored", None, None, None),
    "ack_ticket_other_auto.eml": ("other_auto", None, None, None),
}
HUMAN = [
    "human_holiday_in_passing_en.eml",
    "human_was_out_of_office_en.eml",
    "human_urlaub_de.eml",
    "human_vacances_fr.eml",
    "human_colleague_left_referral_en.eml",
    "human_vacaciones_es.eml",
    "human_auto_response_suppress_only.eml",
]


def test_every_fixture_is_expected() -> None:
    assert {path.name for path in FIXTURES.glob("*.eml")} == set(EXPECTED) | set(HUMAN)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_kind_date_and_referral(name: str) -> None:
    verdict = read(name)
    assert verdict is not None, name
    kind, return_date, referral_email, referral_name = EXPECTED[name]
    assert (verdict.kind, verdict.return_date) == (kind, return_date), verdict.evidence
    assert (verdict.referral_email, verdict.referral_name) == (referral_email, referral_name)
    assert verdict.evidence


@pytest.mark.parametrize("name", HUMAN)
def test_people_mentioning_holidays_are_not_auto_replies(name: str) -> None:
    assert read(name) is None


def test_shared_sample_out_of_office() -> None:
    raw = (Path(__file__).parents[3] / "shared" / "samples" / "inbound" / "out_of_office.eml").read_text()
    raw = re.sub(r"\{\{DATE\}\}", "Mon, 30 Nov 2026 10:00:00 +0100", raw)
    raw = re.sub(r"\{\{\w+\}\}", "x@example.com", raw)
    verdict = read_auto_reply(mail_from(raw), received=date(2026, 11, 30))
    assert verdict is not None
    assert (verdict.kind, verdict.return_date) == ("out_of_office", date(2026, 12, 14))
    assert verdict.referral_email == "booking@bellavista-hotel.example"


def _message(subject: str, body: str, *headers: str) -> ParsedMail:
    head = "".join(f"{h}\r\n" for h in headers)
    return mail_from(
        f"From: Pat Doe <pat@firm.example>\r\nTo: anna@outreach.jengu.example\r\nSubject: {subject}\r\n"
        f"Date: Mon, 5 Jan 2026 10:00:00 +0000\r\n{head}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )


RECEIVED = date(2026, 1, 5)


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-notified",
        "X-Autoreply: yes",
        "X-Autorespond: Out of office",
        "Precedence: auto_reply",
        "Precedence: junk",
        "Precedence: bulk",
        "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent",
    ],
)
def test_each_header_alone_marks_an_automatic_message(header: str) -> None:
    verdict = read_auto_reply(
        _message("Your message", "Thank you, we have received your message.", header), received=RECEIVED
    )
    assert verdict is not None
    assert verdict.kind == "other_auto"
    assert any(item.startswith("header:") for item in verdict.evidence)


@pytest.mark.parametrize(
    "header", ["Auto-Submitted: no", "X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: OOF, AutoReply"]
)
def test_headers_that_are_not_evidence(header: str) -> None:
    assert read_auto_reply(_message("Re: pricing", "Yes please, send it over.", header), received=RECEIVED) is None


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Out of Office: Re: pricing", "I am away.", D(2026, 1, 19)),
        ("Abwesenheitsnotiz", "Ich bin bis zum 15. Januar nicht im Büro.", D(2026, 1, 15)),
        ("Automatische Antwort: Angebot", "Ich bin ab dem 7.1. wieder im Büro.", D(2026, 1, 7)),
        ("Absence", "Je suis absent, de retour le 3 février.", D(2026, 2, 3)),
        ("Réponse automatique : Offre", "Je suis en congé jusqu'au 9 janvier inclus.", D(2026, 1, 9)),
        ("Respuesta automática: Oferta", "Estoy fuera de la oficina hasta el 10 de enero.", D(2026, 1, 10)),
        ("Fuera de la oficina", "Vuelvo el lunes 12 de enero.", D(2026, 1, 12)),
        ("Risposta automatica: Offerta", "Sono fuori ufficio fino al 6 gennaio.", D(2026, 1, 6)),
        ("Fuori sede", "Rientro il 8 gennaio.", D(2026, 1, 8)),
        ("Afwezig", "Ik ben afwezig tot en met 5 januari.", D(2026, 1, 5)),
        ("Automatisch antwoord: Offerte", "Ik ben met vakantie tot 16 januari.", D(2026, 1, 16)),
        ("Ausente", "Estou ausente até 9 de janeiro.", D(2026, 1, 9)),
        ("Resposta automática: Proposta", "Estou de férias até 20 de janeiro de 2026.", D(2026, 1, 20)),
        ("Automatic reply: Re: pricing", "I'm on annual leave from 5 to 16 January.", D(2026, 1, 16)),
    ],
)
def test_subjects_without_headers_in_seven_languages(subject: str, body: str, expected: date) -> None:
    if "Out of Office" in subject:
        body += " Back on Monday 19 January."
    verdict = read_auto_reply(_message(subject, body), received=RECEIVED)
    assert verdict is not None
    assert (verdict.kind, verdict.return_date) == ("out_of_office", expected)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Re: pricing", "I'm out of the office until Friday but yes, let's talk next week. What does it cost?"),
        ("Re: pricing", "We're closed for the holidays; happy new year! Send me the deck."),
        ("Re: your offer", "Ich war im Urlaub. Ja, gerne ein Angebot schicken."),
        ("Re: offre", "J'étais en vacances. Oui, envoyez-moi le devis."),
        ("Re: Absence management software", "We already use a tool for absence tracking, not interested."),
        ("RE: Out of office replies", "Does your tool detect out of office replies? Asking for our sales team."),
        ("Re: demo", "Please verify the numbers you sent; the total looks wrong to me."),
        ("Re: demo", "Our previous contact has left the company, I am the new buyer. Tell me more."),
        ("AW: Termin", "Bin nächste Woche im Urlaub, ab dem 19.1. wieder da. Dann gerne ein Termin."),
        ("Re: pricing", "I'm on holiday until 12 January with limited access to email, but I'm interested - call me."),
    ],
)
def test_human_replies_are_not_auto_replies(subject: str, body: str) -> None:
    assert read_auto_reply(_message(subject, body), received=RECEIVED) is None


def test_quoted_history_does_not_decide_or_date() -> None:
    body = (
        "Yes, interested — call me.\r\n\r\nOn Mon, 5 Jan 2026, Anna wrote:\r\n"
        "> I am out of the office until 20 January with limited access to email.\r\n"
    )
    assert read_auto_reply(_message("Re: pricing", body), received=RECEIVED) is None


def test_ooo_without_date_and_referral_from_first_last_address() -> None:
    verdict = read_auto_reply(
        _message(
            "Automatic reply: pricing",
            "I am currently out of the office. For urgent matters please contact ops@firm.example.",
            "Auto-Submitted: auto-replied",
        ),
        received=RECEIVED,
    )
    assert verdict is not None
    assert (verdict.kind, verdict.return_date, verdict.referral_email) == ("out_of_office", None, "ops@firm.example")


def test_sender_and_our_own_address_are_never_referrals() -> None:
    verdict = read_auto_reply(
        _message(
            "Automatic reply",
            "I am out of the office. Write to pat@firm.example or anna@outreach.jengu.example, "
            "or noreply@firm.example.",
            "Auto-Submitted: auto-replied",
        ),
        received=RECEIVED,
    )
    assert verdict is not None
    assert verdict.referral_email is None


def test_en_us_content_language_reads_month_first() -> None:
    verdict = read_auto_reply(
        _message("Out of Office", "I am out of the office until 02/03/2026.", "Content-Language: en-US"),
        received=RECEIVED,
    )
    assert verdict is not None
    assert verdict.return_date == D(2026, 2, 3)
    verdict = read_auto_reply(
        _message("Out of Office", "I am out of the office until 02/03/2026.", "Content-Language: en-GB"),
        received=RECEIVED,
    )
    assert verdict is not None
    assert verdict.return_date == D(2026, 3, 2)


def test_headerless_german_responder_with_reply_prefix() -> None:
    body = (
        "Vielen Dank für Ihre Nachricht. Ich bin bis 16.01.2026 nicht im Büro. "
        "Ihre Nachricht wird nicht weitergeleitet."
    )
    verdict = read_auto_reply(_message("AW: Angebot", body), received=RECEIVED)
    assert verdict is not None
    assert (verdict.kind, verdict.return_date) == ("out_of_office", D(2026, 1, 16))
