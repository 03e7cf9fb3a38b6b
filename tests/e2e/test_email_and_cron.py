"""The email and scheduled handlers through wrangler's local endpoints (and the SMTP listener)."""

from __future__ import annotations

import json

import aiosmtplib
import httpx
import pytest

from local.email import InboundSmtpServer
from local.runtime import LocalRuntime
from scheduler.jobs import CRON_JOBS
from tests.e2e.conftest import BOTH_D1_BACKENDS
from tests.e2e.helpers import rows
from tests.samples import INTERESTED_REPLY as REPLY


@BOTH_D1_BACKENDS
async def test_email_endpoint_stores_raw_then_queue_parses_it(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    response = await http.post(
        "/cdn-cgi/handler/email",
        params={"from": "gm@grand-hotel.example", "to": "sales@jengu.test"},
        content=REPLY,
    )
    assert response.status_code == 200, response.text
    [stored] = await rows(runtime, "SELECT id, mail_from, rcpt_to, raw_size, status FROM inbound_messages")
    assert (stored["mail_from"], stored["rcpt_to"], stored["raw_size"]) == (
        "gm@grand-hotel.example",
        "sales@jengu.test",
        len(REPLY),
    )
    assert stored["status"] == "received"
    assert runtime.queue_stats()["inbound"]["pending"] == 1

    await runtime.drain()
    [parsed] = await rows(runtime, "SELECT status, subject, message_id, classification FROM inbound_messages")
    assert parsed["status"] == "processed"  # parsed, classified, matched (nothing here: we never mailed them)
    assert parsed["message_id"] and parsed["classification"] == "reply"
    assert runtime.queue_stats()["inbound"]["pending"] == 0


async def test_the_same_email_delivered_twice_is_stored_once(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    params = {"from": "gm@grand-hotel.example", "to": "sales@jengu.test"}
    for _ in range(2):
        assert (await http.post("/cdn-cgi/handler/email", params=params, content=REPLY)).status_code == 200
    assert len(await rows(runtime, "SELECT id FROM inbound_messages")) == 1
    assert len(await rows(runtime, "SELECT inbound_id FROM inbound_message_chunks")) == 1


@BOTH_D1_BACKENDS
async def test_large_email_round_trips_through_chunks(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    big = REPLY + b"\r\n" + (b"A" * 76 + b"\r\n") * 40_000  # ~3 MB: several chunks
    params = {"from": "gm@grand-hotel.example", "to": "sales@jengu.test"}
    assert (await http.post("/cdn-cgi/handler/email", params=params, content=big)).status_code == 200
    [row] = await rows(runtime, "SELECT id, raw_chunks FROM inbound_messages")
    assert row["raw_chunks"] > 1
    from shared.bootstrap import bootstrap

    assert await bootstrap(runtime.env).inbound.raw(row["id"]) == big


@pytest.mark.parametrize(
    ("params", "body", "status"),
    [
        ({"to": "sales@jengu.test"}, REPLY, 400),
        ({"from": "not-an-address", "to": "sales@jengu.test"}, REPLY, 400),
        ({"from": "a@example.com", "to": "sales@jengu.test"}, b"", 400),
    ],
)
async def test_email_endpoint_rejects_bad_input(
    http: httpx.AsyncClient, runtime: LocalRuntime, params: dict[str, str], body: bytes, status: int
) -> None:
    response = await http.post("/cdn-cgi/handler/email", params=params, content=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "bad_request"
    assert await rows(runtime, "SELECT id FROM inbound_messages") == []


async def test_smtp_listener_runs_the_same_email_handler(runtime: LocalRuntime) -> None:
    async with InboundSmtpServer(runtime.email, port=0) as server:
        await aiosmtplib.send(
            REPLY, sender="gm@grand-hotel.example", recipients=["sales@jengu.test"], hostname="127.0.0.1",
            port=server.port,
        )  # fmt: skip
    [stored] = await rows(runtime, "SELECT rcpt_to FROM inbound_messages")
    assert stored["rcpt_to"] == "sales@jengu.test"


@pytest.mark.parametrize("cron", list(CRON_JOBS))
async def test_scheduled_endpoint_runs_each_trigger(
    http: httpx.AsyncClient, cron: str, capsys: pytest.CaptureFixture[str]
) -> None:
    response = await http.post("/cdn-cgi/handler/scheduled", params={"cron": cron})
    assert response.status_code == 200
    assert response.text == "Ran scheduled event"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    job_lines = [line for line in lines if line.get("cron") == cron and line.get("span", "").startswith("cron job")]
    assert {line["span"] for line in job_lines} == {f"cron job {job.__name__}" for job in CRON_JOBS[cron]}
    assert all(line["component"] == "scheduler" and line["trace_id"] for line in job_lines)


async def test_scheduled_endpoint_refuses_an_undeclared_cron(http: httpx.AsyncClient) -> None:
    response = await http.get("/cdn-cgi/handler/scheduled", params={"cron": "1 2 3 4 5"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_cron"


async def test_crons_fire_in_real_time_order_when_the_clock_moves(runtime: LocalRuntime, clock, capsys) -> None:  # type: ignore[no-untyped-def]
    clock.advance(600)  # 09:00 -> 09:10 on a Monday: "* * * * *" ten times, "*/5 * * * MON-SAT" twice
    await runtime.run_due()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    fired = [line["cron"] for line in lines if line.get("span", "").startswith("cron job")]
    assert fired.count("* * * * *") == 10
    assert fired.count("*/5 * * * MON-SAT") == 2
    assert "0 7 * * *" not in fired
