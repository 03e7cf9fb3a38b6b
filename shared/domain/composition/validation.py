"""The checks every draft passes before it is accepted (template, AI or fallback alike), and `clean_output`, the
tidying done before them. `validate_draft` returns the problems found; an empty list means acceptable.

Codes: subject_length (1-150 characters, one line), body_length (40-4,000), placeholder (unrendered template syntax
or a stand-in such as {first_name}, [First Name], [Your Name], <NAME>, %FIRST_NAME%, ${name}), braces (any other
"{" or "}"), foreign_link (a URL, www. host, e-mail domain or bare domain whose registrable domain is not among the
input's: context.input_links), missing_personalisation (the prospect's first name, or else the property / company
name, must appear in the body when the records know it), spam_phrase (spam_phrases.py, case- and accent-folded, on word
boundaries), html (tags or entities in what must be plain text), language (when a language is configured: a
stop-word count says the body is clearly another of en, de, fr, es, it, nl, pt).

Registrable domains are approximated without the public-suffix list: the last two labels, or three under a
two-letter country code whose second level is a generic one ("hotel.co.uk", "hotel.com.au").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from shared.domain.composition.context import LINK, input_links, link_domain
from shared.domain.composition.spam_phrases import all_phrases
from shared.domain.normalize import fold, strip_controls

SUBJECT_CHARS = (1, 150)
BODY_CHARS = (40, 4000)
REQUIREMENTS = ("first_name_or_property", "first_name", "property_or_company")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


# -- placeholders and braces ------------------------------------------------------------------------------------

_TAGS = (
    "a|abbr|b|blockquote|body|br|center|code|div|em|font|h[1-6]|head|hr|html|i|img|li|ol|p|pre|s|small|span|strong|"
    "style|script|table|tbody|td|th|thead|tr|u|ul"
)
_HTML = re.compile(rf"</?(?:{_TAGS})(?:\s[^<>]*)?/?>|&(?:nbsp|amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);", re.IGNORECASE)
_TAG_ONLY = re.compile(rf"^/?(?:{_TAGS})(?:\s.*)?/?$", re.IGNORECASE)
_PLACEHOLDER_WORDS = re.compile(
    r"name|first|last|surname|company|hotel|property|city|your|insert|recipient|sender|date|link|title|position|"
    r"e-?mail|phone|vorname|nachname|firma|prénom|nom|nombre|empresa|nome|azienda|naam|bedrijf",
    re.IGNORECASE,
)
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_CURLY = re.compile(r"\$?\{\s*[^{}\n]{1,60}\}")
_SQUARE = re.compile(r"\[\s*([^\[\]\n]{1,40})\]")
_ANGLE = re.compile(r"<\s*([^<>\n]{1,40})>")
_PERCENT = re.compile(r"%[A-Za-z][A-Za-z_]{1,30}%")
_CAPS = re.compile(r"^[A-Z][A-Z _.-]+$")


def _stand_in(inner: str) -> bool:
    inner = inner.strip()
    if "@" in inner or "://" in inner or _TAG_ONLY.match(inner):
        return False
    return bool(_CAPS.match(inner)) or bool(_PLACEHOLDER_WORDS.search(inner))


def _placeholders(text: str) -> list[tuple[int, int]]:
    """The spans of unrendered placeholders in `text`."""
    spans = [m.span() for m in _TEMPLATE_SYNTAX.finditer(text)]
    spans += [m.span() for m in _CURLY.finditer(text)]
    spans += [m.span() for m in _PERCENT.finditer(text)]
    spans += [m.span() for pattern in (_SQUARE, _ANGLE) for m in pattern.finditer(text) if _stand_in(m.group(1))]
    return sorted(spans)


# -- links --------------------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GENERIC_TLDS = _words(
    "com net org info biz io co ai app dev eu asia pro me tv xyz club online site shop store tech hotel hotels travel "
    "holiday tours menu restaurant bar cafe wine spa golf ski events group agency digital media email link page"
)
_GENERIC_SECOND_LEVEL = _words("co com net org ac gov edu or ne gv ltd plc nom gob")


def registrable(domain: str) -> str:
    labels = domain.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _GENERIC_SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _link_domains(text: str) -> list[tuple[str, str]]:
    """(as written, domain) for every link in `text`; a bare word.word counts only with a known top-level domain."""
    found = []
    for match in LINK.finditer(text):
        written = match.group(0)
        domain = link_domain(written)
        if domain is None:
            continue
        start = match.start()
        bare = not written.lower().startswith(("http", "www.")) and not (start and text[start - 1] == "@")
        tld = domain.rsplit(".", 1)[-1]
        if bare and not (len(tld) == 2 or tld in _GENERIC_TLDS):
            continue
        found.append((written, domain))
    return found


# -- personalisation ------------------------------------------------------------------------------------------

_LEGAL_FORMS = re.compile(
    r"[\s,]+(?:gmbh(?:\s*&\s*co\.?\s*kg)?|ag|kg|ltd\.?|limited|llc|inc\.?|s\.?a\.?|s\.?l\.?|s\.?r\.?l\.?|b\.?v\.?|"
    r"n\.?v\.?|plc|sas|sarl|s\.?p\.?a\.?|lda\.?|oy|ab|as)$",
    re.IGNORECASE,
)
_GENERIC_WORDS = re.compile(r"\b(?:the|hotel|hotels|resort|resorts|inn|spa|group|boutique|&|and)\b")


def _wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _mentions(text: str, name: str) -> bool:
    """`name` appears in `text`, compared folded (case, accents, compatibility forms), as whole words (as a plain
    substring for scripts written without spaces: "山田様" mentions "山田")."""
    needle, haystack = fold(name).strip(), fold(text)
    if not needle:
        return False
    if _wide(needle):
        return needle in haystack
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def _mentions_business(text: str, name: str) -> bool:
    """The property / company name, or its distinctive part ("Hotel Sonnenhof GmbH" -> "Sonnenhof")."""
    if _mentions(text, name):
        return True
    short = _LEGAL_FORMS.sub("", name).strip()
    if short != name and _mentions(text, short):
        return True
    core = " ".join(_GENERIC_WORDS.sub(" ", fold(short)).split())
    return len(core) >= 3 and _mentions(text, core)


def _personalisation(text: str, prospect: Mapping[str, Any], required: Sequence[str]) -> list[Problem]:
    first = str(prospect.get("first_name") or "")
    businesses = [str(prospect.get(k) or "") for k in ("property_name", "company_name")]
    businesses = [b for b in businesses if b]
    problems = []
    for rule in required:
        if rule not in REQUIREMENTS:
            raise ValueError(f"unknown personalisation rule {rule!r}; known: {', '.join(REQUIREMENTS)}")
        if rule == "first_name_or_property":
            known = bool(first) or bool(businesses)
            ok = (bool(first) and _mentions(text, first)) or any(_mentions_business(text, b) for b in businesses)
            what = " or ".join(x for x in (first, *businesses) if x)
        elif rule == "first_name":
            known, ok, what = bool(first), bool(first) and _mentions(text, first), first
        else:
            known, ok, what = (
                bool(businesses),
                any(_mentions_business(text, b) for b in businesses),
                " or ".join(businesses),
            )
        if known and not ok:
            problems.append(Problem("missing_personalisation", f"the draft does not mention {what}"))
    return problems


# -- spam and language ----------------------------------------------------------------------------------------


@cache
def _spam_pattern() -> re.Pattern[str]:
    phrases = sorted({fold(p) for p in all_phrases()}, key=lambda p: (-len(p), p))
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(p) for p in phrases)})(?!\w)")


_STOP_WORDS: dict[str, frozenset[str]] = {
    lang: _words(words)
    for lang, words in {
        "en": "the and you your with for that this have are would our we will be can about from is of to it on at "
        "an as if not but or my me any",
        "de": "und der die das ich sie nicht mit ist ein eine einen für wir ihr ihre ihnen auf zu dass sich auch uns "
        "haben wie oder bei vom zum im den dem des sind wäre würde gerne",
        "fr": "le la les et vous votre vos nous est une des pour dans avec que qui sur pas ce cette au aux je êtes "
        "serait ne du mais ou",
        "es": "el los las y usted su sus que con para una por es está nosotros del al muy pero como este esta "
        "hola gracias nuestro nuestra le",
        "it": "il lo gli e di che non per con sono è della del nel alla vostro vostra suo ciao grazie questo anche "
        "siamo un una ma sarebbe",
        "nl": "de het een en van ik je u uw niet met voor op dat zijn wij we ons onze is te naar graag bij ook hoe "
        "jullie wat",
        "pt": "o os as e de do da dos das que não com para uma um em no na você seu sua nós obrigado muito está "
        "são nosso nossa",
    }.items()
}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> tuple[str | None, dict[str, int]]:
    """The language of en/de/fr/es/it/nl/pt with the most stop words in `text` (None for no stop word), and counts."""
    words = _WORD.findall(text.casefold())
    counts = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOP_WORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    return (best if counts[best] else None), counts


def _language_problem(body: str, language: str) -> Problem | None:
    wanted = language.replace("_", "-").split("-")[0].lower()
    if wanted not in _STOP_WORDS or len(_WORD.findall(body)) < 12:
        return None
    found, counts = detect_language(body)
    if found is None or found == wanted:
        return None
    if counts[found] >= 4 and counts[found] >= 2 * max(counts[wanted], 1):
        return Problem("language", f"the body reads as {found}, not {wanted}")
    return None


# -- the checks -----------------------------------------------------------------------------------------------


def validate_draft(
    subject: str,
    body: str,
    *,
    context: Mapping[str, Any],
    required: Sequence[str] = ("first_name_or_property",),
    language: str | None = None,
) -> list[Problem]:
    """Every problem of the draft; [] when it may be accepted. ValueError for an unknown `required` rule."""
    problems: list[Problem] = []
    low, high = SUBJECT_CHARS
    if not low <= len(subject.strip()) <= high or "\n" in subject or "\r" in subject:
        problems.append(Problem("subject_length", f"the subject must be one line of {low}-{high} characters"))
    low, high = BODY_CHARS
    if not low <= len(body.strip()) <= high:
        problems.append(Problem("body_length", f"the body has {len(body.strip())} characters; {low}-{high} allowed"))
    text = f"{subject}\n{body}"
    spans = _placeholders(text)
    if spans:
        shown = ", ".join(dict.fromkeys(text[a:b] for a, b in spans[:5]))
        problems.append(Problem("placeholder", f"unrendered placeholders: {shown}"))
    rest = "".join(text[a:b] for a, b in _gaps(spans, len(text)))
    if "{" in rest or "}" in rest:
        problems.append(Problem("braces", "the draft contains '{' or '}'"))
    allowed = {registrable(d) for d in input_links(context)}
    foreign = [written for written, domain in _link_domains(text) if registrable(domain) not in allowed]
    if foreign:
        problems.append(Problem("foreign_link", f"links not in the input: {', '.join(dict.fromkeys(foreign))}"))
    problems += _personalisation(body, context.get("prospect", {}), required)
    spam = _spam_pattern().findall(fold(text))
    if spam:
        problems.append(Problem("spam_phrase", f"spam phrases: {', '.join(dict.fromkeys(spam))}"))
    html = _HTML.findall(text)
    if html:
        problems.append(Problem("html", f"HTML in a plain-text email: {', '.join(dict.fromkeys(html[:5]))}"))
    if language:
        found = _language_problem(body, language)
        if found:
            problems.append(found)
    return problems


def _gaps(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    gaps, at = [], 0
    for start, end in spans:
        if start > at:
            gaps.append((at, start))
        at = max(at, end)
    gaps.append((at, length))
    return gaps


_SUBJECT_PREFIX = re.compile(r"^\s*(?:\*\*|__)?subject(?:\*\*|__)?\s*:\s*", re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_QUOTES = ('"', "'", "“", "”", "«", "»", "„")


def clean_output(subject: str, body: str) -> tuple[str, str]:
    """Tidy a draft: the subject as one trimmed line without a "Subject:" label or wrapping quotes; the body with
    LF line endings, no control characters, no trailing spaces, no leading "Subject: ..." line, at most one blank
    line in a row, trimmed."""
    line = " ".join(strip_controls(subject).split())
    line = _SUBJECT_PREFIX.sub("", line)
    if len(line) >= 2 and line[0] in _QUOTES and line[-1] in _QUOTES:
        line = line[1:-1].strip()
    text = strip_controls(body.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [part.rstrip() for part in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and _SUBJECT_PREFIX.match(lines[0]):
        lines.pop(0)
    text = _BLANK_RUNS.sub("\n\n", "\n".join(lines))
    return line, text.strip()
