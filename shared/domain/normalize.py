"""Normalising text and the identifiers we deduplicate on: email addresses, LinkedIn URLs, websites/domains,
company names.

Two rules live here and nowhere else (decision 0015):

* `fold` is the one text-folding rule. Search (the FTS index and the query words), duplicate detection (company and
  person keys) and sorting (`sort_name`) all compare folded text, so a name stored one way is found, matched and
  ordered the same way when it is typed another ("Müller", "MULLER", "mu\u0308ller", "Ｍüｌｌｅｒ"; "Straße",
  "STRASSE"; "ﬁnca", "finca").
* `strip_controls` / `clean_line` / `clean_multiline` are the boundary rule for user text (the API models and the CSV
  importer): control characters, bidi overrides and isolates, zero-width spaces, BOMs and lone surrogates are
  removed; a single-line field's whitespace collapses to single spaces, a multi-line one keeps its line breaks.

Pure functions; each normaliser returns None for input that cannot be normalised rather than guessing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINKEDIN_PATH = re.compile(r"^/(in|pub|company|sales/lead|sales/people)/([^/?#]+)", re.IGNORECASE)
_COMPANY_NOISE = re.compile(
    r"\b(hotel|hotels|the|inn|resort|resorts|spa|gmbh|ltd|llc|inc|sa|srl|sl|ag|bv|plc|group|&|and)\b"
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# C0 and C1 controls (tab, LF and CR excepted: whitespace handling decides about them), zero-width space, bidi
# embeddings/overrides/isolates, BOM / zero-width no-break space, lone surrogates (they cannot be stored as UTF-8).
# Zero-width joiners stay: emoji sequences and several scripts need them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\x85|\u2028|\u2029")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")
SORT_NAME_CHARS = 300
_FOLD_AFTER = str.maketrans({"ı": "i"})  # dotless i: "YILDIZ".lower() is "yildiz", so "Yıldız" must fold there too


def strip_controls(text: str) -> str:
    """`text` without control characters (tab, LF, CR kept for the whitespace rules to handle)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def clean_line(text: str) -> str:
    """A single-line field: no control characters, whitespace runs (line breaks included) as one space, trimmed."""
    if text.isprintable():  # the usual cell: Python's printable excludes every `_CONTROL` character and every
        return " ".join(text.split())  # whitespace character but " ", so there is nothing to strip
    return " ".join(strip_controls(text).split())


def clean_multiline(text: str) -> str:
    """A multi-line field: line breaks unified to LF, at most one blank line in a row, each line's spaces collapsed."""
    text = strip_controls(_LINE_BREAKS.sub("\n", text))
    text = "\n".join(_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_text(value: object, *, max_length: int = 500) -> str | None:
    """A single-line value as text (`clean_line`), cut to `max_length`; None for empty."""
    if value is None:
        return None
    return clean_line(str(value))[:max_length] or None


def fold(text: str) -> str:
    """The one folding rule: compatibility decomposition (NFKD: ligatures, full-width and other compatibility forms
    become their plain letters), full case folding (casefold: 'ß' -> 'ss'), and no combining marks (diacritics:
    'García' -> 'garcia', composed or decomposed alike). Idempotent: fold(fold(x)) == fold(x)."""
    if text.isascii():  # ASCII has no decompositions, marks or dotless i, and its casefold is its lower()
        return text.lower()
    return _cached_fold(text) if len(text) <= _CACHED_CHARS else _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold()).casefold()  # casefold can yield decomposable text
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD_AFTER)


# Bounded caches for the pure functions an import calls again and again on short text: names, cities and
# companies repeat across a lead file, and each row's website is parsed three times (the row, then the record's
# website and domain). Only text up to _CACHED_CHARS is kept, so a cache holds at most a few MB.
_CACHED_CHARS = 200
_cached_fold = lru_cache(maxsize=2048)(_fold_unicode)


def sort_name(text: str | None) -> str:
    """The name column lists are ordered by: folded, cut to what a cursor may carry."""
    return fold(text or "")[:SORT_NAME_CHARS]


def search_text(*parts: str | None) -> str:
    """What the full-text index holds for a prospect: the folded parts, space-separated (query words are folded
    by the same rule, see `prospect_query.search_terms`)."""
    return " ".join(fold(part) for part in parts if part)


def normalize_email(value: object) -> str | None:
    text = clean_text(value, max_length=320)
    if text is None:
        return None
    text = text.strip("<>\"' ").removeprefix("mailto:").strip()
    if not _EMAIL.match(text):
        return None
    local, _, domain = text.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    return f"{local.lower()}@{domain}"


def _url(value: object) -> SplitResult | None:
    """A URL's parts; a bare 'host/path' is read as https. None for empty or unparseable input."""
    text = clean_text(value, max_length=2000)
    return _split_url(text) if text is not None else None


def _split_url(text: str) -> SplitResult | None:
    try:
        return urlsplit(text if "://" in text else "https://" + text)
    except ValueError:
        return None


def normalize_domain(value: object) -> str | None:
    """'https://www.Hotel.example/about' -> 'hotel.example'."""
    return _cached_domain(value) if isinstance(value, str) and len(value) <= _CACHED_CHARS else _domain_of(value)


def _domain_of(value: object) -> str | None:
    text = clean_text(value, max_length=2000)
    return _domain(text) if text is not None else None


def _domain(text: str) -> str | None:
    parts = _split_url(text)
    host = parts.hostname if parts else None
    if not host or "." not in host:
        return None
    host = host.removeprefix("www.")
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


# A slice's 1,000 websites, parsed by the builder, then recorded; keyed by the text as given (cleaning is pure too).
_cached_domain = lru_cache(maxsize=4096)(_domain_of)


def normalize_website(value: object) -> str | None:
    """A canonical https URL for the site, or None."""
    domain = normalize_domain(value)
    return f"https://{domain}" if domain else None


def normalize_linkedin(value: object) -> str | None:
    """'https://www.LinkedIn.com/in/Jane-Doe-123/?x=1' -> 'linkedin.com/in/jane-doe-123'."""
    parts = _url(value)
    if parts is None:
        return None
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    match = _LINKEDIN_PATH.match(parts.path)
    if not match:
        return None
    kind, slug = match.group(1).lower(), match.group(2).lower()
    return f"linkedin.com/{kind}/{slug}"


def normalize_company(value: object) -> str | None:
    """A comparison key for company names: 'The Grand Hotel GmbH' and 'grand' compare equal."""
    text = clean_text(value)
    if text is None:
        return None
    key = _NON_ALNUM.sub(" ", _COMPANY_NOISE.sub(" ", fold(text)))
    key = "".join(key.split())
    return key or _NON_ALNUM.sub("", fold(text)) or None


def person_key(company: object, first_name: object, last_name: object) -> str | None:
    """Normalised company + person: the third duplicate rule, after email and LinkedIn."""
    return person_key_for(normalize_company(company), first_name, last_name)


def person_key_for(company_key: str | None, first_name: object, last_name: object) -> str | None:
    """`person_key` for a company whose `normalize_company` key is known already."""
    first, last = clean_text(first_name), clean_text(last_name)
    if not company_key or not (first or last):
        return None
    person = _NON_ALNUM.sub("", fold(f"{first or ''}{last or ''}"))
    return f"{company_key}|{person}" if person else None
