"""The `jengu` commands end to end against the local runtime: prospects, campaigns, inboxes, status, the emergency
stop, replies, suppressions, enrich, and the one-line errors with their exit codes."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.cli import TEST_API_KEY, Jengu, cli_runtime
from tests.samples import CSV_SAMPLES

SAMPLE = CSV_SAMPLES / "prospects_sample.csv"
INBOX = {"email": "maya@jengu-demo.test", "display_name": "Maya", "timezone": "Europe/London",
         "postal_address": "1 Demo Street, London", "dkim_selector": "jengu", "warmup": {"enabled": False}}  # fmt: skip


@pytest.fixture
async def jengu(tmp_path: Path) -> AsyncIterator[Jengu]:
    async with cli_runtime(tmp_path) as runtime:
        cli = Jengu(runtime, TEST_API_KEY, tmp_path)
        assert (await cli("import", str(SAMPLE))).code == 0
        yield cli


async def _inbox(jengu: Jengu) -> str:
    assert jengu.runtime is not None
    from local.server import create_dev_app

    transport = httpx.ASGITransport(app=create_dev_app(jengu.runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as http:
        created = await http.post("/api/inboxes", json=INBOX, headers={"Authorization": f"Bearer {TEST_API_KEY}"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_prospects_list_show_export(jengu: Jengu, tmp_path: Path) -> None:
    listed = await jengu("prospects", "list", "--country", "DE", "--json")
    assert listed.code == 0
    items = listed.json()["items"]
    assert items and {p["country"] for p in items} == {"DE"}
    table = await jengu("prospects", "list", "--country", "DE")
    assert all(p["id"] in table.out for p in items) and "Hannah" in table.out
    shown = await jengu("prospects", "show", items[0]["id"])
    assert shown.code == 0 and items[0]["email"] in shown.out and "activities" in shown.out
    exported = tmp_path / "de.csv"
    done = await jengu("prospects", "export", "--country", "DE", "-o", str(exported))
    assert done.code == 0 and f"{len(items)} prospects written to {exported}" in done.out
    rows = list(csv.DictReader(exported.read_text(encoding="utf-8-sig").splitlines()))
    assert sorted(r["id"] for r in rows) == sorted(p["id"] for p in items)
    to_stdout = await jengu("prospects", "export", "--country", "DE")
    assert to_stdout.out.lstrip("\ufeff").startswith("id,first_name")


async def test_campaign_flow_create_activate_pause_stats(jengu: Jengu, tmp_path: Path) -> None:
    inbox_id = await _inbox(jengu)
    spec = tmp_path / "winter.json"
    variant = {"key": "A", "subject": "Hi", "body": "Hi {{ first_name }}\n\n{{ sender.name }}"}
    body = {"name": "Winter", "inbox_ids": [inbox_id], "steps": [{"kind": "template", "variants": [variant]}]}
    spec.write_text(json.dumps(body))
    created = await jengu("campaigns", "create-from", str(spec), "--json")
    assert created.code == 0, created.err
    campaign_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    activated = await jengu("campaigns", "activate", campaign_id)
    assert activated.code == 0 and f"campaign {campaign_id} (Winter) is active" in activated.out
    paused = await jengu("campaigns", "pause", campaign_id, "--json")
    assert paused.json()["status"] == "paused"
    again = await jengu("campaigns", "activate", campaign_id, "--json")  # paused -> resume
    assert again.code == 0 and again.json()["status"] == "active"
    listed = await jengu("campaigns", "list")
    assert campaign_id in listed.out and "active" in listed.out
    shown = await jengu("campaigns", "show", campaign_id)
    assert "steps" in shown.out and "Hi" in shown.out
    stats = await jengu("campaigns", "stats", campaign_id, "--json")
    assert stats.json()["campaign_id"] == campaign_id and stats.json()["emails"]["total"] == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    refused = await jengu("campaigns", "create-from", str(bad))
    assert refused.code == 2 and refused.err.startswith("error: bad_file: ")


async def test_inboxes_status_and_emergency_stop(jengu: Jengu) -> None:
    inbox_id = await _inbox(jengu)
    listed = await jengu("inboxes", "list", "--json")
    assert [i["id"] for i in listed.json()["items"]] == [inbox_id]
    health = await jengu("inboxes", "status")
    assert health.code == 0 and "maya@jengu-demo.test" in health.out and "warmup" in health.out
    resumed = await jengu("inboxes", "resume", inbox_id, "--json")
    assert resumed.code == 0 and resumed.json()["inbox"]["status"] == "active"
    status = await jengu("status", "--json")
    assert status.code == 0, status.err
    body = status.json()
    assert body["health"]["status"] == "ok" and body["emergency_stop"]["enabled"] is False
    assert "queue:imports" in body["health"]["components"] and body["rate_limits"]["limits"]
    on = await jengu("emergency-stop", "on")
    assert on.code == 0 and "emergency stop: ON" in on.out
    shown = await jengu("status")
    assert "emergency stop: ON" in shown.out and "queues" in shown.out and "rate limits" in shown.out
    off = await jengu("emergency-stop", "off", "--json")
    assert off.json()["enabled"] is False
    current = await jengu("emergency-stop")
    assert "emergency stop: off" in current.out


async def test_replies_suppressions_and_enrich(jengu: Jengu) -> None:
    replies = await jengu("replies", "--intent", "interested", "--intent", "question", "--json")
    assert replies.code == 0 and replies.json() == {"items": []}
    supp = await jengu("suppressions", "--json")
    assert supp.code == 0 and supp.json() == {"items": []}
    assert (await jengu("suppressions", "list")).code == 0
    listed = (await jengu("prospects", "list", "--json")).json()["items"]
    enriched = await jengu("enrich", "--id", listed[0]["id"], "--interval", "1")
    assert enriched.code == 0, enriched.err
    assert "1 of 1 prospects queued for enrichment" in enriched.err
    assert any(line.startswith("enrich: ") for line in enriched.err.splitlines())
    assert "coverage" in enriched.out
    refused = await jengu("enrich")
    assert refused.code == 2
    assert refused.err == "error: usage: say which prospects: --id ID ... or a filter such as --stage new\n"


async def test_errors_are_one_line_with_the_apis_code(jengu: Jengu) -> None:
    missing = await jengu("prospects", "show", "nope")
    assert (missing.code, missing.err) == (1, "error: not_found: prospect nope does not exist\n")
    invalid = await jengu("prospects", "list", "--stage", "bogus")
    assert invalid.code == 1 and invalid.err.startswith("error: validation_failed: request validation failed (")
    assert "query.stage" in invalid.err and invalid.err.count("\n") == 1
    denied = await jengu("status", key="wrong-key")
    assert (denied.code, denied.err) == (1, "error: unauthorized: invalid API key\n")
    usage = await jengu("campaigns", "frobnicate")
    assert usage.code == 2 and usage.err.startswith("error: usage: ") and "Traceback" not in usage.err


async def test_an_unreachable_server_exits_3(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    cli = Jengu(None, "k", tmp_path, transport=httpx.MockTransport(refuse))
    result = await cli("status")
    assert result.code == 3
    assert result.err == "error: unreachable: cannot reach http://127.0.0.1:8787: connection refused\n"
    bad_gateway = httpx.MockTransport(lambda r: httpx.Response(502, text="bad gateway"))
    failing = Jengu(None, "k", tmp_path, transport=bad_gateway)
    result = await failing("prospects", "list")
    assert (result.code, result.err) == (3, "error: http_502: Bad Gateway\n")
