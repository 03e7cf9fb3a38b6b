"""RateLimiter storage names: buckets, quota counters and exhaustion markers, each keyed by class, key and period.

`bucket:<key_class>:<key>`, `quota:<YYYY-MM-DD>:<key_class>:<key>` (tokens granted that UTC day),
`quota:m:<YYYY-MM>:<key_class>:<key>` (that UTC month), `exhausted:<day|month>:<date>:<key_class>:<key>` (the
provider said the period is used up). The date in a name is its period, compared as a string by the sweep.
"""

from __future__ import annotations

from shared.domain.token_bucket import next_utc_midnight, next_utc_month_start, utc_date, utc_day, utc_month
from shared.messages.rate_limit import ExhaustPeriod

BUCKET_PREFIX = "bucket:"
QUOTA_PREFIX = "quota:"
MONTH_QUOTA_PREFIX = "quota:m:"
MARKER_PREFIX = "exhausted:"


def bucket_key(key_class: str, key: str) -> str:
    return f"{BUCKET_PREFIX}{key_class}:{key}"


def quota_key(day: int, key_class: str, key: str) -> str:
    return f"{QUOTA_PREFIX}{utc_date(day)}:{key_class}:{key}"


def month_quota_key(now: float, key_class: str, key: str) -> str:
    return f"{MONTH_QUOTA_PREFIX}{utc_month(now)}:{key_class}:{key}"


def marker_key(period: ExhaustPeriod, now: float, key_class: str, key: str) -> str:
    when = utc_date(utc_day(now)) if period == "day" else utc_month(now)
    return f"{MARKER_PREFIX}{period}:{when}:{key_class}:{key}"


def period_reset(period: ExhaustPeriod, now: float) -> float:
    """When the UTC day or month `now` falls in ends."""
    return next_utc_midnight(now) if period == "day" else next_utc_month_start(now)


_MONTHLY = (MONTH_QUOTA_PREFIX, f"{MARKER_PREFIX}month:")


def is_monthly(name: str) -> bool:
    return name.startswith(_MONTHLY)


def period_of(name: str) -> str:
    """The `YYYY-MM-DD` or `YYYY-MM` in a counter's or marker's name (an unreadable name sorts first: swept)."""
    prefix = next((p for p in (*_MONTHLY, f"{MARKER_PREFIX}day:", QUOTA_PREFIX) if name.startswith(p)), None)
    return "" if prefix is None else name[len(prefix) :].split(":", 1)[0]
