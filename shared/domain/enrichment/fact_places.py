"""Where a hotel is, as its page states it: the JSON-LD PostalAddress, microdata, an <address> block, or a
"street number, postcode city" line in the text (European and UK formats). Also which JSON-LD objects describe the
lodging itself (not the WebSite, the breadcrumb or a review).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from shared.domain.enrichment.html_text import HtmlDoc, clean

LODGING_TYPES = {
    "hotel", "resort", "bedandbreakfast", "hostel", "motel", "lodgingbusiness", "campground", "vacationrental",
    "skiresort", "localbusiness", "touristaccommodation", "apartment", "house", "suite",
}  # fmt: skip
_POSTCODE = r"(?:\d{5}|\d{4}(?:\s?[A-Z]{2}(?![a-z]))?|\d{2}-\d{3}|\d{4}-\d{3}|\d{3}\s\d{2}|[A-Z]-\d{4,5})"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}"
_CITY = r"[A-ZÀ-ÝĀ-Ž][\w'’.-]+(?:\s(?:am|an|im|in|ob|sur|en|de|del|di|la|le)\s[A-ZÀ-Ý][\w'’.-]+)?"
_CITY_PREFIX = {"san", "santa", "santo", "saint", "st.", "bad", "la", "le", "los", "las", "den", "porto", "new", "st"}
_UK_STREET = re.compile(
    r"\b(?:road|street|lane|quay|parade|square|avenue|terrace|place|row|way|hill|close|drive|gardens|walk|crescent)$",
    re.I,
)
_NOT_STREET = re.compile(r"tel|phone|fax|telefon|\+|@|www\.|mobil|e-?mail|p\.?\s?iva|ust|vat|cif|nif|\bkm\b", re.I)


@cache
def _place() -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w-])(?P<pc>{_POSTCODE})\s+(?P<city>{_CITY})(?:\s(?P<more>[A-ZÀ-Ý][\w'’.-]+))?|"
        rf"(?P<ukcity>[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+)?),?\s+(?P<ukpc>{_UK_POSTCODE})(?![\w])"
    )


def schema_types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)]


def lodging_objects(objects: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """The JSON-LD objects that describe a place to stay (specific lodging types first)."""
    found = [o for o in objects if any(t.lower() in LODGING_TYPES for t in schema_types(o))]
    return sorted(found, key=lambda o: any(t.lower() == "localbusiness" for t in schema_types(o)))


def location_of(doc: HtmlDoc, lodging: list[dict[str, Any]], body: str) -> str | None:
    others = [o for o in doc.jsonld if any(t in {"Organization", "Place"} for t in schema_types(o))]
    for obj in lodging + others:
        found = _postal(obj.get("address"))
        if found:
            return found
    micro = dict(reversed(doc.microdata))
    found = _join(micro.get("streetAddress", ""), micro.get("postalCode", ""), micro.get("addressLocality", ""))
    if found:
        return found
    for block in doc.addresses:
        found = _from_text(block.replace(", ", "\n"), loose=True) or _short_address(block)
        if found:
            return found
    return _from_text(body[:150_000])


def _postal(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, str):
        text = ", ".join(clean(line) for line in value.splitlines() if clean(line))
        return text[:160] if len(text) >= 3 and not _NOT_STREET.search(text) else None
    if not isinstance(value, dict):
        return None

    def part(key: str) -> str:
        item = value.get(key)
        if isinstance(item, dict):
            item = item.get("name")
        return clean(str(item))[:80] if isinstance(item, str | int) else ""

    return _join(part("streetAddress"), part("postalCode"), part("addressLocality") or part("addressRegion"))


def _join(street: str, postcode: str, city: str) -> str | None:
    uk = bool(re.fullmatch(_UK_POSTCODE, postcode))
    place = " ".join(p for p in ((city, postcode) if uk else (postcode, city)) if p)
    if not city:
        return None
    return f"{street}, {place}" if street else place


def _from_text(text: str, loose: bool = False) -> str | None:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if len(line) > 600:
            continue
        for match in _place().finditer(line):
            if match.group("ukpc"):
                city, place = match.group("ukcity"), f"{match.group('ukcity')} {match.group('ukpc')}"
            else:
                city = match.group("city").rstrip(".,")
                if match.group("more") and city.lower() in _CITY_PREFIX:
                    city += " " + match.group("more").rstrip(".,")
                place = f"{match.group('pc')} {city}"
            before = line[: match.start()].rstrip(" ,;-–—|•·")
            segment = re.split(r"\s[|•·–—]\s|\s-\s|\||•|·|:\s", before)[-1].strip(" ,;-–") if before else ""
            if not segment and index > 0 and len(lines[index - 1]) < 80:
                segment = lines[index - 1].strip(" ,;")  # the street on the line above (an address block)
            street = _street(segment, uk=bool(match.group("ukpc")))
            if street:
                return f"{street}, {place}"
            if (loose and not segment) or match.group("ukpc"):
                return place
    return None


def _street(segment: str, uk: bool) -> str | None:
    """The street at the end of a segment: 'Hotel X Sp. z o.o., ul. Bulwarowa 3' -> 'ul. Bulwarowa 3'."""
    parts = [p.strip() for p in segment.split(",") if p.strip()]
    if not parts:
        return None
    street = parts[-1]
    if re.fullmatch(r"\d{1,4}[a-zA-Z]?", street) and len(parts) > 1:
        street = f"{parts[-2]}, {street}"  # "Via dei Servi, 5"
    if _is_street(street) or (uk and _UK_STREET.search(street) and not _NOT_STREET.search(street)):
        return street
    return None


def _is_street(text: str) -> bool:
    if len(text) > 70 or _NOT_STREET.search(text) or not re.search(r"\d", text):
        return False
    return bool(re.search(r"[^\W\d_]{3,}", text)) and len(text.split()) <= 8


def _short_address(block: str) -> str | None:
    parts = [p.strip() for p in block.split(", ") if p.strip() and not _NOT_STREET.search(p)]
    text = ", ".join(parts[:4])
    return text if 6 <= len(text) <= 120 and re.search(r"[^\W\d_]{3,}", text) else None
