"""Send windows, recipient zones, next send times and step delays across DST changes, date lines and holidays."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.campaigns.holiday_calendar import HolidayCalendar, default_calendar
from shared.domain.campaigns.schedule import (
    END_OF_DAY,
    SendWindow,
    WindowError,
    add_delay,
    next_send_time,
    parse_window,
    resolve_timezone,
    wall_instant,
)

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
WEEKDAYS = parse_window(["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00")
CALENDAR = HolidayCalendar()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local(tz: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=tz, fold=fold)  # type: ignore[misc]


# -- parse_window / SendWindow ----------------------------------------------------------------------------------------


def test_parse_window_reads_names_numbers_and_hours() -> None:
    window = parse_window(["Mon", " tue ", "wednesday", 3, "fri", "fri"], "08:30", "17:45")
    assert window == SendWindow(frozenset({0, 1, 2, 3, 4}), time(8, 30), time(17, 45))
    assert parse_window(["sat", "sun"], "0:00", "24:00") == SendWindow(frozenset({5, 6}), time(0), END_OF_DAY)


@pytest.mark.parametrize(
    ("weekdays", "start", "end", "message"),
    [
        ([], "09:00", "17:00", "at least one weekday"),
        (["funday"], "09:00", "17:00", "not a weekday: 'funday'"),
        ([7], "09:00", "17:00", "0 (Monday) to 6 (Sunday), got 7"),
        ([-1], "09:00", "17:00", "got -1"),
        ([True], "09:00", "17:00", "not a weekday: True"),
        ([1.0], "09:00", "17:00", "not a weekday: 1.0"),
        ("mon", "09:00", "17:00", "must be a list"),
        (["mon"], "17:00", "09:00", "ends (09:00) before or when it starts (17:00)"),
        (["mon"], "09:00", "09:00", "ends (09:00) before or when it starts (09:00)"),
        (["mon"], "22:00", "02:00", "cannot run past midnight"),
        (["mon"], "9am", "17:00", "start '9am' is not a time of day"),
        (["mon"], "09:00", "25:00", "end '25:00' is not a time of day as HH:MM (00:00-24:00)"),
        (["mon"], "09:60", "17:00", "start '09:60'"),
        (["mon"], "24:00", "24:00", "start '24:00' is not a time of day as HH:MM (00:00-23:59)"),
        (["mon"], "", "17:00", "start ''"),
        (["mon"], "09:00:00", "17:00", "start '09:00:00'"),
    ],
)
def test_parse_window_refuses_bad_windows_clearly(weekdays: object, start: str, end: str, message: str) -> None:
    with pytest.raises(WindowError, match=None) as caught:
        parse_window(weekdays, start, end)  # type: ignore[arg-type]
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_send_window_validates_itself() -> None:
    with pytest.raises(ValueError, match="before or when it starts"):
        SendWindow(frozenset({0}), time(18), time(6))  # no overnight windows
    with pytest.raises(ValueError, match="at least one weekday"):
        SendWindow(frozenset(), time(9), time(17))
    with pytest.raises(ValueError, match="got \\[9\\]"):
        SendWindow(frozenset({9}), time(9), time(17))
    with pytest.raises(ValueError, match="without a time zone"):
        SendWindow(frozenset({0}), time(9, tzinfo=UTC), time(17))


def test_contains_is_inclusive_at_the_start_and_exclusive_at_the_end() -> None:
    assert WEEKDAYS.contains(local(BERLIN, 2026, 6, 8, 9, 0))  # a Monday
    assert WEEKDAYS.contains(local(BERLIN, 2026, 6, 8, 16, 59, 59))
    assert not WEEKDAYS.contains(local(BERLIN, 2026, 6, 8, 17, 0))
    assert not WEEKDAYS.contains(local(BERLIN, 2026, 6, 8, 8, 59, 59))
    assert not WEEKDAYS.contains(local(BERLIN, 2026, 6, 6, 12, 0))  # Saturday
    assert WEEKDAYS.contains(datetime(2026, 6, 8, 12, 0))  # a naive reading is a wall clock
    all_day = parse_window(["sun"], "00:00", "24:00")
    assert all_day.contains(local(BERLIN, 2026, 6, 7, 23, 59, 59, 999999))
    assert all_day.contains(local(BERLIN, 2026, 6, 7, 0, 0))
    assert not all_day.contains(local(BERLIN, 2026, 6, 8, 0, 0))


def test_contains_reads_the_wall_clock_of_half_hour_zones() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # +05:30
    assert WEEKDAYS.contains(utc(2026, 6, 8, 3, 30).astimezone(kolkata))
    assert not WEEKDAYS.contains(utc(2026, 6, 8, 3, 29).astimezone(kolkata))
    assert not WEEKDAYS.contains(utc(2026, 6, 8, 11, 30).astimezone(kolkata))


# -- resolve_timezone -------------------------------------------------------------------------------------------------


def test_resolve_timezone_prefers_the_prospects_own_zone() -> None:
    found = resolve_timezone(
        prospect_timezone=" Asia/Tokyo ", city="Austin", region="TX", country="US", default="Europe/Berlin"
    )
    assert found == ("Asia/Tokyo", "prospect")


def test_resolve_timezone_ignores_an_invalid_prospect_zone_and_infers() -> None:
    for bad in ("Mars/Olympus_Mons", "", "../../etc/passwd", "Europe/", None):
        found = resolve_timezone(prospect_timezone=bad, city="Austin", region="TX", country="US", default="UTC")
        assert found == ("America/Chicago", "inferred")
    assert resolve_timezone(prospect_timezone=None, city=None, region=None, country="DE", default="UTC") == (
        "Europe/Berlin",
        "inferred",
    )
    assert resolve_timezone(prospect_timezone=None, city="El Paso", region="Texas", country="US", default="UTC") == (
        "America/Denver",
        "inferred",
    )


def test_resolve_timezone_falls_back_to_the_campaign_default() -> None:
    # The US has several zones: no region, no guess.
    assert resolve_timezone(prospect_timezone=None, city=None, region=None, country="US", default="Europe/Paris") == (
        "Europe/Paris",
        "campaign",
    )
    assert resolve_timezone(prospect_timezone="nope", city="", region="", country="", default="Asia/Dubai") == (
        "Asia/Dubai",
        "campaign",
    )
    assert resolve_timezone(prospect_timezone=None, city=None, region=None, country="Atlantis", default="UTC") == (
        "UTC",
        "campaign",
    )


# -- next_send_time: plain days, weekends, date lines, half-hour zones ------------------------------------------------


def test_next_send_time_inside_the_window_is_now() -> None:
    now = utc(2026, 6, 8, 10, 17, 3)  # Monday 12:17 in Berlin
    assert next_send_time(now, window=WEEKDAYS, zone="Europe/Berlin") == now


def test_next_send_time_before_and_after_the_window() -> None:
    assert next_send_time(utc(2026, 6, 8, 5), window=WEEKDAYS, zone="Europe/Berlin") == utc(2026, 6, 8, 7)
    assert next_send_time(utc(2026, 6, 8, 15), window=WEEKDAYS, zone="Europe/Berlin") == utc(2026, 6, 9, 7)
    friday_evening = utc(2026, 6, 12, 15, 0)  # Friday 17:00 in Berlin: the window just closed
    assert next_send_time(friday_evening, window=WEEKDAYS, zone="Europe/Berlin") == utc(2026, 6, 15, 7)
    assert next_send_time(friday_evening - timedelta(microseconds=1), window=WEEKDAYS, zone="Europe/Berlin") == (
        friday_evening - timedelta(microseconds=1)
    )


def test_next_send_time_accepts_any_aware_datetime_and_answers_in_utc() -> None:
    found = next_send_time(local(NEW_YORK, 2026, 6, 8, 1, 0), window=WEEKDAYS, zone="Europe/Berlin")
    assert found == utc(2026, 6, 8, 7) and found is not None and found.tzinfo is UTC


def test_next_send_time_on_the_date_line() -> None:
    # Kiritimati is UTC+14: Sunday 20:00 UTC is already Monday 10:00 there.
    assert next_send_time(utc(2026, 6, 7, 20), window=WEEKDAYS, zone="Pacific/Kiritimati") == utc(2026, 6, 7, 20)
    # Friday 17:00 in Kiritimati (03:00 UTC) -> Monday 09:00 there, which is Sunday 19:00 UTC.
    assert next_send_time(utc(2026, 6, 12, 3), window=WEEKDAYS, zone="Pacific/Kiritimati") == utc(2026, 6, 14, 19)
    # Pago Pago is UTC-11: Monday 10:00 UTC is still Sunday 23:00 there; Monday 09:00 local is 20:00 UTC.
    assert next_send_time(utc(2026, 6, 8, 10), window=WEEKDAYS, zone="Pacific/Pago_Pago") == utc(2026, 6, 8, 20)
    # Samoa (UTC+13 today) is 24 hours ahead of its neighbour Pago Pago.
    assert next_send_time(utc(2026, 6, 8, 10), window=WEEKDAYS, zone="Pacific/Apia") == utc(2026, 6, 8, 20)


def test_next_send_time_when_samoa_skipped_a_day() -> None:
    # Samoa jumped from 2011-12-29 23:59 (UTC-10) to 2011-12-31 00:00 (UTC+14): Friday the 30th never happened.
    every_day = parse_window(list(range(7)), "09:00", "17:00")
    after = local(ZoneInfo("Pacific/Apia"), 2011, 12, 29, 17, 0)
    assert next_send_time(after, window=every_day, zone="Pacific/Apia") == utc(2011, 12, 30, 19)  # 31st, 09:00 +14
    friday_only = parse_window(["fri"], "09:00", "17:00")
    assert next_send_time(after, window=friday_only, zone="Pacific/Apia") == utc(2012, 1, 5, 19)  # Jan 6, 09:00 +14


def test_next_send_time_in_half_hour_and_quarter_hour_zones() -> None:
    assert next_send_time(utc(2026, 6, 8, 3), window=WEEKDAYS, zone="Asia/Kolkata") == utc(2026, 6, 8, 3, 30)
    assert next_send_time(utc(2026, 6, 8, 3), window=WEEKDAYS, zone="Asia/Kathmandu") == utc(2026, 6, 8, 3, 15)


# -- next_send_time across DST ----------------------------------------------------------------------------------------


def test_spring_forward_a_window_starting_in_the_gap_opens_at_the_first_instant() -> None:
    # Berlin 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC.
    sunday = parse_window(["sun"], "02:30", "05:00")
    assert next_send_time(utc(2026, 3, 28, 22), window=sunday, zone="Europe/Berlin") == utc(2026, 3, 29, 1)
    assert wall_instant(date(2026, 3, 29), time(2, 30), BERLIN) == utc(2026, 3, 29, 1)
    # New York 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00 UTC.
    assert next_send_time(utc(2026, 3, 8, 0), window=sunday, zone="America/New_York") == utc(2026, 3, 8, 7)
    # Lord Howe 2026-10-04: a 30-minute jump, 02:00 (+10:30) -> 02:30 (+11) at 15:30 UTC on the 3rd.
    early = parse_window(["sun"], "02:10", "03:00")
    assert next_send_time(utc(2026, 10, 3, 12), window=early, zone="Australia/Lord_Howe") == utc(2026, 10, 3, 15, 30)


def test_spring_forward_a_window_wholly_in_the_gap_is_empty_that_day() -> None:
    gap_only = parse_window(["sun"], "02:00", "02:45")
    # Nothing on 2026-03-29 in Berlin; next Sunday 02:00 CEST is 00:00 UTC.
    assert next_send_time(utc(2026, 3, 28, 22), window=gap_only, zone="Europe/Berlin") == utc(2026, 4, 5, 0)
    assert not gap_only.contains(utc(2026, 3, 29, 1).astimezone(BERLIN))  # 03:00 CEST, after the window


def test_spring_forward_day_is_shorter_in_real_time() -> None:
    window = parse_window(["sun"], "01:00", "04:00")
    opens, closes = window.interval(date(2026, 3, 29), BERLIN)
    assert (opens, closes) == (utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))  # 01:00 CET to 04:00 CEST: 2 hours


def test_fall_back_the_repeated_hour_does_not_reopen_a_closed_window() -> None:
    # Berlin 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00 UTC; 02:00-02:59 happens twice.
    window = parse_window(["sun"], "01:00", "02:30")
    first_0240 = local(BERLIN, 2026, 10, 25, 2, 40)  # CEST, 00:40 UTC: the window closed at the first 02:30
    assert first_0240.astimezone(UTC) == utc(2026, 10, 25, 0, 40)
    assert next_send_time(first_0240, window=window, zone="Europe/Berlin") == utc(2026, 11, 1, 0)  # 01:00 CET
    second_0210 = local(BERLIN, 2026, 10, 25, 2, 10, fold=1)  # CET, 01:10 UTC
    assert second_0210.astimezone(UTC) == utc(2026, 10, 25, 1, 10)
    assert not window.contains(second_0210)
    assert window.contains(local(BERLIN, 2026, 10, 25, 2, 10))  # the first 02:10 (CEST)
    assert window.interval(date(2026, 10, 25), BERLIN) == (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30))


def test_fall_back_a_window_over_the_repeated_hour_is_one_longer_interval() -> None:
    # New York 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00 UTC.
    window = parse_window(["sun"], "01:30", "03:00")
    assert window.interval(date(2026, 11, 1), NEW_YORK) == (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 8))
    second_0110 = utc(2026, 11, 1, 6, 10)  # 01:10 EST, the repeated hour, before the start's wall time
    assert next_send_time(second_0110, window=window, zone="America/New_York") == second_0110  # still open
    assert next_send_time(utc(2026, 11, 1, 8), window=window, zone="America/New_York") == utc(2026, 11, 8, 6, 30)
    # Lord Howe 2026-04-05: 02:00 (+11) -> 01:30 (+10:30) at 15:00 UTC on the 4th: a 30-minute repeat.
    short = parse_window(["sun"], "01:30", "02:00")
    assert short.interval(date(2026, 4, 5), LORD_HOWE) == (utc(2026, 4, 4, 14, 30), utc(2026, 4, 4, 15, 30))
    assert next_send_time(utc(2026, 4, 4, 15, 10), window=short, zone="Australia/Lord_Howe") == utc(2026, 4, 4, 15, 10)


def test_a_window_ending_at_midnight_where_dst_changes_at_midnight() -> None:
    # Santiago 2026-04-05: 00:00 (-03) -> 23:00 on the 4th (-04) at 03:00 UTC; Saturday 23:00-24:00 happens twice.
    santiago = ZoneInfo("America/Santiago")
    saturday_evening = parse_window(["sat"], "23:00", "24:00")
    assert saturday_evening.interval(date(2026, 4, 4), santiago) == (utc(2026, 4, 5, 2), utc(2026, 4, 5, 4))
    # Santiago 2026-09-06: 00:00 (-04) -> 01:00 (-03): a Sunday window from midnight opens at 01:00.
    sunday = parse_window(["sun"], "00:00", "06:00")
    assert next_send_time(utc(2026, 9, 5, 12), window=sunday, zone="America/Santiago") == utc(2026, 9, 6, 4)


# -- next_send_time: holidays and bounds ------------------------------------------------------------------------------


def test_next_send_time_skips_the_recipients_public_holidays() -> None:
    christmas_eve = utc(2026, 12, 24, 17)  # Thursday 18:00 in Berlin; the 25th and 26th are holidays, then a weekend
    found = next_send_time(christmas_eve, window=WEEKDAYS, zone="Europe/Berlin", calendar=CALENDAR, country="DE")
    assert found == utc(2026, 12, 28, 8)
    assert next_send_time(christmas_eve, window=WEEKDAYS, zone="Europe/Berlin") == utc(2026, 12, 25, 8)
    # US 2026: July 4 is a Saturday, observed on Friday July 3.
    thursday = utc(2026, 7, 2, 22)  # 18:00 EDT
    found = next_send_time(thursday, window=WEEKDAYS, zone="America/New_York", calendar=CALENDAR, country="US")
    assert found == utc(2026, 7, 6, 13)
    assert next_send_time(thursday, window=WEEKDAYS, zone="America/New_York", calendar=CALENDAR) == utc(2026, 7, 3, 13)
    # Holidays belong to the recipient's country, not the zone: a German in New York still gets July 3.
    found = next_send_time(thursday, window=WEEKDAYS, zone="America/New_York", calendar=CALENDAR, country="DE")
    assert found == utc(2026, 7, 3, 13)


def test_next_send_time_respects_not_after_inclusively() -> None:
    after = utc(2026, 6, 8, 15)  # Monday evening in Berlin; the next opening is Tuesday 07:00 UTC
    assert next_send_time(after, window=WEEKDAYS, zone="Europe/Berlin", not_after=utc(2026, 6, 9, 6, 59)) is None
    assert next_send_time(after, window=WEEKDAYS, zone="Europe/Berlin", not_after=utc(2026, 6, 9, 7)) == utc(
        2026, 6, 9, 7
    )
    assert next_send_time(after, window=WEEKDAYS, zone="Europe/Berlin", not_after=after - timedelta(days=1)) is None


class EveryDayAHoliday(HolidayCalendar):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[date] = []

    def is_holiday(self, country: str | None, day: date) -> bool:
        self.asked.append(day)
        return True


def test_next_send_time_gives_up_after_370_days_without_minute_loops() -> None:
    calendar = EveryDayAHoliday()
    every_day = parse_window(list(range(7)), "09:00", "17:00")
    after = utc(2026, 1, 1)
    assert next_send_time(after, window=every_day, zone="UTC", calendar=calendar, country="DE") is None
    assert len(calendar.asked) == 371  # one look per day
    assert calendar.asked[0] == date(2026, 1, 1) and calendar.asked[-1] == date(2027, 1, 6)
    near_the_end = utc(9999, 12, 30)
    assert next_send_time(near_the_end, window=parse_window(["mon"], "09:00", "17:00"), zone="UTC") is None


def test_next_send_time_refuses_naive_times_and_unknown_zones() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_send_time(datetime(2026, 6, 8, 10), window=WEEKDAYS, zone="UTC")
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Base'"):
        next_send_time(utc(2026, 6, 8, 10), window=WEEKDAYS, zone="Mars/Base")


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Pacific/Apia",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/Santiago",
    "Pacific/Chatham",
    "UTC",
]
FIXED_ZONES = ["Asia/Kolkata", "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC", "Asia/Tokyo"]
DST_DAYS = [
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 4, 5),
    date(2026, 10, 4),
    date(2026, 9, 6),
    date(2011, 12, 29),
    date(2011, 12, 30),
]
QUARTER = timedelta(minutes=15)


@st.composite
def windows(draw: st.DrawFn) -> SendWindow:
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    start = draw(st.integers(0, 95))
    end = draw(st.integers(start + 1, 96))
    as_time = lambda q: END_OF_DAY if q == 96 else time(q // 4, q % 4 * 15)  # noqa: E731
    return SendWindow(days, as_time(start), as_time(end))


@st.composite
def quarter_hours(draw: st.DrawFn) -> datetime:
    day = draw(st.one_of(st.sampled_from(DST_DAYS), st.dates(date(2015, 1, 1), date(2035, 12, 31))))
    shift = draw(st.integers(-2 * 96, 2 * 96))
    return datetime.combine(day, time(0), tzinfo=UTC) + shift * QUARTER


@settings(max_examples=150, deadline=None)
@given(window=windows(), zone=st.sampled_from(ZONES), after=quarter_hours())
def test_next_send_time_is_the_first_instant_in_the_window(window: SendWindow, zone: str, after: datetime) -> None:
    # Zones' offsets and transitions are whole quarter hours, and so are the windows: a quarter-hour scan is exact.
    tz = ZoneInfo(zone)
    found = next_send_time(after, window=window, zone=zone)
    assert found is not None and found >= after
    assert window.contains(found.astimezone(tz))
    scan = after
    while scan < found:
        assert not window.contains(scan.astimezone(tz)), scan
        scan += QUARTER


@settings(max_examples=150, deadline=None)
@given(window=windows(), zone=st.sampled_from(FIXED_ZONES), after=quarter_hours())
def test_without_dst_the_window_is_plain_wall_clock_hours(window: SendWindow, zone: str, after: datetime) -> None:
    tz = ZoneInfo(zone)
    found = next_send_time(after, window=window, zone=zone)
    assert found is not None

    def by_the_clock(instant: datetime) -> bool:
        wall = instant.astimezone(tz)
        clock = wall.time().replace(tzinfo=None)
        in_hours = window.start <= clock and (clock < window.end or window.end == END_OF_DAY)
        return wall.weekday() in window.weekdays and in_hours

    assert by_the_clock(found)
    scan = after
    while scan < found:
        assert not by_the_clock(scan)
        scan += QUARTER


# -- add_delay --------------------------------------------------------------------------------------------------------


def test_days_keep_the_local_wall_time_across_dst() -> None:
    # Berlin: 09:00 CET on Saturday + 1 day = 09:00 CEST on Sunday, 23 real hours later.
    assert add_delay(utc(2026, 3, 28, 8), 1, "days", zone="Europe/Berlin") == utc(2026, 3, 29, 7)
    # 09:00 CEST + 1 day over the fall-back = 09:00 CET, 25 hours later.
    assert add_delay(utc(2026, 10, 24, 7), 1, "days", zone="Europe/Berlin") == utc(2026, 10, 25, 8)
    assert add_delay(utc(2026, 3, 1, 8), 30, "days", zone="Europe/Berlin") == utc(2026, 3, 31, 7)


def test_days_move_a_nonexistent_wall_time_forward() -> None:
    # 02:30 CET + 1 day: 02:30 does not exist on 2026-03-29 -> 03:00 CEST (01:00 UTC).
    assert add_delay(utc(2026, 3, 28, 1, 30), 1, "days", zone="Europe/Berlin") == utc(2026, 3, 29, 1)
    assert add_delay(local(NEW_YORK, 2026, 3, 7, 2, 30), 1, "days", zone="America/New_York") == utc(2026, 3, 8, 7)
    # Samoa 2011-12-29 10:00 + 1 day: the 30th never happened -> the first instant after, the 31st 00:00 (+14).
    apia = local(ZoneInfo("Pacific/Apia"), 2011, 12, 29, 10, 0)
    assert add_delay(apia, 1, "days", zone="Pacific/Apia") == utc(2011, 12, 30, 10)
    assert add_delay(apia, 2, "days", zone="Pacific/Apia") == utc(2011, 12, 30, 20)  # the 31st 10:00 (+14)


def test_days_on_the_date_line_count_local_dates() -> None:
    # Kiritimati (+14) Monday 08:00 = Sunday 18:00 UTC; + 1 day = Tuesday 08:00 local = Monday 18:00 UTC.
    assert add_delay(utc(2026, 6, 7, 18), 1, "days", zone="Pacific/Kiritimati") == utc(2026, 6, 8, 18)


def test_business_days_skip_weekends() -> None:
    friday = local(BERLIN, 2026, 6, 5, 10, 15)
    assert add_delay(friday, 1, "business_days", zone="Europe/Berlin") == local(BERLIN, 2026, 6, 8, 10, 15)
    saturday = local(BERLIN, 2026, 6, 6, 10, 15)
    assert add_delay(saturday, 1, "business_days", zone="Europe/Berlin") == local(BERLIN, 2026, 6, 8, 10, 15)
    monday = local(BERLIN, 2026, 6, 8, 10, 15)
    assert add_delay(monday, 5, "business_days", zone="Europe/Berlin") == local(BERLIN, 2026, 6, 15, 10, 15)
    assert add_delay(friday, 1, "days", zone="Europe/Berlin") == local(BERLIN, 2026, 6, 6, 10, 15)


def test_business_days_skip_the_recipients_holidays() -> None:
    thursday = local(BERLIN, 2026, 12, 24, 10, 0)  # 25th and 26th are German holidays
    found = add_delay(thursday, 1, "business_days", zone="Europe/Berlin", calendar=CALENDAR, country="DE")
    assert found == local(BERLIN, 2026, 12, 28, 10, 0)
    found = add_delay(thursday, 2, "business_days", zone="Europe/Berlin", calendar=CALENDAR, country="DE")
    assert found == local(BERLIN, 2026, 12, 29, 10, 0)
    assert add_delay(thursday, 1, "business_days", zone="Europe/Berlin") == local(BERLIN, 2026, 12, 25, 10, 0)
    # US: Thursday July 2 + 1 business day skips Friday July 3 (Independence Day observed).
    july = local(NEW_YORK, 2026, 7, 2, 9, 0)
    found = add_delay(july, 1, "business_days", zone="America/New_York", calendar=CALENDAR, country="US")
    assert found == local(NEW_YORK, 2026, 7, 6, 9, 0)
    # New Year: Dec 31 2026 (Thu) + 1 in DE is Friday Jan 1 (holiday) -> Monday Jan 4.
    new_years_eve = local(BERLIN, 2026, 12, 31, 9)
    found = add_delay(new_years_eve, 1, "business_days", zone="Europe/Berlin", calendar=CALENDAR, country="DE")
    assert found == local(BERLIN, 2027, 1, 4, 9)


def test_add_delay_bounds_and_errors() -> None:
    start = utc(2026, 6, 8, 10)
    assert add_delay(start, 0, "days", zone="Europe/Berlin") == start
    assert add_delay(local(BERLIN, 2026, 6, 8, 12), 0, "business_days", zone="Europe/Berlin") == start
    assert add_delay(start, 365, "days", zone="Europe/Berlin") == utc(2027, 6, 8, 10)
    assert add_delay(start, 365, "business_days", zone="Europe/Berlin", calendar=CALENDAR, country="DE") > utc(
        2027, 11, 1
    )
    for amount in (366, -1, 10**9):
        with pytest.raises(ValueError, match="0 to 365"):
            add_delay(start, amount, "days", zone="Europe/Berlin")
    for amount in (True, 1.5):
        with pytest.raises(ValueError, match="whole number"):
            add_delay(start, amount, "days", zone="Europe/Berlin")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'weeks'"):
        add_delay(start, 1, "weeks", zone="Europe/Berlin")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware"):
        add_delay(datetime(2026, 6, 8), 1, "days", zone="Europe/Berlin")
    with pytest.raises(ValueError, match="past the calendar's end"):
        add_delay(utc(9999, 12, 1), 100, "days", zone="UTC")
    with pytest.raises(ValueError, match="past the calendar's end"):
        add_delay(utc(9999, 12, 1), 100, "business_days", zone="UTC")


@settings(max_examples=150, deadline=None)
@given(
    start=quarter_hours(),
    amount=st.integers(0, 40),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Pacific/Kiritimati"]),
    country=st.sampled_from([None, "DE", "US", "FR"]),
)
def test_business_days_count_exactly_the_working_days_in_between(
    start: datetime, amount: int, zone: str, country: str | None
) -> None:
    tz = ZoneInfo(zone)
    found = add_delay(start, amount, "business_days", zone=zone, calendar=CALENDAR, country=country)
    first, last = start.astimezone(tz).date(), found.astimezone(tz).date()

    def working(day: date) -> bool:
        return day.weekday() < 5 and not (country and CALENDAR.is_holiday(country, day))

    days = [first + timedelta(days=n) for n in range(1, (last - first).days + 1)]
    assert sum(map(working, days)) == amount
    assert amount == 0 or working(last)
    if amount and start.astimezone(tz).time() == found.astimezone(tz).time():
        assert found > start


# -- the holiday calendar ---------------------------------------------------------------------------------------------


def test_calendar_knows_national_holidays() -> None:
    calendar = HolidayCalendar()
    assert calendar.is_holiday("DE", date(2026, 12, 25)) and calendar.is_holiday("DE", date(2026, 12, 26))
    assert not calendar.is_holiday("DE", date(2026, 12, 24))
    assert calendar.is_holiday("US", date(2026, 7, 4)) and calendar.is_holiday("US", date(2026, 7, 3))
    assert not calendar.is_holiday("US", date(2026, 12, 26))
    assert calendar.is_holiday("de", date(2026, 10, 3)) and calendar.is_holiday(" Germany ", date(2026, 10, 3))
    assert calendar.is_holiday("UK", date(2026, 12, 25))  # an alias geo knows: GB
    assert not calendar.is_holiday("DE", date(2026, 11, 1))  # All Saints' is regional (Bavaria...), not national


@pytest.mark.parametrize("country", [None, "", "ZZ", "XK2", "utils", "__class__", "country_holidays", "🇩🇪", "x" * 500])
def test_calendar_never_raises_for_unknown_countries(country: str | None) -> None:
    calendar = HolidayCalendar()
    assert not calendar.is_holiday(country, date(2026, 12, 25))
    assert not calendar.supported(country)


def test_calendar_caches_each_country_year() -> None:
    calendar = HolidayCalendar()
    assert calendar.supported("FR") and calendar.supported("JP")
    first = calendar.holidays_in("FR", 2026)
    assert date(2026, 7, 14) in first
    assert calendar.holidays_in("fr", 2026) is first
    assert calendar.holidays_in("FR", 2027) is not first
    assert default_calendar() is default_calendar()


def test_importing_the_campaign_time_maths_loads_no_holidays_package() -> None:
    code = (
        "import sys\n"
        "import shared.domain.campaigns.schedule, shared.domain.campaigns.pacing\n"
        "import shared.domain.campaigns.holiday_calendar as h\n"
        "h.default_calendar()\n"
        "assert 'holidays' not in sys.modules and 'shared.domain.geo_tables' not in sys.modules, sorted(sys.modules)\n"
        "assert h.default_calendar().is_holiday('DE', __import__('datetime').date(2026, 12, 25))\n"
        "assert 'holidays' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
