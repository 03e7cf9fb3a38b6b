"""Sending throughput on the local runtime: emails per second through compose (template) + send to the local SMTP
sink, beside a plain loop that sends the same messages with an SMTP client to the same sink (the raw baseline), and
the D1 statements per email sent (the send consumer's budget per invocation)."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib

from bench.scheduler import _TimedD1
from local.clock import ManualClock
from local.email.smtp_sink import SmtpSink
from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
EMAILS = 300


def _people(n: int) -> bytes:
    rows = ["email,first_name,company,location\r\n"]
    rows += [f'anna{i}@hotel{i}.example,Anna,Hotel {i},"London, United Kingdom"\r\n' for i in range(n)]
    return "".join(rows).encode()


async def run(tmp: Path, figure: Callable[[str], None]) -> None:
    sink = SmtpSink(tmp / "bench-outbox", port=0)
    await sink.start()
    runtime = await LocalRuntime(
        ROOT, state_dir=tmp / "sending-state", clock=ManualClock(NOW), smtp_sink_port=sink.port,
        extra_vars={"LOG_LEVEL": "error", "APP_ENV": "test", "UNSUBSCRIBE_SECRET": "b" * 40,
                    "RATE_LIMIT_ENABLED": "false", "ENRICH_ON_CREATE": "false"},
    ).start(migrate=True)  # fmt: skip
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            await _setup(runtime)
            timed = _TimedD1(runtime.env.DB)  # type: ignore[union-attr]
            runtime.env.DB = timed  # type: ignore[union-attr]
            services = bootstrap(runtime.env)
            services = bootstrap(
                runtime.env, settings=services.settings.model_copy(update={"scheduler_max_per_tick": 1000})
            )
            started = time.perf_counter()
            await services.send_tick.run(NOW)
            tick_statements = timed.statements
            await runtime.drain()
            elapsed = time.perf_counter() - started
        sent = len(sink.written)
        raws = [path.read_bytes() for path in sink.written]
        started = time.perf_counter()
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port)
        await smtp.connect()
        for n, raw in enumerate(raws):
            await smtp.sendmail("bench@jengu-demo.test", [f"anna{n}@hotel{n}.example"], raw)
        await smtp.quit()
        baseline = len(raws) / (time.perf_counter() - started)
        rate = sent / elapsed if elapsed else 0.0
        per_email = (timed.statements - tick_statements) / sent if sent else 0.0
        figure(f"sending: {sent} emails tick+compose+send in {elapsed:.2f} s = {rate:6.1f} emails/s; plain SMTP loop "
               f"{baseline:7.1f}/s (ratio {rate / baseline:.3f}); {per_email:.1f} D1 statements per email after the "
               f"tick ({tick_statements} for the tick)")  # fmt: skip
    finally:
        await runtime.close()
        await sink.stop()


async def _setup(runtime: LocalRuntime) -> None:
    import httpx

    from local.server import create_dev_app

    key = "bench_key_0123456789"
    runtime.env.API_KEY = key  # type: ignore[union-attr]
    auth = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_dev_app(runtime)),
                                 base_url="http://127.0.0.1:8787") as http:  # fmt: skip
        await http.post("/api/prospects/import", content=_people(EMAILS), headers={**auth, "Content-Type": "text/csv"})
        inbox = (await http.post("/api/inboxes", headers=auth, json={
            "email": "bench@jengu-demo.test", "postal_address": "1 Bench Street, London", "daily_cap": 10_000,
            "hourly_cap": 1_000, "warmup": {"enabled": False, "target": 10_000},
            "send_window": {"start": "00:00", "end": "23:59"},
        })).json()  # fmt: skip
        step = {
            "kind": "template",
            "variants": [
                {
                    "key": "A",
                    "subject": "A question for {{ company }}",
                    "body": "Hi {{ first_name }},\n\ncould we help {{ company }}?\n\nM.",
                }
            ],
        }
        campaign = (await http.post("/api/campaigns", headers=auth, json={
            "name": "bench", "inbox_ids": [inbox["id"]], "steps": [step],
            "settings": {"window": {"weekdays": ["mon", "tue", "wed", "thu", "fri"], "start": "00:00",
                                    "end": "24:00"}},
        })).json()  # fmt: skip
        await http.post(f"/api/campaigns/{campaign['id']}/activate", headers=auth)
        await http.post(
            f"/api/campaigns/{campaign['id']}/enrollments", headers=auth, json={"filter": {"country": ["GB"]}}
        )
        await runtime.drain()
