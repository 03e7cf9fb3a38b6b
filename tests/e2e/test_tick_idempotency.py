"""Ticks under repetition and concurrency (property test over the real local runtime): no (enrollment, step) is ever
enqueued to `compose` twice, no inbox is reserved beyond its daily or hourly cap, and every step still gets composed
once when the ticks keep coming."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.dispatch import QUEUE_HANDLERS
from local.clock import ManualClock
from local.runtime import LocalRuntime
from local.server import create_dev_app
from shared.bootstrap import bootstrap
from shared.messages.queues import QueueName
from shared.service_layer.scheduling.tick import CLAIM_LEASE
from tests.e2e.conftest import ROOT, TEST_API_KEY
from tests.e2e.helpers import rows, start_outreach, template_step

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday; London is on UTC in December
PROSPECTS = 12
DAILY, HOURLY = 12, 3

Op = tuple[str, int]
ops = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.integers(1, 3)),  # that many ticks at once
        st.tuples(st.just("drain"), st.just(0)),
        st.tuples(st.just("advance"), st.integers(1, 240)),  # minutes
    ),
    min_size=3,
    max_size=14,
)


def people() -> bytes:
    lines = ["email,first_name,last_name,company,location\r\n"]
    lines += [f'p{i}@hotel{i}.example,Anna{i},Keller,Hotel {i},"London, United Kingdom"\r\n' for i in range(PROSPECTS)]
    return "".join(lines).encode()


async def scenario(steps: list[Op], tmp: Path, *, drain_within_lease: bool = True) -> None:
    clock = ManualClock(START)
    dev_vars = tmp / ".dev.vars"
    secret = "k" * 40
    dev_vars.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nAPI_KEY={TEST_API_KEY}\nRATE_LIMIT_ENABLED=false\nUNSUBSCRIBE_SECRET={secret}\n"
    )
    runtime = LocalRuntime(ROOT, state_dir=tmp / "state", clock=clock, dev_vars=dev_vars, smtp_sink_port=0)
    await runtime.start(migrate=True)
    composed: list[tuple[str, int, str, float]] = []
    real = QUEUE_HANDLERS[QueueName.COMPOSE]["compose.requested"]

    async def spy(payload: Any, envelope: Any, services: Any) -> None:
        reserved_at = envelope.created_at.timestamp()  # the tick that reserved this send's capacity
        composed.append((payload.enrollment_id, payload.step, payload.inbox_id, reserved_at))
        await real(payload, envelope, services)

    QUEUE_HANDLERS[QueueName.COMPOSE]["compose.requested"] = spy
    try:
        transport = httpx.ASGITransport(app=create_dev_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as http:
            step = template_step("Hello {{ first_name }}, a short note for {{ company }}.")
            inbox, _, _ = await start_outreach(
                http, AUTH, csv=people(), steps=[step, {**step, "delay": 0}],
                inbox={"email": "a@jengu-demo.test", "postal_address": "1 Demo Street, London", "daily_cap": DAILY,
                       "hourly_cap": HOURLY, "warmup": {"enabled": False, "target": DAILY},
                       "send_window": {"start": "08:00", "end": "18:00"}},
                settings={"timezone": "UTC", "window": {"weekdays": ["mon", "tue", "wed", "thu", "fri"],
                                                        "start": "00:00", "end": "24:00"}},
            )  # fmt: skip

            async def tick() -> None:
                response = await http.post("/api/admin/trigger-send", headers=AUTH)
                assert response.status_code == 200, response.text

            services = bootstrap(runtime.env)
            peak = {"day": 0, "hour": 0}

            async def capacity_held() -> None:
                """WarmupManager is the one counter of capacity: never more held (sent + reserved) than the caps."""
                status = await services.warmup.status(inbox["id"], clock.now())
                assert status.sent + status.reserved <= status.day_limit <= DAILY, status
                assert status.hour_sent + status.hour_reserved <= HOURLY, status
                peak["day"] = max(peak["day"], status.sent + status.reserved)
                peak["hour"] = max(peak["hour"], status.hour_sent + status.hour_reserved)

            drained_at = clock.now()
            for kind, n in steps:
                await capacity_held()
                if kind == "tick":
                    await asyncio.gather(*(tick() for _ in range(n)))
                elif kind == "drain":
                    await runtime.drain()
                    drained_at = clock.now()
                else:
                    if drain_within_lease and clock.now() + 60.0 * n - drained_at >= CLAIM_LEASE.total_seconds():
                        await runtime.drain()  # the compose consumer runs within a claim's lease (see tick.py)
                        drained_at = clock.now() + 60.0 * n
                    clock.advance(60.0 * n)
            await runtime.drain()
            await capacity_held()

        keys = Counter((enrollment, step_no) for enrollment, step_no, _, _ in composed)
        if drain_within_lease:
            assert max(keys.values(), default=1) == 1, keys.most_common(3)
        sent = await rows(runtime, "SELECT sent_at FROM emails WHERE status = 'sent'")
        per_hour = Counter(datetime.fromisoformat(r["sent_at"]).timestamp() // 3600 for r in sent)
        assert max(per_hour.values(), default=0) <= HOURLY, per_hour  # London is on UTC in December
        per_day = Counter(datetime.fromisoformat(r["sent_at"]).date() for r in sent)
        assert max(per_day.values(), default=0) <= DAILY, per_day
        emails = await rows(runtime, "SELECT send_key FROM emails")
        assert len(emails) == len({e["send_key"] for e in emails}) == len(keys)  # one email per step, always
    finally:
        QUEUE_HANDLERS[QueueName.COMPOSE]["compose.requested"] = real
        await runtime.close()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=ops)
def test_ticks_never_enqueue_a_step_twice_nor_over_reserve(steps: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(scenario(steps, Path(tmp)))


def test_repeated_ticks_over_a_day_compose_every_step_exactly_once() -> None:
    day = [("tick", 2), ("drain", 0), ("advance", 60)] * 20
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(scenario(day, Path(tmp)))


def test_a_consumer_outage_longer_than_the_lease_still_composes_each_step_once() -> None:
    outage = [("tick", 1), ("advance", 240), ("advance", 240), ("tick", 2), ("drain", 0), ("tick", 1), ("drain", 0)]
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(scenario(outage, Path(tmp), drain_within_lease=False))
