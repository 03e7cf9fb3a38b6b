"""Country codes from names and IANA time zones from places (shared/domain/geo.py)."""

from __future__ import annotations

import zoneinfo
from functools import cache

import pytest

from shared.domain import geo
from shared.domain.geo import countries_for_region, country_code, country_name, infer_timezone, parse_country

# ISO 3166-1 alpha-2 codes of the 193 UN member states.
_UN_MEMBERS = """
AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV KH CM CA CF TD CL CN CO KM CG
CD CR CI HR CU CY CZ DK DJ DM DO EC EG SV GQ ER EE SZ ET FJ FI FR GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID
IR IQ IE IL IT JM JP JO KZ KE KI KP KR KW KG LA LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM MD MC MN ME
MA MZ MM NA NR NP NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA RO RU RW KN LC VC WS SM ST SA SN RS SC SL SG
SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TZ TH TL TG TO TT TN TR TM TV UG UA AE GB US UY UZ VU VE VN YE ZM ZW
"""
UN_MEMBERS = sorted(set(_UN_MEMBERS.split()))


@cache
def available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def test_un_member_list_is_complete() -> None:
    assert len(set(UN_MEMBERS)) == 193


@pytest.mark.parametrize("code", UN_MEMBERS)
def test_every_un_member_resolves_by_code_and_english_name(code: str) -> None:
    name = country_name(code)
    assert name, code
    assert country_code(name) == code
    assert country_code(code) == code
    assert country_code(code.lower()) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("de", "DE"),
        ("DE", "DE"),
        (" Germany ", "DE"),
        ("GERMANY", "DE"),
        ("DEU", "DE"),
        ("Deutschland", "DE"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("U.S.", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("España", "ES"),
        ("Espana", "ES"),
        ("Italia", "IT"),
        ("Österreich", "AT"),
        ("Osterreich", "AT"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("Svizzera", "CH"),
        ("Nederland", "NL"),
        ("The Netherlands", "NL"),
        ("Holland", "NL"),
        ("België", "BE"),
        ("Belgique", "BE"),
        ("Polska", "PL"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("St. Lucia", "LC"),
        ("Saint Lucia", "LC"),
        ("Bosnia & Herzegovina", "BA"),
        ("Korea, South", "KR"),
        ("South Korea", "KR"),
        ("North Korea", "KP"),
        ("DR Congo", "CD"),
        ("Congo", "CG"),
        ("Ελλάδα", "GR"),
        ("Россия", "RU"),
        ("日本", "JP"),
        ("Viet Nam", "VN"),
        ("Eswatini", "SZ"),
        ("Swaziland", "SZ"),
        ("Myanmar", "MM"),
        ("Burma", "MM"),
        ("Hong Kong", "HK"),
        ("Puerto Rico", "PR"),
        ("Kosovo", "XK"),
        ("UAE", "AE"),
    ],
)
def test_country_code(value: str, code: str) -> None:
    assert country_code(value) == code


@pytest.mark.parametrize("value", [None, "", "  ", "Atlantis", "ZZ", "XX", "Europe", "Bavaria", "123"])
def test_unknown_countries_are_none(value: str | None) -> None:
    assert country_code(value) is None


def test_names_implying_a_region() -> None:
    assert parse_country("Canary Islands") == ("ES", "Canary Islands")
    assert parse_country("Scotland") == ("GB", "Scotland")
    assert parse_country("Bali") == ("ID", "Bali")
    assert parse_country("Germany") == ("DE", None)


def test_no_alias_names_two_countries() -> None:
    seen: dict[str, str] = {}
    for code, alpha3, _, names in geo.country_lines():
        for name in [code, alpha3, *names]:
            key = geo._key(name)
            assert seen.setdefault(key, code) == code, f"{name!r} names {seen[key]} and {code}"
    for code, names in geo.implied_lines():
        for name in names:
            assert seen.setdefault(geo._key(name), code) == code, name


def all_zones() -> set[str]:
    zones = {zone for zone in geo._countries().zones.values() if zone}
    for code in geo.zoned_countries():
        tables = geo._zone_tables(code)
        zones |= {zone for zone, _ in tables.regions.values() if zone}
        zones |= {zone for entries in tables.cities.values() for zone, _ in entries}
    return zones


def test_every_zone_we_can_emit_exists() -> None:
    if not available_zones():
        pytest.skip("no IANA time zone data on this machine (install tzdata)")
    missing = all_zones() - available_zones()
    assert not missing


def test_every_country_with_one_zone_has_it() -> None:
    multi = {"US", "CA", "AU", "BR", "MX", "RU", "ID", "CD", "FM", "UM", "AQ", "BV", "HM"}
    for code, zone in geo._countries().zones.items():
        assert (zone is None) == (code in multi), code


@pytest.mark.parametrize(
    ("city", "region", "country", "zone"),
    [
        # single-zone countries
        (None, None, "DE", "Europe/Berlin"),
        ("Munich", "Bavaria", "DE", "Europe/Berlin"),
        (None, None, "GB", "Europe/London"),
        (None, None, "JP", "Asia/Tokyo"),
        (None, None, "IN", "Asia/Kolkata"),
        (None, None, "AR", "America/Argentina/Buenos_Aires"),
        (None, None, "de", "Europe/Berlin"),
        (None, None, "Germany", "Europe/Berlin"),
        # US states by name and code, split states, cities
        ("Austin", "TX", "US", "America/Chicago"),
        ("Austin", "Texas", "US", "America/Chicago"),
        ("El Paso", "TX", "US", "America/Denver"),
        (None, "California", "US", "America/Los_Angeles"),
        (None, "CA", "US", "America/Los_Angeles"),
        (None, "New York", "US", "America/New_York"),
        (None, "New York State", "US", "America/New_York"),
        (None, "Arizona", "US", "America/Phoenix"),
        (None, "Hawaii", "US", "Pacific/Honolulu"),
        (None, "Indiana", "US", "America/Indiana/Indianapolis"),
        ("Knoxville", "Tennessee", "US", "America/New_York"),
        ("Nashville", "TN", "US", "America/Chicago"),
        ("Pensacola", "Florida", "US", "America/Chicago"),
        ("Miami", "FL", "US", "America/New_York"),
        ("Portland", "Maine", "US", "America/New_York"),
        ("Portland", "OR", "US", "America/Los_Angeles"),
        ("Washington", "DC", "US", "America/New_York"),
        ("Chicago", None, "US", "America/Chicago"),
        ("Las Vegas", None, "US", "America/Los_Angeles"),
        ("New York City", None, "US", "America/New_York"),
        # Canada, Australia, Brazil, Mexico, Russia, Indonesia
        ("Toronto", None, "CA", "America/Toronto"),
        (None, "Québec", "CA", "America/Toronto"),
        (None, "BC", "CA", "America/Vancouver"),
        ("Iqaluit", "Nunavut", "CA", "America/Iqaluit"),
        (None, "NSW", "AU", "Australia/Sydney"),
        ("Broken Hill", "NSW", "AU", "Australia/Broken_Hill"),
        (None, "Western Australia", "AU", "Australia/Perth"),
        ("São Paulo", None, "BR", "America/Sao_Paulo"),
        (None, "Bahia", "BR", "America/Bahia"),
        ("Cancún", "Quintana Roo", "MX", "America/Cancun"),
        ("Cancun", None, "MX", "America/Cancun"),
        ("Tijuana", None, "MX", "America/Tijuana"),
        ("Moscow", None, "RU", "Europe/Moscow"),
        (None, "Moscow Oblast", "RU", "Europe/Moscow"),
        ("Vladivostok", None, "RU", "Asia/Vladivostok"),
        ("Ubud", "Bali", "ID", "Asia/Makassar"),
        ("Jakarta", None, "ID", "Asia/Jakarta"),
        ("Goma", None, "CD", "Africa/Lubumbashi"),
        # islands and other exceptions
        ("Adeje", "Canary Islands", "ES", "Atlantic/Canary"),
        ("Las Palmas de Gran Canaria", None, "ES", "Atlantic/Canary"),
        ("Tenerife", None, "ES", "Atlantic/Canary"),
        ("Madrid", None, "ES", "Europe/Madrid"),
        (None, "Andalusia", "ES", "Europe/Madrid"),
        ("Funchal", None, "PT", "Atlantic/Madeira"),
        ("Ponta Delgada", "Azores", "PT", "Atlantic/Azores"),
        ("Lisbon", None, "PT", "Europe/Lisbon"),
        ("Puerto Ayora", None, "EC", "Pacific/Galapagos"),
        ("Quito", None, "EC", "America/Guayaquil"),
        ("Hanga Roa", None, "CL", "Pacific/Easter"),
        (None, "Chatham Islands", "NZ", "Pacific/Chatham"),
        ("Auckland", None, "NZ", "Pacific/Auckland"),
        ("Aktau", None, "KZ", "Asia/Aqtau"),
        ("Almaty", None, "KZ", "Asia/Almaty"),
        ("Kota Kinabalu", None, "MY", "Asia/Kuching"),
        # no country: a region naming exactly one country's region
        ("Austin", "Texas", None, "America/Chicago"),
        (None, "Ontario", None, "America/Toronto"),
        ("Perth", "WA", None, "Australia/Perth"),
        ("Seattle", "WA", None, "America/Los_Angeles"),
    ],
)
def test_infer_timezone(city: str | None, region: str | None, country: str | None, zone: str) -> None:
    assert infer_timezone(city, region, country) == zone


@pytest.mark.parametrize(
    ("city", "region", "country"),
    [
        (None, None, "US"),  # four zones and more
        ("Springfield", None, "US"),  # a city we do not know
        ("Portland", None, "US"),  # Oregon or Maine
        ("Knoxville", None, "US"),  # listed only for a region
        (None, None, "CA"),
        (None, "Nunavut", "CA"),  # a region spanning zones
        (None, None, "AU"),
        (None, None, "BR"),
        (None, None, "RU"),
        (None, None, "ID"),
        (None, None, "MX"),
        ("Munich", None, None),  # no country and no region
        (None, "WA", None),  # Washington or Western Australia
        (None, "Bavaria", None),  # a region we do not list
        (None, None, "ZZ"),
        (None, None, None),
    ],
)
def test_ambiguous_places_have_no_timezone(city: str | None, region: str | None, country: str | None) -> None:
    assert infer_timezone(city, region, country) is None


def test_countries_for_region() -> None:
    assert countries_for_region("Texas") == "US"
    assert countries_for_region("TX") == "US"
    assert countries_for_region("Ontario") == "CA"
    assert countries_for_region("NSW") == "AU"
    assert countries_for_region("Quintana Roo") == "MX"
    assert countries_for_region("WA") is None
    assert countries_for_region("WA", "Perth") == "AU"
    assert countries_for_region("Distrito Federal") is None  # Mexico and Brazil
    assert countries_for_region(None) is None
    assert countries_for_region("Bavaria") is None
