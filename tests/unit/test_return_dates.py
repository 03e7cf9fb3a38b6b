"""Return dates in out-of-office text: phrases in seven languages, numeric orders, ranges, and hypothesis formats."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.inbound_mail.return_dates import parse_return_date

RECEIVED = date(2026, 1, 5)  # a Monday

PHRASES = [
    ("I'll be back on Monday 12 January.", None, date(2026, 1, 12)),
    ("Returning 12/01/2026.", None, date(2026, 1, 12)),
    ("Returning 12/01/2026.", "en-GB", date(2026, 1, 12)),
    ("Returning 12/01/2026.", "en-US", date(2026, 12, 1)),
    ("Returning 01/20/2026.", None, date(2026, 1, 20)),  # only one reading exists
    ("Ich bin bis zum 15. Januar nicht im Büro.", "de", date(2026, 1, 15)),
    ("Ab dem 7.1. bin ich wieder erreichbar.", "de", date(2026, 1, 7)),
    ("Ich bin bis einschließlich 09.01.2026 abwesend.", "de", date(2026, 1, 9)),
    ("Je serai de retour le 3 février.", "fr", date(2026, 2, 3)),
    ("Absente du 5 au 16 janvier inclus.", "fr", date(2026, 1, 16)),
    ("Estoy fuera hasta el 10 de enero.", "es", date(2026, 1, 10)),
    ("Regreso el 1º de febrero de 2026.", "es", date(2026, 2, 1)),
    ("Sono fuori ufficio fino al 6 gennaio.", "it", date(2026, 1, 6)),
    ("Rientro lunedì 12 gennaio 2026.", "it", date(2026, 1, 12)),
    ("Ik ben afwezig tot en met 5 januari.", "nl", date(2026, 1, 5)),
    ("Ik ben t/m 9 jan. afwezig.", "nl", date(2026, 1, 9)),
    ("Estou ausente até 9 de janeiro.", "pt", date(2026, 1, 9)),
    ("Out until 2026-01-21.", None, date(2026, 1, 21)),
    ("I'm away from 1 to 14 July.", None, date(2026, 7, 14)),
    ("Out of office July 1-14, back July 15th.", None, date(2026, 7, 15)),
    ("On leave from January 6th through January 16th, 2026.", None, date(2026, 1, 16)),
    ("Back 20-Jan-2026.", None, date(2026, 1, 20)),
    ("Vom 12.-14. Januar auf Messe.", "de", date(2026, 1, 14)),
    ("Back on the 3rd of March.", None, date(2026, 3, 3)),
    ("Back in the office on Friday.", None, date(2026, 1, 9)),
    ("Ab Montag wieder im Büro.", "de", date(2026, 1, 12)),
    ("De retour demain.", "fr", date(2026, 1, 6)),
    ("Back 3 January.", None, date(2027, 1, 3)),  # no year and already past: next year's
    ("I am away until 14 December 2026.", None, date(2026, 12, 14)),
]


@pytest.mark.parametrize(("text", "hint", "expected"), PHRASES)
def test_phrases(text: str, hint: str | None, expected: date) -> None:
    assert parse_return_date(text, received=RECEIVED, language_hint=hint) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I am out of the office with limited access to email.",
        "Bis 10.30 Uhr im Meeting.",
        "Version 3.5 is installed; we scored 12/4 in the test.",
        "I was away until 14 December 2025.",  # before `received`: not a return date
        "Call +49 30 1234 5678 or 5 out of 10 times.",
        "Sent: Thursday, 1 January 2026 10:00",
    ],
)
def test_no_return_date(text: str) -> None:
    assert parse_return_date(text, received=RECEIVED) is None


def test_anchored_date_beats_other_dates() -> None:
    text = "Back on 12 January. Visit our stand at the fair on 3 March 2026."
    assert parse_return_date(text, received=RECEIVED) == date(2026, 1, 12)


def test_far_future_is_ignored() -> None:
    assert parse_return_date("Back on 1 January 2030.", received=RECEIVED) is None


MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"],
}  # fmt: skip
LEAD = {
    "en": "I will be back on {}.",
    "de": "Ich bin bis zum {} nicht im Büro.",
    "fr": "Je serai de retour le {}.",
    "es": "Estaré fuera hasta el {}.",
    "it": "Sono assente fino al {}.",
    "nl": "Ik ben afwezig tot en met {}.",
    "pt": "Estou ausente até {}.",
}
received_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
offsets = st.integers(min_value=0, max_value=360)


def _written(when: date, lang: str, style: int, with_year: bool) -> str:
    month = MONTHS[lang][when.month - 1]
    year = f" {when.year}" if with_year else ""
    if lang == "en" and style == 1:
        return f"{month} {when.day}{',' if with_year else ''}{year}"
    if lang in {"es", "pt"}:
        return f"{when.day} de {month}{' de' + year if with_year else ''}"
    if lang == "de":
        return f"{when.day}. {month}{year}"
    return f"{when.day} {month}{year}"


@given(received_dates, offsets, st.sampled_from(sorted(MONTHS)), st.integers(0, 1), st.booleans())
def test_month_names_any_language(received: date, offset: int, lang: str, style: int, with_year: bool) -> None:
    when = received + timedelta(days=offset)
    text = LEAD[lang].format(_written(when, lang, style, with_year))
    assert parse_return_date(text, received=received, language_hint=lang) == when


@given(received_dates, offsets, st.sampled_from([".", "/", "-"]), st.booleans(), st.booleans())
def test_numeric_day_first(received: date, offset: int, sep: str, padded: bool, short_year: bool) -> None:
    when = received + timedelta(days=offset)
    day, month = (f"{when.day:02d}", f"{when.month:02d}") if padded else (str(when.day), str(when.month))
    year = f"{when.year % 100:02d}" if short_year else str(when.year)
    text = f"Je suis absent, de retour le {day}{sep}{month}{sep}{year}."
    assert parse_return_date(text, received=received, language_hint="fr") == when


@given(received_dates, offsets)
def test_numeric_month_first_for_en_us(received: date, offset: int) -> None:
    when = received + timedelta(days=offset)
    text = f"I'm out of the office until {when.month}/{when.day}/{when.year}."
    assert parse_return_date(text, received=received, language_hint="en-US") == when


@given(received_dates, offsets)
def test_iso(received: date, offset: int) -> None:
    when = received + timedelta(days=offset)
    assert parse_return_date(f"Back {when.isoformat()}.", received=received) == when


@given(received_dates, st.integers(0, 300), st.integers(1, 30), st.sampled_from(sorted(MONTHS)))
def test_range_end_is_the_return(received: date, offset: int, length: int, lang: str) -> None:
    start = received + timedelta(days=offset)
    end = start + timedelta(days=length)
    text = f"Absent: {_written(start, lang, 0, True)} - {_written(end, lang, 0, True)}."
    assert parse_return_date(text, received=received, language_hint=lang) == end


@given(st.text(max_size=300), received_dates)
def test_never_raises_and_stays_in_horizon(text: str, received: date) -> None:
    found = parse_return_date(text, received=received)
    assert found is None or received <= found <= received + timedelta(days=400)
