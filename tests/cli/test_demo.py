"""`jengu demo` end to end against the local runtime in-process: the enrichment fakes, the SMTP sink, a Wednesday
clock; every wait drains the runtime. What it prints, and what it left: sent emails in the outbox, a stopped
sequence for the interested reply, a paused one for the out-of-office, suppressions for the bounce and the
unsubscribe; a second run on the same database does it all again with new recipients."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.demo.samples import cast
from local.clock import ManualClock
from local.email.smtp_sink import SmtpSink
from local.fakes.enrichment import EnrichmentFakes
from local.runtime import LocalRuntime
from tests.cli import ROOT, TEST_API_KEY, Jengu
from tests.e2e.helpers import rows
from tests.e2e.test_sending_flow import SECRET, WEDNESDAY
from tests.samples import SAMPLES_DIR


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Jengu, LocalRuntime, SmtpSink]]:
    sink = SmtpSink(tmp_path / "outbox", port=0)
    await sink.start()
    async with EnrichmentFakes() as fakes:
        settings = {
            "APP_ENV": "test", "LOG_LEVEL": "warning", "API_KEY": TEST_API_KEY, "UNSUBSCRIBE_SECRET": SECRET,
            "PUBLIC_BASE_URL": "https://jengu.test", **fakes.worker_vars(),
            "RATE_LIMIT_PROVIDERS": json.dumps({"provider:brave": {"capacity": 20, "refill_per_s": 20}}),
        }  # fmt: skip
        dev_vars = tmp_path / ".dev.vars"
        dev_vars.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        runtime = LocalRuntime(ROOT, state_dir=tmp_path / "state", clock=ManualClock(WEDNESDAY), dev_vars=dev_vars,
                               smtp_sink_port=sink.port)  # fmt: skip
        await runtime.start(migrate=True)
        try:
            jengu = Jengu(runtime, TEST_API_KEY, tmp_path, env={"JENGU_SAMPLES_DIR": str(SAMPLES_DIR)})
            yield jengu, runtime, sink
        finally:
            await runtime.close()
            await sink.stop()


def _step(out: str, n: int) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(f"[{n}/6]")]


async def test_the_demo_runs_the_whole_loop_and_leaves_what_it_says(world: Any) -> None:
    jengu, runtime, sink = world
    result = await jengu("demo", "--interval", "0.5")
    assert result.code == 0, result.err + result.out
    out = result.out
    prospects = await rows(runtime, "SELECT * FROM prospects")
    [imported] = _step(out, 2)[:1]
    assert f"{len(prospects)} created" in imported and "0 errors" in imported
    enriched = _step(out, 2)[1]
    with_email = [p for p in prospects if p["email"]]
    assert f"{len(with_email)} of {len(prospects)} demo prospects have an address" in enriched
    assert any(p["company_name"] == "Alpenrose Chalet Hotel" and p["email"] for p in prospects)  # enrichment found it

    emails = await rows(runtime, "SELECT * FROM emails")
    assert {e["status"] for e in emails} == {"sent", "bounced"}  # the bounce came after the send
    [enrolled] = _step(out, 3)
    assert f"{len(emails)} enrolled" in enrolled and "'Jengu demo #1'" in enrolled
    assert f"{len(emails)} emails sent, 0 not sent" in _step(out, 4)[0]
    assert len(sink.written) == len(emails) >= 4
    for e in emails:
        assert e["message_id"] in out  # the table shows the real Message-IDs

    people = {p.email: p for p in cast(1)}
    states = {r["email"]: r for r in await rows(
        runtime, "SELECT p.email, e.status, e.stop_reason, e.pause_reason, e.resume_at FROM enrollments e "
                 "JOIN prospects p ON p.id = e.prospect_id")}  # fmt: skip
    interested, ooo, bounced, unsubscribed = people
    assert states[interested]["status"] == "stopped"
    assert states[ooo]["status"] == "paused" and states[ooo]["pause_reason"] == "out_of_office"
    assert states[bounced]["status"] == "stopped" and states[unsubscribed]["status"] == "stopped"
    others = [s for a, s in states.items() if a not in people]
    assert others and all(s["status"] == "active" for s in others)  # the rest wait for their follow-up
    suppressions = await rows(runtime, "SELECT value, reason FROM suppressions WHERE kind = 'email'")
    assert {(s["value"], s["reason"]) for s in suppressions} == {
        (bounced, "hard_bounce"),
        (unsubscribed, "unsubscribe"),
    }
    assert "3 sequences stopped, 1 paused, 2 addresses suppressed" in _step(out, 5)[0]
    assert re.search(r"http://127\.0\.0\.1:8787/app/campaigns/\w+", out) and "/app/replies" in out and "/docs" in out


async def test_a_second_run_on_the_same_database_uses_new_recipients(world: Any) -> None:
    jengu, runtime, _ = world
    first = await jengu("demo", "--interval", "0.5")
    assert first.code == 0, first.err + first.out
    second = await jengu("demo", "--interval", "0.5", "--json")
    assert second.code == 0, second.err
    facts = second.json()
    assert facts["run"] == 2 and facts["sent"] == 4 and facts["import"]["errors_count"] == 0
    assert facts["replies"] == {"interested reply": "stopped", "out-of-office": "paused", "hard bounce": "stopped",
                                "unsubscribe": "stopped"}  # fmt: skip
    assert set(facts["suppressed"]) == {cast(2)[2].email, cast(2)[3].email}
    assert "'Jengu demo #2'" in second.err and "active_in_another_campaign" in second.err
    campaigns = await rows(runtime, "SELECT name, status FROM campaigns ORDER BY name")
    assert campaigns == [{"name": "Jengu demo #1", "status": "active"}, {"name": "Jengu demo #2", "status": "active"}]


async def test_a_server_that_is_not_the_local_runtime_is_one_line(world: Any) -> None:
    jengu, _, _ = world

    def deployed(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "no such route"}})

    jengu.transport = httpx.MockTransport(deployed)
    result = await jengu("demo")
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("error: not_local: http://127.0.0.1:8787 is not the local runtime")


async def test_a_step_that_does_not_finish_in_time_is_one_line(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    jengu, runtime, _ = world
    monkeypatch.setattr(runtime, "drain", _nothing)  # the queues never run: the import job never ends
    result = await jengu("demo", "--timeout", "5", "--interval", "1")
    assert result.code == 3
    assert result.err.splitlines() == [result.err.strip()]
    assert result.err.startswith("error: timeout: the import job ") and "did not complete within 5 s" in result.err


async def _nothing() -> None:
    return None


async def test_no_server_says_how_to_start_it(tmp_path: Path) -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    jengu = Jengu(None, TEST_API_KEY, tmp_path, transport=httpx.MockTransport(refused),
                  env={"JENGU_SAMPLES_DIR": str(SAMPLES_DIR)})  # fmt: skip
    result = await jengu("demo")
    assert result.code == 3
    assert result.err == "error: not_running: nothing answers at http://127.0.0.1:8787: start the local runtime " \
                         "with `make dev` (or pass --url)\n"  # fmt: skip
