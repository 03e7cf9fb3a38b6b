"""Send windows in each recipient's local time, the recipient's zone, and step delays. Pure: no clock is read.

A window is a set of weekdays and local hours [start, end). On a local date it is ONE interval of real time, from the
first instant the recipient's clock reads `start` to the first instant it reads `end` (`day_interval`). That one rule
settles daylight saving time:

- spring forward: a wall time inside the gap (02:30 in Berlin on the last Sunday of March) never shows on a clock;
  it resolves to the first instant after the gap (03:00 CEST), so a window starting there opens at the transition,
  and a window wholly inside the gap is empty that day;
- fall back: the repeated hour lies in the day's single interval once, so a window is never open "twice"
  (01:00-02:30 on Berlin's fall-back day closes at the first 02:30 and does not reopen at the second).

Aware datetimes in, UTC out. "24:00" (`END_OF_DAY`) closes a window at local midnight. Searches go day by day, a
constant amount of work per day, and are bounded (370 days for a send time, 365 for a delay).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.domain.geo import infer_timezone, is_timezone

if TYPE_CHECKING:
    from shared.domain.campaigns.holiday_calendar import HolidayCalendar

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
END_OF_DAY = time.max  # a window's end "24:00": local midnight after the day
MAX_SEARCH_DAYS = 370
MAX_DELAY = 365
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")

TimezoneSource = Literal["prospect", "inferred", "campaign"]
DelayUnit = Literal["days", "business_days"]


class WindowError(ValueError):
    """A send window that cannot be used; the message says why."""


def _hhmm(value: time) -> str:
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError (not KeyError) for a name the runtime does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def as_utc(value: datetime, name: str = "time") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _wall(timestamp: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(timestamp, tz).replace(tzinfo=None)


def wall_instant(day: date, wall: time, tz: tzinfo) -> datetime:
    """The first instant (UTC) at which a clock in `tz` reads `day` `wall` or later.

    An existing wall time is itself (the earlier reading when a fall-back repeats it); a wall time inside a DST gap
    is the transition, the first instant after the gap (found by bisecting the gap to the second, as tzdata's
    transitions are whole seconds; only DST days pay for it).
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz).astimezone(UTC)  # fold=0: the earlier reading; in a gap, an instant past it
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    before = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)  # in a gap, fold=1 lands before it
    low, high = math.floor(before.timestamp()), math.ceil(first.timestamp())
    if _wall(low, tz) >= naive or _wall(high, tz) < naive:  # not a plain gap: keep zoneinfo's reading
        return first
    while high - low > 1:  # invariant: wall(low) < naive <= wall(high)
        middle = (low + high) // 2
        if _wall(middle, tz) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def day_interval(day: date, start: time, end: time, tz: tzinfo) -> tuple[datetime, datetime]:
    """The local date's hours [start, end) as one interval of real time [opens, closes) in UTC (empty in a gap)."""
    opens = wall_instant(day, start, tz)
    closes = wall_instant(day + timedelta(days=1), time(0), tz) if end == END_OF_DAY else wall_instant(day, end, tz)
    return opens, closes


def check_hours(start: time, end: time, error: type[ValueError] = ValueError) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:
        raise error("window hours are local wall-clock times, without a time zone")
    if end <= start:
        raise error(
            f"the window ends ({_hhmm(end)}) before or when it starts ({_hhmm(start)}); "
            "windows cannot run past midnight (use two weekdays' hours, or end at 24:00)"
        )


@dataclass(frozen=True, slots=True)
class SendWindow:
    weekdays: frozenset[int]  # 0 = Monday .. 6 = Sunday; non-empty
    start: time  # local wall clock, inclusive
    end: time  # local wall clock, exclusive; END_OF_DAY for 24:00

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise WindowError("a send window needs at least one weekday")
        bad = [d for d in self.weekdays if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6]
        if bad:
            raise WindowError(f"weekdays are 0 (Monday) to 6 (Sunday), got {bad!r}")
        check_hours(self.start, self.end, WindowError)

    def interval(self, day: date, tz: tzinfo) -> tuple[datetime, datetime]:
        """The hours of local date `day` in `tz` as [opens, closes) in UTC, whether or not `day` is a send day."""
        return day_interval(day, self.start, self.end, tz)

    def contains(self, local: datetime) -> bool:
        """Whether `local` (an aware datetime in the recipient's zone) lies in the window: its local date is a send
        weekday and the instant lies in that date's interval (so DST gaps and the repeated hour follow the rule
        above). A naive datetime is read as a wall-clock reading."""
        day = local.date()
        if day.weekday() not in self.weekdays:
            return False
        if local.tzinfo is None:
            wall = local.time()
            return self.start <= wall and (wall < self.end or self.end == END_OF_DAY)
        opens, closes = self.interval(day, local.tzinfo)
        return opens <= local.astimezone(UTC) < closes


def _weekday(value: str | int) -> int:
    if isinstance(value, bool):
        raise WindowError(f"not a weekday: {value!r}")
    if isinstance(value, int):
        if 0 <= value <= 6:
            return value
        raise WindowError(f"weekday numbers run from 0 (Monday) to 6 (Sunday), got {value}")
    if isinstance(value, str):
        name = value.strip().lower()
        if name in WEEKDAY_NAMES:
            return WEEKDAY_NAMES.index(name)
        if name in _FULL_NAMES:
            return _FULL_NAMES.index(name)
    raise WindowError(f"not a weekday: {value!r} (use mon, tue, wed, thu, fri, sat, sun or 0-6)")


def _clock(value: str, what: str, *, end: bool) -> time:
    found = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if found:
        hour, minute = int(found[1]), int(found[2])
        if end and (hour, minute) == (24, 0):
            return END_OF_DAY
        if hour < 24 and minute < 60:
            return time(hour, minute)
    latest = "24:00" if end else "23:59"
    raise WindowError(f"the window's {what} {value!r} is not a time of day as HH:MM (00:00-{latest})")


def parse_window(weekdays: Sequence[str | int], start: str, end: str) -> SendWindow:
    """A window from API values: weekday names ("mon".."sun", or full names) or numbers 0-6, and "HH:MM" hours
    ("24:00" allowed as the end). Raises WindowError naming what is wrong."""
    if isinstance(weekdays, (str, bytes)) or not isinstance(weekdays, Sequence):
        raise WindowError(f"weekdays must be a list such as ['mon', 'tue'], got {weekdays!r}")
    days = frozenset(_weekday(day) for day in weekdays)
    return SendWindow(days, _clock(start, "start", end=False), _clock(end, "end", end=True))


def resolve_timezone(
    *, prospect_timezone: str | None, city: str | None, region: str | None, country: str | None, default: str
) -> tuple[str, TimezoneSource]:
    """The recipient's IANA zone and where it came from: the prospect's own (ignored unless a zone the runtime
    knows), else inferred from city / region / country, else the campaign's default (validated by its caller)."""
    if prospect_timezone and is_timezone(prospect_timezone.strip()):
        return prospect_timezone.strip(), "prospect"
    if city or region or country:
        inferred = infer_timezone(city or None, region or None, country or None)
        if inferred:
            return inferred, "inferred"
    return default, "campaign"


def _sends_on(day: date, weekdays: frozenset[int], calendar: HolidayCalendar | None, country: str | None) -> bool:
    if day.weekday() not in weekdays:
        return False
    return calendar is None or not country or not calendar.is_holiday(country, day)


def next_send_time(
    after: datetime,
    *,
    window: SendWindow,
    zone: str,
    calendar: HolidayCalendar | None = None,
    country: str | None = None,
    not_after: datetime | None = None,
) -> datetime | None:
    """The earliest instant (UTC) at or after `after` inside `window` in `zone`, skipping the public holidays of
    `country` when a calendar is given; None when there is none by `not_after` (inclusive) or within 370 days."""
    earliest = as_utc(after, "after")
    limit = as_utc(not_after, "not_after") if not_after is not None else None
    tz = zone_info(zone)
    day = earliest.astimezone(tz).date()
    try:
        for _ in range(MAX_SEARCH_DAYS + 1):
            opens, closes = window.interval(day, tz)
            candidate = max(opens, earliest)
            if limit is not None and candidate > limit:
                return None  # every later day opens later still
            if candidate < closes and _sends_on(day, window.weekdays, calendar, country):
                return candidate
            day += timedelta(days=1)
    except OverflowError:  # the search ran into year 9999
        return None
    return None


def _add_business_days(day: date, amount: int, calendar: HolidayCalendar | None, country: str | None) -> date:
    left = amount
    for _ in range(3 * (MAX_DELAY + 1)):  # 365 business days take ~530 calendar days with holidays
        if not left:
            return day
        day += timedelta(days=1)
        if day.weekday() < 5 and (calendar is None or not country or not calendar.is_holiday(country, day)):
            left -= 1
    if not left:
        return day
    raise ValueError(f"no {amount} business days found in {3 * (MAX_DELAY + 1)} days")


def add_delay(
    start: datetime,
    amount: int,
    unit: DelayUnit,
    *,
    zone: str,
    calendar: HolidayCalendar | None = None,
    country: str | None = None,
) -> datetime:
    """`start` moved `amount` local calendar days ("days") or business days ("business_days": not Saturday, Sunday
    or, with a calendar, a public holiday of `country`) later, at the same local wall time in `zone` (a wall time
    that does not exist that day moves forward to the end of the DST gap). UTC; amount 0 is `start` itself.
    ValueError for an amount outside 0..365, an unknown unit or a result past the calendar's end."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_DELAY:
        raise ValueError(f"a delay is a whole number from 0 to {MAX_DELAY}, got {amount!r}")
    if unit not in ("days", "business_days"):
        raise ValueError(f"a delay unit is 'days' or 'business_days', got {unit!r}")
    begin = as_utc(start, "start")
    if amount == 0:
        return begin
    tz = zone_info(zone)
    local = begin.astimezone(tz)
    try:
        if unit == "days":
            day = local.date() + timedelta(days=amount)
        else:
            day = _add_business_days(local.date(), amount, calendar, country)
        return wall_instant(day, local.time(), tz)
    except OverflowError as exc:
        raise ValueError(f"a delay of {amount} {unit} from {start.isoformat()} runs past the calendar's end") from exc
