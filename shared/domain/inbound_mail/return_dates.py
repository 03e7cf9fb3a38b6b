"""The return date an out-of-office message announces, in seven languages. Pure.

`parse_return_date(text, received=...)` finds every date in the text (ISO, numeric day-first or month-first, month
names in English, German, French, Spanish, Italian, Dutch and Portuguese, weekdays and "tomorrow" after a return
word) and keeps the one the absence ends on: among the dates after a return/until word the latest, else the latest
of all. A date without a year is the next such date on or after `received`; dates before `received` are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

HORIZON = timedelta(days=400)  # an absence announced further ahead is a typo or not a return date

_MONTHS: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "januar",
        "janner",
        "jaenner",
        "jan",
        "janvier",
        "janv",
        "enero",
        "ene",
        "gennaio",
        "gen",
        "januari",
        "janeiro",
    ),
    2: ("february", "feb", "februar", "febr", "fevrier", "fev", "fevr", "febrero", "febbraio", "februari", "fevereiro"),
    3: ("march", "mar", "marz", "maerz", "mars", "marzo", "maart", "mrt", "marco"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "apr"),
    5: ("may", "mai", "mayo", "maggio", "mag", "mei", "maio"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"),
    8: ("august", "aug", "aout", "agosto", "ago", "augustus"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "sett", "set", "setembro"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro"),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: ("december", "dec", "dezember", "dez", "decembre", "diciembre", "dic", "dicembre", "dezembro"),
}
_MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names}
_MONTH_RE = "|".join(sorted(_MONTH_OF, key=len, reverse=True))

_WEEKDAYS: dict[int, tuple[str, ...]] = {
    0: ("monday", "montag", "lundi", "lunes", "lunedi", "maandag", "segunda-feira", "segunda"),
    1: ("tuesday", "dienstag", "mardi", "martes", "martedi", "dinsdag", "terca-feira", "terca"),
    2: ("wednesday", "mittwoch", "mercredi", "miercoles", "mercoledi", "woensdag", "quarta-feira", "quarta"),
    3: ("thursday", "donnerstag", "jeudi", "jueves", "giovedi", "donderdag", "quinta-feira", "quinta"),
    4: ("friday", "freitag", "vendredi", "viernes", "venerdi", "vrijdag", "sexta-feira", "sexta"),
    5: ("saturday", "samstag", "sonnabend", "samedi", "sabado", "sabato", "zaterdag"),
    6: ("sunday", "sonntag", "dimanche", "domingo", "domenica", "zondag"),
}
_WEEKDAY_OF = {name: number for number, names in _WEEKDAYS.items() for name in names}
_WEEKDAY_RE = "|".join(sorted(_WEEKDAY_OF, key=len, reverse=True))
_TOMORROW_RE = r"tomorrow|morgen|demain|manana|domani|amanha"

# Words after which a date is the end of the absence ("until", "back on", "returning", "to" of a range ...).
_ANCHOR = re.compile(
    r"\b(?:back|return(?:s|ing)?|until|till|til|thru|through|resume|reachable|available|"
    r"bis|zuruck|wieder|ab|einschliesslich|erreichbar|"
    r"retour|jusqu|revien\w*|reprendr\w*|rentre\w*|au|"
    r"hasta|regres\w*|vuelt\w*|volver\w*|reincorpor\w*|al|"
    r"fino|rientr\w*|ritorn\w*|torner\w*|"
    r"tot|t/m|terug|weer|vanaf|aanwezig|"
    r"ate|volt\w*|retorn\w*|"
    r"to|from|vom|du|del|dal|a\s+partir)\b[^.!?\n]{0,40}$"
)

_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|e|º|°|o|\.)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_SEP = r"[\s,./-]*(?:de\s+|del\s+|of\s+|the\s+)?"
_DAY_MONTH = re.compile(
    rf"(?<!\d){_DAY}\s*(?:-|de\s+|of\s+)?\s*(?P<month>{_MONTH_RE})\b\.?(?:{_SEP}{_YEAR}\b)?", re.IGNORECASE
)
_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTH_RE})\b\.?\s+(?:the\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*[:.]\d)"
    rf"(?:,?\s*{_YEAR}\b)?",
    re.IGNORECASE,
)
_ISO = re.compile(r"(?<![\d.])(?P<year>(?:19|20)\d\d)[-/.](?P<a>[01]?\d)[-/.](?P<b>[0-3]?\d)(?![\d])")
_NUMERIC = re.compile(
    r"(?<![\d./-])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[0-3]?\d)(?:(?P=sep)(?P<year>(?:19|20)?\d\d)(?![\d])|\.?(?![\d./-]))(?!\s*(?:uhr|h\b|am\b|pm\b|hrs|hours|horas|ore\b|uur))"
)
_WEEKDAY = re.compile(rf"\b(?P<weekday>{_WEEKDAY_RE})\b|\b(?P<tomorrow>{_TOMORROW_RE})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Found:
    when: date
    anchored: bool
    start: int


def parse_return_date(text: str, *, received: date, language_hint: str | None = None) -> date | None:
    """The day the absence ends (the last day away, or the day back), or None when the text gives none."""
    plain = _fold(text)
    found: list[_Found] = []
    masked = plain
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(masked):
            when = _from_parts(match["day"], _MONTH_OF[match["month"].lower()], match["year"], received)
            if when:
                found.append(_Found(when, _anchored(plain, match.start()), match.start()))
            masked = masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
    for match in _ISO.finditer(masked):
        when = _from_parts(match["b"], int(match["a"]), match["year"], received)
        if when:
            found.append(_Found(when, _anchored(plain, match.start()), match.start()))
        masked = masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
    for match in _NUMERIC.finditer(masked):
        anchored = _anchored(plain, match.start())
        if match["year"] is None and not anchored:
            continue  # "3.5" or "12/4" alone is a number, a version or a score, not a date
        when = _numeric(match["a"], match["b"], match["sep"], match["year"], received, language_hint)
        if when:
            found.append(_Found(when, anchored, match.start()))
    found = [item for item in found if received <= item.when <= received + HORIZON]
    if not found:
        return _weekday_date(plain, received)
    after_anchor = [item for item in found if item.anchored]
    return max(item.when for item in (after_anchor or found))


def _fold(text: str) -> str:
    """Lower-risk matching: accents removed (février -> fevrier, März -> Marz), case kept for nothing."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _anchored(text: str, start: int) -> bool:
    return bool(_ANCHOR.search(text[max(0, start - 60) : start]))


def _from_parts(day_text: str, month: int, year_text: str | None, received: date) -> date | None:
    day = int(day_text)
    if year_text is not None:
        year = int(year_text)
        year = year + 2000 if year < 100 else year
        return _make(year, month, day)
    for year in (received.year, received.year + 1):
        when = _make(year, month, day)
        if when and when >= received:
            return when
    return None


def _numeric(a: str, b: str, sep: str, year: str | None, received: date, hint: str | None) -> date | None:
    """Day-first unless the hint is en-US; with "/" the other reading when the first is impossible or past."""
    month_first = bool(hint) and str(hint).lower().replace("_", "-") in {"en-us", "us"}
    orders = [(b, int(a)), (a, int(b))] if month_first else [(a, int(b)), (b, int(a))]
    if sep != "/":
        orders = [(a, int(b))]  # "7.1." and "07-01-2026" are day-first wherever they are written
    readings = [_from_parts(day, month, year, received) if 1 <= month <= 12 else None for day, month in orders]
    for when in readings:
        if when and received <= when <= received + HORIZON:
            return when
    return next((when for when in readings if when), None)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday_date(text: str, received: date) -> date | None:
    """ "back on Monday" / "ab Montag wieder" / "de retour demain": the next such day after `received`."""
    for match in _WEEKDAY.finditer(text):
        if not _anchored(text, match.start()):
            continue
        if match["tomorrow"]:
            return received + timedelta(days=1)
        ahead = (_WEEKDAY_OF[match["weekday"].lower()] - received.weekday()) % 7 or 7
        return received + timedelta(days=ahead)
    return None
