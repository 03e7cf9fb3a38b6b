"""Facts for personalisation from a hotel's own public pages: a short description, location, property type, rooms,
star rating and notable features, each with the URL it was read from. Only what the page states; every field
optional; a parked page, a booking portal or a cookie wall yields nothing.

`extract_facts(doc, url)` reads one page (an `HtmlDoc` from `html_text.read_html`); `merge_facts(pages)` fills the
home page's gaps from later pages; `pages_worth_reading(doc, site_url)` (`fact_pages`) picks the about/rooms/contact
pages to read next.
Structured data (JSON-LD, microdata) wins over the page's words; headlines (title, h1, meta description) win over
body text. Location parsing lives in `fact_places`, the multilingual word tables in `fact_words`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, fields
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from shared.domain.enrichment import fact_words as w
from shared.domain.enrichment.fact_pages import pages_worth_reading
from shared.domain.enrichment.fact_places import location_of, lodging_objects, schema_types
from shared.domain.enrichment.html_text import HtmlDoc, clean
from shared.domain.enrichment.portals import is_excluded
from shared.domain.enrichment.site_match import looks_parked as site_looks_parked

__all__ = ["Fact", "SiteFacts", "extract_facts", "is_portal", "looks_parked", "merge_facts", "pages_worth_reading"]

MAX_DESCRIPTION = 300
MAX_FEATURES = 8
MAX_ROOMS = 1200
FACT_NAMES = ("description", "location", "property_type", "rooms", "star_rating", "features")

FactValue = str | int | list[str]


@dataclass(frozen=True, slots=True)
class Fact[V]:
    value: V
    source_url: str


@dataclass(frozen=True, slots=True)
class SiteFacts:
    description: Fact[str] | None = None
    location: Fact[str] | None = None
    property_type: Fact[str] | None = None
    rooms: Fact[int] | None = None
    star_rating: Fact[int] | None = None
    features: Fact[tuple[str, ...]] | None = None

    def rows(self) -> list[tuple[str, FactValue, str]]:
        """(name, JSON value, source_url) for each fact found, as `prospect_facts` stores them."""
        out: list[tuple[str, FactValue, str]] = []
        for name in FACT_NAMES:
            fact = getattr(self, name)
            if fact is not None:
                out.append((name, list(fact.value) if isinstance(fact.value, tuple) else fact.value, fact.source_url))
        return out

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@cache
def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def extract_facts(doc: HtmlDoc, url: str) -> SiteFacts:
    if is_portal(url) or looks_parked(doc) or looks_like_cookie_wall(doc):
        return SiteFacts()
    lodging = lodging_objects(doc.jsonld)
    body = "\n".join(line for line in doc.text.split("\n") if not _is_cookie(line))
    headline = "\n".join([doc.title, doc.og_title, doc.og_site_name, *doc.h1s, doc.description, doc.og_description])
    headline += "\n" + "\n".join(str(o.get("name", "")) + "\n" + _str(o.get("description")) for o in lodging)

    def fact[V](value: V | None) -> Fact[V] | None:
        return Fact(value, url) if value not in (None, "", ()) else None

    return SiteFacts(
        description=fact(_description(doc, lodging)),
        location=fact(location_of(doc, lodging, body)),
        property_type=fact(_property_type(headline, lodging, body)),
        rooms=fact(_rooms(doc, lodging, headline, body)),
        star_rating=fact(_stars(lodging, headline, body)),
        features=fact(_features(lodging, headline + "\n" + body)),
    )


def merge_facts(pages: list[SiteFacts]) -> SiteFacts:
    """The first page's facts (the home page), with each missing one taken from the next page that has it."""
    found: dict[str, Any] = {}
    for page in pages:
        for name in FACT_NAMES:
            if found.get(name) is None:
                found[name] = getattr(page, name)
    return SiteFacts(**found)


# -- what a page is not ---------------------------------------------------------------------------------------------
def is_portal(url: str) -> bool:
    """A booking portal's, OTA's, review site's, social network's or chain's page: never the hotel's own words."""
    host = (urlsplit(url).hostname or "").lower() if "//" in url else url.lower()
    return is_excluded(url) or any(host == p.rstrip(".") or f".{p}" in f".{host}." for p in w.PORTALS)


def looks_parked(doc: HtmlDoc) -> bool:
    head = "\n".join([doc.title, doc.description, *doc.h1s, doc.text[:3000]])
    return bool(_rx(w.PARKED).search(head)) or site_looks_parked(doc.title, doc.text)


def looks_like_cookie_wall(doc: HtmlDoc) -> bool:
    if _rx(w.COOKIE_TITLE).search(doc.title.strip()):
        return True
    own = len(re.sub(r"\s+", "", doc.text))
    return bool(doc.banner_text) and own < 200 and not doc.description and not doc.jsonld


def _is_cookie(text: str) -> bool:
    return bool(_rx(w.COOKIE).search(text)) and len(text) < 1500


def _str(value: Any) -> str:
    return clean(re.sub(r"<[^>]{0,200}>", " ", value)) if isinstance(value, str) else ""


# -- description ----------------------------------------------------------------------------------------------------
def _description(doc: HtmlDoc, lodging: list[dict[str, Any]]) -> str | None:
    candidates = [_str(o.get("description")) for o in lodging] + [doc.description, doc.og_description]
    for text in candidates:
        if _usable(text, 25):
            return _summary(text)
    for text in doc.paragraphs or tuple(doc.text.split("\n")):
        if _usable(text, 60) and len(text.split()) >= 8:
            return _summary(text)
    return None


def _usable(text: str, shortest: int) -> bool:
    text = clean(text)
    if len(text) < shortest or _is_cookie(text) or _rx(w.CTA).search(text) or _rx(w.BOILERPLATE).search(text):
        return False
    parts = [p for p in re.split(r"[,|•·✓✔]", text) if p.strip()]
    if len(parts) >= 5 and sum(len(p.split()) for p in parts) / len(parts) <= 3:  # a keyword list, not prose
        return False
    return sum(c.isalpha() for c in text) >= len(text) * 0.6


def _summary(text: str) -> str:
    text = clean(text)
    sentences = re.split(r"(?<=[.!?。])\s+(?=[A-ZÀ-ÝĀ-Ž0-9„\"«¿¡])", text)
    out = sentences[0]
    if len(sentences) > 1 and len(out) < 160 and len(out) + 1 + len(sentences[1]) <= MAX_DESCRIPTION:
        out += " " + sentences[1]
    if len(out) > MAX_DESCRIPTION:
        out = out[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0].rstrip(",;:–- ") + "…"
    return out


# -- property type ------------------------------------------------------------------------------------------------
def _property_type(headline: str, lodging: list[dict[str, Any]], body: str) -> str | None:
    stated = [w.SCHEMA_TYPES[k] for k in (t.lower() for o in lodging for t in schema_types(o)) if k in w.SCHEMA_TYPES]
    specific = next((label for label in stated if label != "hotel"), None)
    for label, pattern in w.PROPERTY_TYPES:
        if _rx(_word(pattern)).search(headline):
            return specific if label == "hotel" and specific else label  # "Hotel X" typed Resort: a resort
    if stated:
        return specific or stated[0]
    counts = Counter[str]()
    for label, pattern in w.PROPERTY_TYPES:
        counts[label] = len(_rx(_word(pattern)).findall(body[:30_000]))
    best = max(counts.values(), default=0)
    return next((label for label, _ in w.PROPERTY_TYPES if best and counts[label] == best), None)


# -- rooms --------------------------------------------------------------------------------------------------------
def _rooms(doc: HtmlDoc, lodging: list[dict[str, Any]], headline: str, body: str) -> int | None:
    structured = [o.get("numberOfRooms") for o in lodging] + [v for k, v in doc.microdata if k == "numberOfRooms"]
    for value in structured:
        if isinstance(value, dict):
            value = value.get("value")
        number = _int(value)
        if number is not None and 1 <= number <= MAX_ROOMS:
            return number
    for text in (headline, body[:100_000]):
        values = _room_phrases(text)
        if values:
            counts = Counter(values).most_common()
            top = [v for v, n in counts if n == counts[0][1]]
            return max(top)
    return None


def _room_phrases(text: str) -> list[int]:
    values: list[int] = []
    labelled = _rx(rf"{w.ROOM_LABELS}(\d{{1,4}})(?!\d|[.,]\d)")
    phrase = _rx(
        rf"(?<![\d.,:/€$£+-]|[a-zA-Z])(\d{{1,4}})(?:\s*-\s*|\s+|(?=室))(?:{w.ROOM_ADJECTIVES})(?:{w.ROOM_WORDS})(?!\w)"
    )
    for match in [*labelled.finditer(text), *phrase.finditer(text)]:
        number = int(match.group(1))
        before = text[max(0, match.start() - 40) : match.start()]
        if _rx(r"\d\s*(?:-|–|—|to|bis|a|à|al|y|and|und|e|et|i|do|til|tot|tra|entre|och|en)\s*$").search(before):
            continue  # the top of a range ("20-30 rooms", "zwischen 20 und 30 Zimmern")
        approximate = _rx(w.APPROXIMATE).search(before) and not _rx(r"verf[üu]g\w*\s+[üu]ber\s+$").search(before)
        if approximate or _rx(w.ROOM_NOT_AFTER).match(text, match.end()):
            continue
        if 2 <= number <= MAX_ROOMS and not 1900 <= number <= 2100:
            values.append(number)
    return values


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,5}(?:[.,]0+)?\s*", value):
        return int(re.split(r"[.,]", value.strip())[0])
    return None


# -- star rating -------------------------------------------------------------------------------------------------
def _stars(lodging: list[dict[str, Any]], headline: str, body: str) -> int | None:
    for o in lodging:
        rating = o.get("starRating")
        value = rating.get("ratingValue") if isinstance(rating, dict) else rating
        found = re.match(r"\s*([1-5])(?:[.,]0+)?\s*(?:s|sup\w*|superior|\*+|stars?|sterne)?\s*$", str(value), re.I)
        if found and not isinstance(value, bool):
            return int(found.group(1))
    for text in (headline, body[:100_000]):
        counted = Counter(_star_phrases(text)).most_common()
        if counted and (len(counted) == 1 or counted[0][1] > counted[1][1]):
            return counted[0][0]
    return None


def _star_phrases(text: str) -> list[int]:
    values: list[int] = []
    patterns = (
        rf"(?:{w.STAR_NUMBER})\s*{w.STAR_WORDS}(?!\w)",
        w.STAR_GLUED,
        r"(?<![★☆⭐✩✰\w])([★⭐]{1,5})(?![★☆⭐✩✰])",
        r"(?<![\w.,/])([1-5])\s?\*(?:\s?s\b|\s?sup(?:erior|\.)?)?(?![\w*])",
    )
    for pattern in patterns:
        for match in _rx(pattern).finditer(text):
            token = next(g for g in match.groups() if g).lower()
            value = len(token) if token[0] in "★⭐" else int(token) if token.isdigit() else w.NUMBER_WORDS.get(token)
            window = _sentence(text, match.start(), match.end())
            if value is None or _rx(w.REVIEW_CONTEXT).search(window) or _rx(w.STAR_NOT_AFTER).match(text, match.end()):
                continue
            values.append(value)
    return values


# -- features -----------------------------------------------------------------------------------------------------
def _features(lodging: list[dict[str, Any]], text: str) -> tuple[str, ...]:
    stated = [
        _str(f.get("name")) for o in lodging for f in _as_list(o.get("amenityFeature"))
        if isinstance(f, dict) and f.get("value") not in (False, "false", "False")
    ]  # fmt: skip
    text = "\n".join(stated) + "\n" + text[:80_000]
    found: list[str] = []
    groups: set[str] = set()
    for label, pattern, group in w.FEATURES:
        if group in groups:
            continue
        for match in _rx(_word(pattern)).finditer(text):
            sentence = _sentence(text, match.start(), match.end())
            if _rx(w.NEGATION).search(text[max(0, match.start() - 25) : match.start()]):
                continue
            if _rx(w.NEARBY).search(sentence) or _is_cookie(sentence):
                continue
            found.append(label)
            groups.add(group)
            break
        if len(found) >= MAX_FEATURES:
            break
    return tuple(found)


def _word(pattern: str) -> str:
    """A pattern matched as whole words: no Latin letter may touch it (CJK words need no spaces)."""
    return rf"(?<![a-zA-Z\u00c0-\u024f])(?:{pattern})(?![a-zA-Z\u00c0-\u024f])"


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end]: bounded by line breaks and '. ' ('!' is often inside a quote)."""
    left = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start), -1) + 1
    ends = [x for x in (text.find("\n", end), text.find(". ", end)) if x >= 0]
    return text[left : min(ends, default=len(text))]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []
