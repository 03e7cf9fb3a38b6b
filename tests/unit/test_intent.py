"""The rule-based reply classifier: a labelled multilingual corpus (accuracy asserted), negation, priority, the
referred person, and hypothesis for "never raises"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.inbound_mail.intent import LABELS, PRIORITY, classify_reply, referral_of

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "replies" / "intents.jsonl"
ROWS = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_corpus_is_large_multilingual_and_covers_every_label() -> None:
    assert len(ROWS) >= 80
    assert {row["label"] for row in ROWS} == set(LABELS)


def test_accuracy_over_the_labelled_corpus_is_at_least_90_percent() -> None:
    right = sum(classify_reply(row["text"], row["subject"]).label == row["label"] for row in ROWS)
    assert right / len(ROWS) >= 0.9, f"{right}/{len(ROWS)}"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['label']}:{row['text'][:40]}")
def test_each_labelled_reply(row: dict[str, str]) -> None:
    intent = classify_reply(row["text"], row["subject"])
    assert intent.label == row["label"], intent.rule
    assert 0 <= intent.confidence <= 1
    assert intent.rule.startswith("rules:")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("We are not interested.", "not_interested"),
        ("Interested!", "interested"),
        ("Wir haben kein Interesse.", "not_interested"),
        ("Das ist interessant für uns.", "interested"),
        ("Nous ne sommes pas intéressés.", "not_interested"),
        ("No nos interesa.", "not_interested"),
        ("Non siamo interessati.", "not_interested"),
        ("Wij hebben geen interesse.", "not_interested"),
        ("Não temos interesse.", "not_interested"),
        ("I don't want a call, I just want you to stop.", "unsubscribe"),
        ("No problem, let's schedule a call next week.", "meeting_request"),
    ],
)
def test_negation(text: str, label: str) -> None:
    assert classify_reply(text, "Re: x").label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Pode me mandar mais informações?", "interested"),  # pt "mais" is "more", not "but"
        ("Me puedes mandar más información?", "interested"),
        ("Não quero mais receber estes emails.", "unsubscribe"),
        ("Obrigado, mas não temos interesse.", "not_interested"),  # pt "mas" is "but"
        ("Merci mais ça ne nous intéresse pas.", "not_interested"),
        ("Stuur maar wat meer informatie.", "interested"),  # Dutch particle "maar"
        ("Bedankt, maar we hebben geen interesse.", "not_interested"),
    ],
)
def test_but_words_that_also_mean_more(text: str, label: str) -> None:
    assert classify_reply(text, "Re: x").label == label


@pytest.mark.parametrize(
    "text",
    [
        "Danke, aber wir sind mit unserem jetzigen Anbieter sehr zufrieden.",
        "Met onze huidige partner zijn we erg tevreden, bedankt.",
        "We're happy with our current provider, thanks.",
    ],
)
def test_satisfied_with_the_current_provider_in_either_word_order(text: str) -> None:
    assert classify_reply(text, "Re: x").label == "not_interested"


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("De esto se encarga mi compañero Javier, javier@hotelplaya.example", "javier@hotelplaya.example"),
        ("Se ne occupa Paola in amministrazione: paola@hotelmare.example", "paola@hotelmare.example"),
        ("C'est Julien qui s'occupe de ça, julien@hotelalpes.example", "julien@hotelalpes.example"),
        ("Sarah handles our marketing - sarah.k@seaside.example", "sarah.k@seaside.example"),
    ],
)
def test_who_handles_it(text: str, email: str) -> None:
    intent = classify_reply(text, "Re: x")
    assert (intent.label, intent.referral_email) == ("referral", email)


@pytest.mark.parametrize(
    "text",
    [
        "Budget is tight this year so we won't be moving forward.",
        "We have decided not to proceed, thanks.",
        "Wir haben das intern besprochen und verzichten.",
        "Al momento siamo a posto così, grazie.",
        "Estamos bien así, gracias.",
        "Wir sind bestens versorgt.",
    ],
)
def test_polite_passes(text: str) -> None:
    assert classify_reply(text, "Re: x").label == "not_interested"


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, forwarding to our GM Peter who makes these calls.",
        "I have moved to another hotel; please write to the new director, Marc Olivier.",
        "Mi sono appena trasferita in un altro hotel, la direzione ora è di Marco Serra.",
    ],
)
def test_handed_on_or_moved_on(text: str) -> None:
    assert classify_reply(text, "Re: x").label == "referral"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Bitte schicken Sie keine Angebote mehr.", "unsubscribe"),  # the negation sits inside "schicken ... Angebote"
        ("Wir brauchen kein Angebot, danke.", "not_interested"),
        ("Können Sie mir ein Angebot für 35 Zimmer schicken?", "interested"),  # verb last
        ("Kun je me een offerte sturen?", "interested"),
        ("Am 3. Mai um 10 Uhr passt ein Telefonat?", "meeting_request"),  # an ordinal's period ends no clause
        ("Could do the 21st anytime after 2.", "meeting_request"),
        ("Trabajamos con una agencia que ya nos lleva todo esto.", "not_interested"),
        ("No volváis a escribirme.", "unsubscribe"),
    ],
)
def test_word_order_and_dates(text: str, label: str) -> None:
    assert classify_reply(text, "Re: x").label == label


def test_priority_unsubscribe_beats_not_interested_beats_meeting() -> None:
    assert classify_reply("Not interested, unsubscribe me.", "").label == "unsubscribe"
    assert classify_reply("Not interested, no need for a call.", "").label == "not_interested"
    assert classify_reply("Interested - can we do a call on Monday at 2pm?", "").label == "meeting_request"
    assert PRIORITY[0] == "unsubscribe" and PRIORITY[-1] == "other"


def test_a_bare_question_mark_does_not_outrank_a_referral() -> None:
    intent = classify_reply("Could you reach out to my colleague Anna Schmidt at anna.schmidt@seehof.example?", "")
    assert intent.label == "referral"
    assert (intent.referral_email, intent.referral_name) == ("anna.schmidt@seehof.example", "Anna Schmidt")


@pytest.mark.parametrize(
    ("text", "email", "name"),
    [
        ("please contact my colleague Anna Schmidt at anna@x.com", "anna@x.com", "Anna Schmidt"),
        (
            "Bitte wenden Sie sich an Frau Lena Hoffmann (lena.hoffmann@alpenhof.example).",
            "lena.hoffmann@alpenhof.example",
            "Lena Hoffmann",
        ),
        ("Neem contact op met Pieter de Vries, pieter@hotelzee.example", "pieter@hotelzee.example", "Pieter de Vries"),
        ("Escriba a marta.ruiz@hotelsol.example", "marta.ruiz@hotelsol.example", "Marta Ruiz"),
        ("Write to info@hotel.example instead.", "info@hotel.example", None),
        ("Ho inoltrato la sua mail al collega Marco Neri.", None, "Marco Neri"),
    ],
)
def test_the_referred_person(text: str, email: str | None, name: str | None) -> None:
    assert referral_of(text) == (email, name)


def test_subject_words_count_only_when_they_are_the_senders() -> None:
    assert classify_reply("", "Unsubscribe").label == "unsubscribe"
    assert classify_reply("Thanks, received.", "Re: A quick question about your bookings").label == "other"
    assert classify_reply("", "Re: Interested in more direct bookings?").label == "other"


def test_empty_and_huge_texts() -> None:
    assert classify_reply("", "").label == "other"
    assert classify_reply("lorem ipsum " * 200_000, "").label == "other"


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(max_size=200))
def test_never_raises(text: str, subject: str) -> None:
    intent = classify_reply(text, subject)
    assert intent.label in LABELS and 0 <= intent.confidence <= 1
