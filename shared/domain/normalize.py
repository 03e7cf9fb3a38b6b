"""Normalising the identifiers we deduplicate on: email addresses, LinkedIn URLs, websites/domains, company names.

Pure functions; each returns None for input that cannot be normalised rather than guessing.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import SplitResult, urlsplit

_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINKEDIN_PATH = re.compile(r"^/(in|pub|company|sales/lead|sales/people)/([^/?#]+)", re.IGNORECASE)
_COMPANY_NOISE = re.compile(
    r"\b(hotel|hotels|the|inn|resort|resorts|spa|gmbh|ltd|llc|inc|sa|srl|sl|ag|bv|plc|group|&|and)\b"
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def clean_text(value: object, *, max_length: int = 500) -> str | None:
    """Trim, collapse whitespace, drop control characters; None for empty."""
    if value is None:
        return None
    text = str(value)
    if not text.isprintable():  # the per-character filter only when there is something to filter
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    text = _SPACES.sub(" ", text).strip()
    return text[:max_length] or None


def fold(text: str) -> str:
    """Lower-case ASCII folding: 'García' -> 'garcia'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


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
    if text is None:
        return None
    try:
        return urlsplit(text if "://" in text else "https://" + text)
    except ValueError:
        return None


def normalize_domain(value: object) -> str | None:
    """'https://www.Hotel.example/about' -> 'hotel.example'."""
    parts = _url(value)
    host = parts.hostname if parts else None
    if not host or "." not in host:
        return None
    host = host.removeprefix("www.")
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


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
    company_key = normalize_company(company)
    first, last = clean_text(first_name), clean_text(last_name)
    if not company_key or not (first or last):
        return None
    person = _NON_ALNUM.sub("", fold(f"{first or ''}{last or ''}"))
    return f"{company_key}|{person}" if person else None
