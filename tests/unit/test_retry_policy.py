"""Retry policies: exhaustion counts deliveries, delays follow the back-off and are capped at 12 h."""

from __future__ import annotations

import pytest

from shared.domain.retry import MAX_QUEUE_DELAY_SECONDS, Backoff, RetryPolicy


def test_exhausted_after_max_retries_plus_the_first_delivery() -> None:
    policy = RetryPolicy(max_retries=2, base_delay_seconds=10)
    assert [policy.exhausted(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


@pytest.mark.parametrize(
    ("backoff", "expected"),
    [
        (Backoff.FIXED, [30, 30, 30, 30]),
        (Backoff.LINEAR, [30, 60, 90, 120]),
        (Backoff.EXPONENTIAL, [30, 60, 120, 240]),
    ],
)
def test_delays(backoff: Backoff, expected: list[int]) -> None:
    policy = RetryPolicy(max_retries=5, base_delay_seconds=30, backoff=backoff)
    assert [policy.delay_for(n) for n in (1, 2, 3, 4)] == expected


def test_delay_is_capped_at_the_queue_maximum() -> None:
    policy = RetryPolicy(max_retries=50, base_delay_seconds=60, backoff=Backoff.EXPONENTIAL)
    assert policy.delay_for(40) == MAX_QUEUE_DELAY_SECONDS
