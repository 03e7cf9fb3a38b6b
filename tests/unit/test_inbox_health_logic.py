"""InboxHealth logic with a fake storage and an injected `now`: pauses, min-sends guard, rolling window, grace,
circuit breaker, score bounds (plus a hypothesis property)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_objects.inbox_health.logic import DAY_PREFIX, InboxHealthLogic, health_score
from shared.messages.inbox_health import ConfigureRequest, HealthConfig, HealthEvent
from tests.fakes import FakeDurableStorage

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()
DAY = 86400.0

FakeStorage = FakeDurableStorage


def make() -> tuple[InboxHealthLogic, FakeStorage]:
    storage = FakeStorage()
    return InboxHealthLogic(storage), storage


async def send(h: InboxHealthLogic, n: int, now: float, bounces: int = 0, complaints: int = 0) -> None:
    for _ in range(n):
        await h.record(HealthEvent.SENT, now)
    for _ in range(bounces):
        await h.record(HealthEvent.HARD_BOUNCE, now)
    for _ in range(complaints):
        await h.record(HealthEvent.COMPLAINT, now)


async def test_bounce_rate_above_threshold_pauses_with_reason() -> None:
    h, _ = make()
    await send(h, 100, T0, bounces=3)  # exactly 3 %: not above
    assert (await h.can_send(T0)).allowed
    gate = await h.record(HealthEvent.HARD_BOUNCE, T0 + 1)
    assert gate.allowed is False and gate.state == "paused" and "bounce_rate" in (gate.reason or "")
    status = await h.status(T0 + 2)
    assert status.paused is not None
    assert status.paused.reason == "bounce_rate"
    assert status.paused.rate == pytest.approx(0.04)
    assert status.paused.at == T0 + 1 and status.paused.sends == 100
    assert status.score == 0


async def test_complaint_rate_pauses() -> None:
    h, _ = make()
    await send(h, 100, T0)
    gate = await h.record(HealthEvent.COMPLAINT, T0)  # 1 % > 0.3 %
    assert gate.state == "paused"
    assert (await h.status(T0)).paused.reason == "complaint_rate"  # type: ignore[union-attr]


async def test_min_sends_guard() -> None:
    h, _ = make()
    await send(h, 19, T0, bounces=5)
    assert (await h.can_send(T0)).allowed
    await send(h, 1, T0)  # the 20th send crosses the guard: 5/20 = 25 %
    assert (await h.can_send(T0)).state == "paused"


async def test_configure_changes_thresholds() -> None:
    h, _ = make()
    cfg = await h.configure(ConfigureRequest(bounce_threshold=0.5, min_sends=5))
    assert cfg.bounce_threshold == 0.5 and cfg.min_sends == 5 and cfg.complaint_threshold == 0.003
    await send(h, 5, T0, bounces=2)
    assert (await h.can_send(T0)).allowed
    await send(h, 0, T0, bounces=1)
    assert (await h.can_send(T0)).state == "paused"


async def test_rolling_window_drops_old_days() -> None:
    h, storage = make()
    await send(h, 20, T0, bounces=0)
    await h.record(HealthEvent.SOFT_BOUNCE, T0)
    status = await h.status(T0 + 6 * DAY)
    assert status.window.sent == 20  # 7 days including today
    assert (await h.status(T0 + 7 * DAY)).window.sent == 0
    await send(h, 1, T0 + 8 * DAY)
    days = [k for k in storage.data if k.startswith(DAY_PREFIX)]
    assert days == [DAY_PREFIX + "2026-01-13"]  # the old bucket was deleted
    # old bounces out of the window no longer count
    h2, _ = make()
    await send(h2, 20, T0, bounces=0)
    await send(h2, 0, T0, bounces=0)
    await send(h2, 20, T0 + 8 * DAY)
    assert (await h2.status(T0 + 8 * DAY)).counted.sent == 20


async def test_bounces_spread_over_days_count_together() -> None:
    h, _ = make()
    await send(h, 50, T0, bounces=1)
    await send(h, 50, T0 + 3 * DAY, bounces=2)
    assert (await h.can_send(T0 + 3 * DAY)).allowed  # 3/100 = 3 %
    await send(h, 0, T0 + 4 * DAY, bounces=1)
    assert (await h.can_send(T0 + 4 * DAY)).state == "paused"


async def test_grace_period_prevents_pause_loop() -> None:
    h, _ = make()
    await send(h, 20, T0, bounces=5)
    assert (await h.can_send(T0)).state == "paused"
    status = await h.resume(T0 + 60, "ops@jengu")
    assert status.paused is None and status.in_grace and status.resume and status.resume.by == "ops@jengu"
    assert status.last_pause and status.last_pause.reason == "bounce_rate"
    # more events right after the resume do not re-pause on the old bounces
    await send(h, 5, T0 + 120)
    assert (await h.can_send(T0 + 120)).allowed
    # nor when the grace period ends while the old day is still in the window
    await send(h, 15, T0 + DAY + 60)
    assert (await h.can_send(T0 + DAY + 60)).allowed
    assert (await h.status(T0 + DAY + 60)).counted.sent == 20
    # fresh bad sends do pause again
    await send(h, 0, T0 + DAY + 120, bounces=1)
    assert (await h.can_send(T0 + DAY + 120)).state == "paused"


async def test_resume_without_grace_counts_the_whole_window() -> None:
    h, _ = make()
    await h.configure(ConfigureRequest(grace_s=0))
    await send(h, 20, T0, bounces=5)
    await h.resume(T0 + 1, "ops")
    assert (await h.can_send(T0 + 1)).allowed
    await send(h, 1, T0 + 2)
    assert (await h.can_send(T0 + 2)).state == "paused"


async def test_circuit_breaker_transitions() -> None:
    h, storage = make()
    for i in range(4):
        await h.record(HealthEvent.TRANSPORT_FAILURE, T0 + i)
    assert (await h.can_send(T0 + 4)).state == "ok"
    await h.record(HealthEvent.TRANSPORT_SUCCESS, T0 + 5)  # resets the streak
    for i in range(5):
        gate = await h.record(HealthEvent.TRANSPORT_FAILURE, T0 + 10 + i)
    assert gate.state == "circuit_open" and not gate.allowed
    assert storage.alarm == (T0 + 14 + 900) * 1000
    assert (await h.can_send(T0 + 100)).state == "circuit_open"
    await h.alarm()  # no clock needed
    first = await h.can_send(T0 + 14 + 900)
    assert first.allowed and first.state == "half_open"
    second = await h.can_send(T0 + 14 + 901)
    assert not second.allowed and second.state == "half_open"
    await h.record(HealthEvent.TRANSPORT_SUCCESS, T0 + 14 + 902)
    assert (await h.can_send(T0 + 14 + 903)).state == "ok"
    assert (await h.status(T0 + 14 + 903)).circuit.consecutive_failures == 0


async def test_half_open_failure_reopens_with_fresh_cooldown() -> None:
    h, storage = make()
    for _ in range(5):
        await h.record(HealthEvent.TRANSPORT_FAILURE, T0)
    await h.alarm()
    assert (await h.can_send(T0 + 900)).allowed
    gate = await h.record(HealthEvent.TRANSPORT_FAILURE, T0 + 905)
    assert gate.state == "circuit_open"
    assert storage.alarm == (T0 + 905 + 900) * 1000
    status = await h.status(T0 + 906)
    assert status.circuit.state == "open" and status.circuit.half_open_at == T0 + 1805


async def test_late_alarm_still_lets_a_probe_through_and_lost_probe_is_reissued() -> None:
    h, _ = make()
    for _ in range(5):
        await h.record(HealthEvent.TRANSPORT_FAILURE, T0)
    assert (await h.can_send(T0 + 901)).allowed  # cool-down passed, alarm not run yet
    assert not (await h.can_send(T0 + 902)).allowed
    assert (await h.can_send(T0 + 901 + 900)).allowed  # the probe never reported: hand it out again


async def test_score_bounds_and_shape() -> None:
    h, _ = make()
    assert (await h.status(T0)).score == 100
    await send(h, 100, T0, bounces=2)
    assert 0 < (await h.status(T0)).score < 100
    cfg = HealthConfig()
    worst = health_score(
        {"sent": 20, "hard_bounce": 20, "complaint": 20},
        {"state": "open", "consecutive_failures": 99},
        cfg,
        paused=False,
    )
    assert worst == 0
    assert health_score({}, {"state": "closed", "consecutive_failures": 0}, cfg, paused=False) == 100


EVENTS = st.sampled_from([*HealthEvent, "can_send", "resume", "alarm"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(EVENTS, st.floats(min_value=0, max_value=3 * DAY)), max_size=60))
def test_property_score_in_bounds_and_paused_never_sends(steps: list[tuple[Any, float]]) -> None:
    async def run() -> None:
        h, _ = make()
        await h.configure(ConfigureRequest(min_sends=3))
        now = T0
        for action, dt in sorted(steps, key=lambda s: s[1]):
            now = T0 + dt
            if action == "can_send":
                await h.can_send(now)
            elif action == "resume":
                await h.resume(now, "prop")
            elif action == "alarm":
                await h.alarm()
            else:
                await h.record(action, now)
            status = await h.status(now)
            assert 0 <= status.score <= 100
            if status.paused is not None:
                gate = await h.can_send(now)
                assert gate.allowed is False and gate.state == "paused"

    asyncio.run(run())
