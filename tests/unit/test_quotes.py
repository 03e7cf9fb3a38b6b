"""`reply_part`: the new words of a reply, per client and language, top- and bottom-posted, signatures removed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.inbound_mail.quotes import reply_part

HISTORY = "\n> Hi, would direct bookings be worth a look?\n> Tom\n"

TOP_POSTED = {
    "gmail en": "On Mon, 23 Nov 2026 at 09:14, Tom Berger <tom@jengu.example> wrote:",
    "gmail en wrapped": "On Mon, Nov 23, 2026 at 9:14 AM Tom Berger <\ntom@jengu.example> wrote:",
    "apple en": "On 23 Nov 2026, at 09:14, Tom Berger <tom@jengu.example> wrote:",
    "de": "Am Mo., 23. Nov. 2026 um 09:14 Uhr schrieb Tom Berger <tom@jengu.example>:",
    "de thunderbird": "Am 23.11.2026 um 09:14 schrieb Tom Berger:",
    "fr": "Le lun. 23 nov. 2026 à 09:14, Tom Berger <tom@jengu.example> a écrit :",
    "es": "El lun, 23 nov 2026 a las 9:14, Tom Berger (<tom@jengu.example>) escribió:",
    "it": "Il giorno lun 23 nov 2026 alle ore 09:14 Tom Berger <tom@jengu.example> ha scritto:",
    "nl": "Op ma 23 nov. 2026 om 09:14 schreef Tom Berger <tom@jengu.example>:",
    "pt": "Em seg., 23 de nov. de 2026 às 09:14, Tom Berger <tom@jengu.example> escreveu:",
    "bare": "Tom Berger <tom@jengu.example> wrote:",
}


@pytest.mark.parametrize("attribution", TOP_POSTED.values(), ids=list(TOP_POSTED))
def test_top_posted_with_quoted_history(attribution: str) -> None:
    text = f"Yes, let's talk on Tuesday.\n\n{attribution}\n{HISTORY}"
    assert reply_part(text) == "Yes, let's talk on Tuesday."


@pytest.mark.parametrize("attribution", TOP_POSTED.values(), ids=list(TOP_POSTED))
def test_history_without_quote_marks_is_cut_too(attribution: str) -> None:
    text = f"Yes, let's talk on Tuesday.\n\n{attribution}\n\nHi, would direct bookings be worth a look?\nTom"
    assert reply_part(text) == "Yes, let's talk on Tuesday."


OUTLOOK = {
    "en": "From: Tom Berger <tom@jengu.example>\nSent: Monday, November 23, 2026 9:14 AM\nTo: Anna\nSubject: Hi",
    "en bold": "*From:* Tom Berger\n*Sent:* Monday, November 23, 2026 9:14 AM\n*To:* Anna\n*Subject:* Hi",
    "de": "Von: Tom Berger <tom@jengu.example>\nGesendet: Montag, 23. November 2026 09:14\nAn: Anna\nBetreff: Hi",
    "fr": "De : Tom Berger\nEnvoyé : lundi 23 novembre 2026 09:14\nÀ : Anna\nObjet : Hi",
    "es": "De: Tom Berger\nEnviado el: lunes, 23 de noviembre de 2026 9:14\nPara: Anna\nAsunto: Hi",
    "it": "Da: Tom Berger\nInviato: lunedì 23 novembre 2026 09:14\nA: Anna\nOggetto: Hi",
    "nl": "Van: Tom Berger\nVerzonden: maandag 23 november 2026 09:14\nAan: Anna\nOnderwerp: Hi",
    "pt": "De: Tom Berger\nEnviada em: segunda-feira, 23 de novembro de 2026 09:14\nPara: Anna\nAssunto: Hi",
    "original message": "-----Original Message-----\nFrom: Tom Berger",
    "ursprüngliche": "-----Ursprüngliche Nachricht-----\nVon: Tom Berger",
    "message d'origine": "-------- Message d'origine --------\nDe : Tom",
    "mensaje original": "-----Mensaje original-----",
    "messaggio originale": "-----Messaggio originale-----",
    "oorspronkelijk": "-----Oorspronkelijk bericht-----",
    "mensagem original": "-----Mensagem original-----",
    "underscores": "________________________________\nFrom: Tom Berger\nSent: Monday\nTo: Anna",
    "one line": "From: Tom Berger Sent: Monday, November 23, 2026 To: Anna Subject: Hi",
    "forward": "---------- Forwarded message ---------\nFrom: Tom",
    "apple forward": "Begin forwarded message:\n\nFrom: Tom",
}


@pytest.mark.parametrize("block", OUTLOOK.values(), ids=list(OUTLOOK))
def test_outlook_blocks_and_separators(block: str) -> None:
    text = f"Bitte rufen Sie mich an.\n\n{block}\n\nHallo Anna, interesse?"
    assert reply_part(text) == "Bitte rufen Sie mich an."


def test_bottom_posted_and_interleaved() -> None:
    text = f"{TOP_POSTED['gmail en']}\n> Would you like a demo?\n\nYes please, Tuesday works.\n\n-- \nAnna Schmidt\nCEO"
    assert reply_part(text) == "Yes please, Tuesday works."
    interleaved = "> Would a demo help?\nYes.\n> Tuesday or Wednesday?\nWednesday, 10am.\n"
    assert reply_part(interleaved) == "Yes.\nWednesday, 10am."


@pytest.mark.parametrize(
    "signature",
    [
        "Sent from my iPhone",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPhone",
        "Enviado desde mi iPhone",
        "Inviato da iPhone",
        "Verzonden vanaf mijn iPhone",
        "Enviado do meu iPhone",
        "Get Outlook for Android",
        "--\nAnna Schmidt | Revenue Manager\n+49 30 1234567",
        "Kind regards\nAnna",
        "Mit freundlichen Grüßen\n\nAnna Schmidt\nHotel Seehof",
        "Cordialement,\nJulien",
        "Un saludo,\nLucía",
        "Cordiali saluti\nGiulia Romano",
        "Met vriendelijke groet,\nSanne",
        "Atenciosamente,\nAna Costa",
    ],
)
def test_signatures(signature: str) -> None:
    assert reply_part(f"Sounds good, send me the details.\n\n{signature}") == "Sounds good, send me the details."


def test_a_closing_word_inside_the_reply_is_kept() -> None:
    assert reply_part("Hi,\n\nThanks.\nWe'd like a demo next week.") == "Hi,\n\nThanks.\nWe'd like a demo next week."
    assert reply_part("Thanks!") == "Thanks!"
    assert reply_part("Sent from my iPhone") == "Sent from my iPhone"


def test_only_quoted_text_leaves_nothing() -> None:
    assert reply_part("> all quoted\n> nothing new") == ""
    assert reply_part("") == ""


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_and_never_grows(text: str) -> None:
    out = reply_part(text)
    assert len(out) <= len(text)
