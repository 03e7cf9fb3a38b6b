"""Public holidays per recipient country, from the `holidays` package (national holidays, no subdivisions).

The package is imported on the first lookup, never at import: about 0.2 s, and the first country built costs another
0.3-0.5 s, since `holidays.countries` then imports every country's module (measured without bytecode caches); later
country-years take well under a millisecond. Each country-year is kept as a set of dates in the calendar instance;
`default_calendar()` is one shared instance (per isolate), built on its first call.

Countries are ISO 3166-1 alpha-2 codes (a name or alias `geo.country_code` knows is accepted too); an unknown,
unsupported or missing country has no holidays, never an error.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

_ALPHA2 = re.compile(r"[A-Z]{2}")
_RESOLVED_MAX = 4096


class HolidayCalendar:
    def __init__(self) -> None:
        self._years: dict[tuple[str, int], frozenset[date]] = {}
        self._codes: frozenset[str] | None = None
        self._resolved: dict[str, str | None] = {}

    def _supported_codes(self) -> frozenset[str]:
        if self._codes is None:
            from holidays.registry import EntityLoader

            codes = EntityLoader.get_country_codes(include_aliases=False)
            self._codes = frozenset(code for code in codes if _ALPHA2.fullmatch(code))
        return self._codes

    def _code(self, country: str | None) -> str | None:
        """The supported alpha-2 code for `country`, or None."""
        if not country or not isinstance(country, str) or len(country) > 64:
            return None
        if country in self._resolved:
            return self._resolved[country]
        code = country.strip().upper()
        supported = self._supported_codes()
        if code not in supported:
            from shared.domain.geo import country_code

            code = country_code(country) or ""
        found = code if code in supported else None
        if len(self._resolved) < _RESOLVED_MAX:  # inputs come from prospect records: keep the memo bounded
            self._resolved[country] = found
        return found

    def supported(self, country: str | None) -> bool:
        """Whether the `holidays` package has national holidays for `country`."""
        return self._code(country) is not None

    def holidays_in(self, country: str | None, year: int) -> frozenset[date]:
        """The public holidays (observed days included, as the package lists them) of `country` in `year`."""
        code = self._code(country)
        if code is None or not 1 <= year <= 9999:
            return frozenset()
        key = (code, year)
        found = self._years.get(key)
        if found is None:
            import holidays

            try:
                found = frozenset(holidays.country_holidays(code, years=year))
            except (NotImplementedError, ValueError, KeyError):  # a year or code the package cannot build
                found = frozenset()
            self._years[key] = found
        return found

    def is_holiday(self, country: str | None, day: date) -> bool:
        """Whether `day` is a public holiday in `country` (False for an unknown or unsupported country)."""
        return day in self.holidays_in(country, day.year)


@cache
def default_calendar() -> HolidayCalendar:
    """The process's shared calendar (its caches live as long as the isolate)."""
    return HolidayCalendar()
