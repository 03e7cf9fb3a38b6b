"""The send path under random interleavings (hypothesis over the real local runtime): duplicate deliveries, two
consumers at once, crashes before the send is recorded and after the transport accepted, transient, rate-limited,
soft and hard failures, policy refusals that pause the inbox, unsubscribes and replies arriving mid-flight.

Properties: every (enrollment, step) reaches the transport at most once; exactly once when the transport recovers
and nothing stopped it; no address is mailed after its suppression; no inbox exceeds its hourly or daily cap.
The transport is a scripted in-process fake (the SMTP, Graph, Resend and send_email mappings have their own tests
over real sockets and HTTP); crashes are exceptions at the two points a process can die around a send.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.clock import ManualClock
from local.runtime import LocalRuntime
from local.server import create_dev_app
from shared.bootstrap import bootstrap
from shared.messages.payloads import SendRequested
from shared.ports.mail import OutgoingEmail, SendOutcome, SendResult
from shared.service_layer.sending.send import SendService
from tests.e2e.conftest import ROOT, TEST_API_KEY
from tests.e2e.helpers import ALL_WEEK, rows, start_outreach, template_step

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
PEOPLE = 6
DAILY, HOURLY = 10, 4
SUPPRESS = (
    "INSERT INTO suppressions (id, kind, value, reason, source, created_at) VALUES (?, 'email', ?, 'unsubscribe',"
    " 'test', ?) ON CONFLICT DO NOTHING"
)
MODES = ("ok", "transient", "rate_limited", "full", "refused", "policy", "crash_after", "crash_before")


class Crash(Exception):
    """The process dies here (the queue redelivers the message later)."""


class ScriptedTransport:
    kind = "smtp"

    def __init__(self, world: World) -> None:
        self.world = world

    async def send(self, email: OutgoingEmail) -> SendResult:
        mode = self.world.mode
        if mode in ("ok", "crash_after"):
            self.world.delivered.append((email.idempotency_key or "", email.rcpt_to, self.world.clock.now()))
            if mode == "crash_after":
                self.world.mode = "ok"  # one crash, then the process comes back
                raise Crash("died after the transport accepted")
            return SendResult(SendOutcome.ACCEPTED, provider_id=email.message_id)
        outcome = {
            "transient": SendOutcome.TRANSIENT, "rate_limited": SendOutcome.RATE_LIMITED,
            "full": SendOutcome.MAILBOX_FULL, "refused": SendOutcome.RECIPIENT_REFUSED,
            "policy": SendOutcome.SENDER_PROBLEM,
        }[mode]  # fmt: skip
        return SendResult(outcome, code=450 if outcome is SendOutcome.TRANSIENT else 550, detail=mode)

    async def confirm(self, message_id: str) -> bool | None:
        return None  # like SMTP: cannot tell, so an interrupted send counts as sent


class World:
    def __init__(self, runtime: LocalRuntime, clock: ManualClock) -> None:
        self.runtime, self.clock = runtime, clock
        self.mode = "ok"
        self.delivered: list[tuple[str, str, float]] = []
        self.suppressed_at: dict[str, int] = {}  # address -> how many deliveries had happened when it was suppressed
        self.stopped: set[str] = set()


def people() -> bytes:
    lines = ["email,first_name,company,location\r\n"]
    lines += [f'p{i}@hotel{i}.example,Anna{i},Hotel {i},"London, United Kingdom"\r\n' for i in range(PEOPLE)]
    return "".join(lines).encode()


Op = tuple[str, Any]
ops = st.lists(
    st.one_of(
        st.tuples(st.just("deliver"), st.just(0)),
        st.tuples(st.just("mode"), st.sampled_from(MODES)),
        st.tuples(st.just("duplicate"), st.integers(0, 2 * PEOPLE - 1)),
        st.tuples(st.just("concurrent"), st.integers(0, 2 * PEOPLE - 1)),
        st.tuples(st.just("unsubscribe"), st.integers(0, PEOPLE - 1)),
        st.tuples(st.just("reply"), st.integers(0, PEOPLE - 1)),
        st.tuples(st.just("pause_inbox"), st.just(0)),
        st.tuples(st.just("resume_inbox"), st.just(0)),
        st.tuples(st.just("advance"), st.integers(1, 600)),  # minutes
        st.tuples(st.just("tick"), st.just(0)),
    ),
    min_size=4,
    max_size=25,
)


async def scenario(steps: list[Op], tmp: Path) -> None:
    clock = ManualClock(START)
    dev_vars = tmp / ".dev.vars"
    dev_vars.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nAPI_KEY={TEST_API_KEY}\nRATE_LIMIT_ENABLED=false\n"
        f"UNSUBSCRIBE_SECRET={'k' * 40}\n"
    )
    runtime = LocalRuntime(ROOT, state_dir=tmp / "state", clock=clock, dev_vars=dev_vars, smtp_sink_port=0)
    await runtime.start(migrate=True)
    world = World(runtime, clock)
    real_transport, real_capacity = SendService._transport, SendService._inbox_with_capacity

    async def capacity(self: SendService, row: dict[str, Any], now: datetime) -> Any:
        if world.mode == "crash_before":
            world.mode = "ok"
            raise Crash("died before the send was recorded")
        return await real_capacity(self, row, now)

    SendService._transport = lambda self, inbox: ScriptedTransport(world)  # type: ignore[method-assign]
    SendService._inbox_with_capacity = capacity  # type: ignore[method-assign]
    try:
        transport = httpx.ASGITransport(app=create_dev_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as http:
            step = template_step("Hello {{ first_name }}, a note for {{ company }}.")
            inbox, _, _ = await start_outreach(
                http, AUTH, csv=people(), steps=[step, {**step, "delay": 1}],
                inbox={"email": "a@jengu-demo.test", "postal_address": "1 Demo Street, London", "daily_cap": DAILY,
                       "hourly_cap": HOURLY, "warmup": {"enabled": False, "target": DAILY},
                       "send_window": {"start": "00:00", "end": "23:59"}},
                settings={"window": {"weekdays": ALL_WEEK, "start": "00:00", "end": "24:00"}},
            )  # fmt: skip
            await http.post("/api/admin/trigger-send", headers=AUTH)

            async def emails() -> list[dict[str, Any]]:
                return await rows(runtime, "SELECT id, send_key, to_address FROM emails ORDER BY send_key")

            async def deliver() -> None:
                with contextlib.suppress(RuntimeError):  # a crash left a message to redeliver after its back-off
                    await runtime.drain()

            for kind, arg in steps:
                if kind == "deliver":
                    await deliver()
                elif kind == "mode":
                    world.mode = arg
                elif kind in ("duplicate", "concurrent"):
                    found = await emails()
                    if found:
                        e = found[arg % len(found)]
                        msg = SendRequested(email_id=e["id"], send_key=e["send_key"])
                        services = bootstrap(runtime.env)
                        copies = 1 if kind == "duplicate" else 2
                        results = await asyncio.gather(
                            *(SendService(services).handle(msg, owner=f"{kind}-{n}") for n in range(copies)),
                            return_exceptions=True,
                        )
                        assert all(isinstance(r, str | Crash) for r in results), results
                elif kind == "unsubscribe":
                    address = f"p{arg}@hotel{arg}.example"
                    at = datetime.fromtimestamp(clock.now(), UTC).isoformat()
                    await runtime.env.DB.prepare(SUPPRESS).bind(f"s{arg}", address, at).run()  # type: ignore[union-attr]
                    world.suppressed_at.setdefault(address, len(world.delivered))  # deliveries before it are fine
                elif kind == "reply":
                    enrollment = await rows(
                        runtime,
                        "SELECT e.id FROM enrollments e JOIN prospects p ON p.id = "
                        "e.prospect_id WHERE p.email_normalized = ?",
                        f"p{arg}@hotel{arg}.example",
                    )
                    if enrollment:
                        await http.post(f"/api/enrollments/{enrollment[0]['id']}/stop", headers=AUTH,
                                        json={"reason": "replied"})  # fmt: skip
                        world.stopped.add(f"p{arg}@hotel{arg}.example")
                elif kind == "pause_inbox":
                    await http.post(f"/api/inboxes/{inbox['id']}/pause", headers=AUTH, json={"reason": "test"})
                elif kind == "resume_inbox":
                    await http.post(f"/api/inboxes/{inbox['id']}/resume", headers=AUTH)
                elif kind == "advance":
                    clock.advance(60.0 * arg)
                else:
                    await http.post("/api/admin/trigger-send", headers=AUTH)

            # Recovery: the transport works again and the inbox is active; time passes with ticks and deliveries.
            world.mode = "ok"
            await http.post(f"/api/inboxes/{inbox['id']}/resume", headers=AUTH)
            for _ in range(32):  # 8 days: past the longest soft-bounce schedule (24 h + 48 h + 72 h)
                clock.advance(6 * 3600.0)
                await http.post("/api/admin/trigger-send", headers=AUTH)
                await deliver()

        # At most once per (enrollment, step), whatever happened.
        per_key = Counter(key for key, _, _ in world.delivered)
        assert max(per_key.values(), default=1) == 1, per_key.most_common(3)
        # Never after a suppression.
        for index, (key, address, _) in enumerate(world.delivered):
            assert address not in world.suppressed_at or index < world.suppressed_at[address], (key, address)
        # Never above the caps (the hour and the day of each delivery).
        per_hour = Counter(int(at // 3600) for _, _, at in world.delivered)
        assert max(per_hour.values(), default=0) <= HOURLY, per_hour
        per_day = Counter(int(at // 86_400) for _, _, at in world.delivered)
        assert max(per_day.values(), default=0) <= DAILY, per_day
        # Exactly once when nothing stopped it: every stored email ended somewhere, and the sendable ones were sent.
        final = await rows(runtime, "SELECT send_key, to_address, status, last_outcome FROM emails")
        for email in final:
            assert email["status"] in ("sent", "bounced", "failed", "cancelled"), email
            if email["status"] == "sent":  # presumed_sent only follows a crash after the transport accepted
                assert per_key[email["send_key"]] == 1, email
            if email["status"] in ("bounced", "failed", "cancelled"):
                assert per_key[email["send_key"]] == 0, email
    finally:
        SendService._transport, SendService._inbox_with_capacity = real_transport, real_capacity  # type: ignore[method-assign]
        await runtime.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=ops)
def test_every_step_reaches_the_transport_at_most_once_and_never_after_a_suppression(steps: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(scenario(steps, Path(tmp)))


def test_a_crash_after_the_transport_accepted_is_reconciled_not_resent() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(scenario([("mode", "crash_after"), ("deliver", 0), ("deliver", 0), ("tick", 0)], Path(tmp)))
