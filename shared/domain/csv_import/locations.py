"""One "location" cell into city / region / country, the way LinkedIn and sales tools write them.

* "Munich, Bavaria, Germany" -> Munich / Bavaria / DE (three or more parts: the last three are city, region, country).
* "Cork, Ireland" -> Cork / - / IE; "Austin, TX" or "Austin, Texas" -> Austin / TX / US (a known US state, Canadian
  province, Australian state... names its country); "Germany" -> - / - / DE; "Munich" -> Munich.
* Names that imply a region fill it: "Tenerife, Canary Islands" -> Tenerife / Canary Islands / ES,
  "Chester, England" -> Chester / England / GB.
* When the last part could be a country or a region ("Atlanta, Georgia", "Munich, DE" vs "Dover, DE"), a city we
  know in the region's country decides; otherwise a full name is taken as the country and a two-letter code leaves
  both unset (`ambiguous`), rather than filing a German hotel under Delaware.
* LinkedIn's "Greater Munich Area" / "Munich Metropolitan Area" become "Munich"; leading or trailing postcodes are
  dropped from the city ("80331 München").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shared.domain import geo

_AREA = re.compile(r"^(?:greater\s+)?(.+?)(?:\s+(?:metropolitan|metro|bay))?(?:\s+(?:area|region))?$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\d[\d\s-]{2,}\s+|\s+\d[\d\s-]{2,}$")


@dataclass(frozen=True, slots=True)
class Location:
    city: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    unrecognised_country: str | None = None  # the text in the country position we could not read
    ambiguous: str | None = None  # the part that could be a country or a region


def _city(text: str) -> str | None:
    text = _POSTCODE.sub("", text).strip()
    if text.lower().startswith("greater ") or text.lower().endswith((" area", " metropolitan", " metro")):
        match = _AREA.match(text)
        if match:
            text = match.group(1).strip()
    return text or None


@lru_cache(maxsize=4096)
def split_location(value: str) -> Location:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:
        return Location()
    if len(parts) >= 3:
        found = geo.parse_country(parts[-1])
        if found is None:
            return Location(_city(parts[-3]), parts[-2], None, unrecognised_country=parts[-1])
        return Location(_city(parts[-3]), parts[-2] or found[1], found[0])
    last = parts[-1]
    city = _city(parts[0]) if len(parts) == 2 else None
    as_country = geo.parse_country(last)
    as_region = geo.countries_for_region(last, city)
    if as_country and as_region:
        if geo.city_in_country(city, as_region):
            return Location(city, last, as_region)
        if len(last) <= 3 and city is not None:
            return Location(city, None, None, ambiguous=last)
        return Location(city, as_country[1], as_country[0])
    if as_country:
        return Location(city, as_country[1], as_country[0])
    if as_region:
        return Location(city, last, as_region)
    if city is None:  # one part, neither a country nor a known region: a city (or a region we do not know)
        return Location(_city(last))
    return Location(city, last)
