"""Countries and time zones: ISO 3166-1 alpha-2 codes from names, and the IANA zone for a city / region / country.

`country_code("Deutschland") == "DE"`; `infer_timezone("Austin", "TX", "US") == "America/Chicago"`.

Every lookup folds case, accents and punctuation ("Côte d'Ivoire" == "cote divoire", "U.S.A." == "usa"). Countries
with one zone (or one zone for nearly everyone: Spain's mainland, Portugal's, Chile's...) map straight to it, with
region and city overrides for the exceptions (Canary Islands, Azores, Easter Island...). Countries whose zone cannot be
told without a region (US, CA, AU, BR, MX, RU, ID, CD, FM, UM, AQ) need a known region or city; otherwise the answer
is None: no zone is better than a wrong one, because the zone decides when an email is sent.

The tables (`geo_tables`) are compact strings, imported and parsed once on first use, so importing this module
costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from shared.domain.normalize import fold

_APOSTROPHES = re.compile(r"[.'’ʼ`´]")
_NON_WORD = re.compile(r"[\W_]+")
_SAINT = re.compile(r"\bsaint\b")  # "Saint Lucia" == "St. Lucia" (applied to both the tables and the input)
_ADMIN_WORDS = re.compile(
    r"^(?:republic of|state of|province of|region of|the)\s+|"
    r"\s+(?:oblast|krai|kray|okrug|autonomous okrug|republic|region|province|state|territory|prefecture)$"
)


def _key(text: str) -> str:
    """A lookup key: 'Côte d'Ivoire' -> 'cote divoire', 'U.S.A.' -> 'usa', 'St. Lucia' -> 'st lucia'."""
    text = _APOSTROPHES.sub("", fold(text).replace("&", " and "))
    text = _NON_WORD.sub(" ", text).strip().removeprefix("the ")
    return _SAINT.sub("st", text)


def _region_key(text: str) -> str:
    """Also drops administrative words: 'Moscow Oblast' -> 'moscow', 'New York State' -> 'new york'."""
    key = _key(text)
    stripped = _ADMIN_WORDS.sub("", key)
    return stripped or key


@dataclass(frozen=True, slots=True)
class _CountryTables:
    by_key: dict[str, tuple[str, str | None]]  # key -> (code, implied region)
    zones: dict[str, str | None]  # code -> default zone (None: needs a region)
    names: dict[str, str]  # code -> English name


def _joined(table: str) -> list[str]:
    lines: list[str] = []
    for line in table.strip().splitlines():
        if line.startswith(" ") and lines:
            lines[-1] += ";" + line.strip()
        else:
            lines.append(line)
    return lines


def country_lines() -> list[tuple[str, str, str, list[str]]]:
    """(code, alpha-3, zone or "-", [English name, aliases...]) for every country in the table."""
    out = []
    from shared.domain.geo_tables import COUNTRIES

    for line in _joined(COUNTRIES):
        code, alpha3, zone, rest = line.split(" ", 3)
        out.append((code, alpha3, zone, [name for name in rest.split(";") if name]))
    return out


def implied_lines() -> list[tuple[str, list[str]]]:
    """(code, [names implying that country and a region]) rows."""
    from shared.domain.geo_tables import IMPLIED

    return [(line[:2], [name for name in line[3:].split(";") if name]) for line in _joined(IMPLIED)]


@cache
def _countries() -> _CountryTables:
    by_key: dict[str, tuple[str, str | None]] = {}
    zones: dict[str, str | None] = {}
    names: dict[str, str] = {}
    for code, alpha3, zone, aliases in country_lines():
        zones[code] = None if zone == "-" else zone
        names[code] = aliases[0]
        for name in [alpha3, *aliases]:
            by_key.setdefault(_key(name), (code, None))
    for code, implied in implied_lines():
        for name in implied:
            by_key.setdefault(_key(name), (code, name))
    return _CountryTables(by_key, zones, names)


@dataclass(frozen=True, slots=True)
class _ZoneTables:
    regions: dict[str, tuple[str | None, str]]  # region key -> (zone or None, region id)
    cities: dict[str, list[tuple[str, str | None]]]  # city key -> [(zone, region id qualifier or None)]


def _entries(table: str) -> list[tuple[str | None, list[str]]]:
    """`Zone: a|b; c` lines (continuations indented) -> [(zone, ['a|b', 'c'])]."""
    out: list[tuple[str | None, list[str]]] = []
    for line in table.strip().splitlines():
        if line.startswith(" ") and out:
            out[-1][1].extend(part.strip() for part in line.split(";") if part.strip())
            continue
        zone, _, rest = line.partition(":")
        out.append((None if zone.strip() == "-" else zone.strip(), [p.strip() for p in rest.split(";") if p.strip()]))
    return out


@cache
def _zone_tables(code: str) -> _ZoneTables:
    from shared.domain.geo_tables import CITIES, REGIONS

    regions: dict[str, tuple[str | None, str]] = {}
    for zone, entries in _entries(REGIONS.get(code, "")):
        for entry in entries:
            names = [n.strip() for n in entry.split("|") if n.strip()]
            for name in names:
                regions.setdefault(_region_key(name), (zone, names[0]))
    cities: dict[str, list[tuple[str, str | None]]] = {}
    for zone, entries in _entries(CITIES.get(code, "")):
        assert zone is not None
        for entry in entries:
            entry, _, qualifier = entry.partition("@")
            also_alone = qualifier.endswith("*")
            region_id = regions[_region_key(qualifier.rstrip("*"))][1] if qualifier else None
            for name in entry.split("|"):
                if name.strip():
                    cities.setdefault(_key(name), []).append((zone, region_id))
                    if also_alone:
                        cities[_key(name)].append((zone, None))
    return _ZoneTables(regions, cities)


@cache
def zoned_countries() -> frozenset[str]:
    """The countries with region or city zone tables (the rest have one zone, or none known)."""
    from shared.domain.geo_tables import CITIES, REGIONS

    return frozenset(REGIONS) | frozenset(CITIES)


@cache
def _region_countries() -> dict[str, frozenset[str]]:
    """Region key -> the countries that have a region by that name (codes only for US/CA/AU: 'TX', 'NSW')."""
    out: dict[str, set[str]] = {}
    for code in zoned_countries():
        for key in _zone_tables(code).regions:
            if len(key) > 3 or code in ("US", "CA", "AU"):
                out.setdefault(key, set()).add(code)
    return {key: frozenset(codes) for key, codes in out.items()}


def country_codes() -> frozenset[str]:
    """Every alpha-2 code this module knows."""
    return frozenset(_countries().zones)


def country_name(code: str) -> str | None:
    """The English short name for an alpha-2 code."""
    return _countries().names.get(code.upper())


@lru_cache(maxsize=4096)
def parse_country(value: str | None) -> tuple[str, str | None] | None:
    """(alpha-2, implied region or None) for a code or name: 'Scotland' -> ('GB', 'Scotland'); None if unknown."""
    if not value:
        return None
    text = value.strip()
    if not text:
        return None
    tables = _countries()
    if len(text) == 2 and text.isascii() and text.isalpha():
        code = text.upper()
        if code == "UK":
            return ("GB", None)
        return (code, None) if code in tables.zones else None
    return tables.by_key.get(_key(text))


def country_code(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 from a code ('de', 'DEU'), an English name ('Germany', 'USA', 'UK', 'England') or a common
    local name ('Deutschland', 'España', 'Türkiye'); None if unknown."""
    found = parse_country(value)
    return found[0] if found else None


def countries_for_region(region: str | None, city: str | None = None) -> str | None:
    """The one country having a region of that name ('Texas', 'NSW', 'Bavaria' -> None: not in our tables), using
    the city to choose between candidates ('WA' + 'Perth' -> AU). None if unknown or still ambiguous."""
    if not region:
        return None
    candidates = _region_countries().get(_region_key(region))
    if not candidates:
        return None
    if len(candidates) == 1:
        return next(iter(candidates))
    if city:
        city_key = _key(city)
        with_city = [code for code in candidates if city_key in _zone_tables(code).cities]
        if len(with_city) == 1:
            return with_city[0]
    return None


def city_in_country(city: str | None, code: str) -> bool:
    """Whether `city` is one of the cities this module knows in that country (used to settle 'Atlanta, Georgia')."""
    return bool(city) and _key(city or "") in _zone_tables(code).cities


def is_region_of(region: str | None, code: str) -> bool:
    return bool(region) and _region_key(region or "") in _zone_tables(code).regions


@lru_cache(maxsize=4096)
def infer_timezone(city: str | None, region: str | None, country_code: str | None) -> str | None:
    """The IANA zone for a place, or None when it cannot be told without guessing.

    Order: the country's zone when it has only one; else a city listed for the region (split regions: El Paso, TX is
    Mountain time), else the region's zone, else a city listed for the country, else the country's main zone.
    Without a country, a region that names exactly one country's region ('Texas', 'Ontario') supplies it.
    """
    code = _country_of(country_code) if country_code else countries_for_region(region, city)
    if code is None:
        return None
    default = _countries().zones.get(code)
    if code not in zoned_countries():
        return default
    tables = _zone_tables(code)
    region_zone: str | None = None
    region_id: str | None = None
    if region:
        found = tables.regions.get(_region_key(region))
        if found:
            region_zone, region_id = found
    candidates = tables.cities.get(_key(city), []) if city else []
    if region_id is not None:
        for zone, qualifier in candidates:
            if qualifier == region_id:
                return zone
        if region_zone is not None:
            return region_zone
    # Without a known region, only cities listed without a region qualifier count: "Portland" alone is not enough.
    unqualified = {zone for zone, qualifier in candidates if qualifier is None}
    if len(unqualified) == 1:
        return next(iter(unqualified))
    if len(unqualified) > 1:
        return None  # one name, places in different zones
    if not candidates and city and region_id is None:
        # "Tenerife, Spain", "Bali, Indonesia": a region given where the city goes.
        found = tables.regions.get(_region_key(city))
        if found and found[0] is not None:
            return found[0]
    return default


def _country_of(value: str) -> str | None:
    code = value.strip().upper()
    if code in _countries().zones:
        return code
    return country_code(value)


def is_timezone(name: str) -> bool:
    """An IANA zone name the runtime knows (tzdata is a dependency, so this holds on Workers too)."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True
