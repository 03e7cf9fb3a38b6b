"""Enrichment end to end (issue 11, done-when): a lead file imported as a background job gets its websites, facts
and verified addresses from the local fakes (search APIs, hotel websites, DNS over HTTPS, verifiers) through the
`enrich` queue, and `GET /api/enrich/status` shows the progress, coverage, quota and cost figures that happened."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from local.clock import ManualClock
from local.fakes.enrichment import EnrichmentFakes
from local.runtime import LocalRuntime
from local.server import create_dev_app
from tests.e2e.conftest import ROOT, TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
LEADS = (
    "first_name,last_name,job_title,company_name,company_website,email,location\r\n"
    'Hannah,Fischer,Director of Sales,Hotel Sonnenhof,,,"Munich, Germany"\r\n'  # finds site, facts, address
    'James,O\'Connor,Owner,The Harbour Inn,harbourinn.example,,"Cork, Ireland"\r\n'  # catch-all domain
    'Maria,Huber,Direktorin,Alpenrose Chalet Hotel,,,"Innsbruck, Austria"\r\n'  # a parked look-alike on the way
    'Ana,Costa,Gerente,Casa do Rio,,,"Porto, Portugal"\r\n'  # the domain takes no mail
    'Tom,Reed,Manager,Seaside Lodge,,,"Brighton, United Kingdom"\r\n'  # its site redirects to a booking portal
    "Marco,Rossi,General Manager,Hotel Bellavista,bellavista-hotel.example,m.rossi@bellavista-hotel.example,"
    '"Florence, Italy"\r\n'  # has it all but an unverified address: checked, never replaced
)


@pytest.fixture
async def enriched_world(tmp_path: Path) -> AsyncIterator[tuple[LocalRuntime, httpx.AsyncClient, EnrichmentFakes]]:
    async with EnrichmentFakes() as fakes:
        dev_vars = tmp_path / ".dev.vars"
        settings = {
            "APP_ENV": "test", "LOG_LEVEL": "warning", "API_KEY": TEST_API_KEY, **fakes.worker_vars(),
            # Brave's 1 query/s would be waited for (the guard does): the monthly quota is what this test is about
            "RATE_LIMIT_PROVIDERS": json.dumps({"provider:brave": {"capacity": 20, "refill_per_s": 20}}),
        }  # fmt: skip
        dev_vars.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        runtime = LocalRuntime(ROOT, state_dir=tmp_path / "state", clock=ManualClock(), dev_vars=dev_vars,
                               smtp_sink_port=0)  # fmt: skip
        await runtime.start(migrate=True)
        try:
            transport = httpx.ASGITransport(app=create_dev_app(runtime))
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as http:
                yield runtime, http, fakes
        finally:
            await runtime.close()


async def _import(http: httpx.AsyncClient, runtime: LocalRuntime) -> dict[str, dict[str, Any]]:
    started = await http.post("/api/imports", content=LEADS.encode(), headers={**AUTH, "Content-Type": "text/csv"})
    assert started.status_code == 202, started.text
    await runtime.drain()
    found = await rows(runtime, "SELECT * FROM prospects")
    return {str(r["company_name"]): r for r in found}


async def test_an_import_job_ends_in_enriched_scored_prospects(enriched_world: Any) -> None:
    runtime, http, fakes = enriched_world
    by_hotel = await _import(http, runtime)

    sonnenhof = by_hotel["Hotel Sonnenhof"]
    assert sonnenhof["website"] == "https://sonnenhof-hotel.example"
    assert sonnenhof["website_source"].startswith("enrichment:")
    assert sonnenhof["email"] == "hannah.fischer@sonnenhof-hotel.example"
    assert (sonnenhof["email_status"], sonnenhof["email_check"], sonnenhof["email_source"]) == (
        "valid", "valid", "enrichment")  # fmt: skip
    assert sonnenhof["rooms"] == 48 and sonnenhof["stage"] == "ready" and sonnenhof["tier"] == "hot"
    assert sonnenhof["enrichment_status"] == "done"
    facts = {r["name"]: r for r in await rows(runtime, "SELECT * FROM prospect_facts WHERE prospect_id = ?",
                                                 sonnenhof["id"])}  # fmt: skip
    assert json.loads(facts["rooms"]["value"]) == 48 and facts["rooms"]["source_url"].startswith("https://")
    assert "spa" in json.loads(facts["features"]["value"])
    [trail] = await rows(runtime, "SELECT summary, data FROM activities WHERE prospect_id = ? AND type = ?",
                         sonnenhof["id"], "enrichment")  # fmt: skip
    entries = json.loads(trail["data"])["entries"]
    assert {e["provider"] for e in entries} >= {"brave", "site", "dns", "millionverifier"}
    assert any(e["outcome"] == "rejected" and "booking.com" in e["detail"] for e in entries)  # portals dropped

    harbour = by_hotel["The Harbour Inn"]
    assert harbour["email"] == "james.oconnor@harbourinn.example"
    assert (harbour["email_status"], harbour["email_check"]) == ("risky", "catch_all")  # never silently valid

    alpenrose = by_hotel["Alpenrose Chalet Hotel"]
    assert alpenrose["website"] == "https://alpenrose-innsbruck.example"  # not the parked hotel-alpenrose.example
    assert alpenrose["email"] == "maria.huber@alpenrose-innsbruck.example"

    casa = by_hotel["Casa do Rio"]
    assert casa["website"] == "https://casadorio-porto.example" and casa["email"] is None
    assert casa["enrichment_status"] == "partial"

    seaside = by_hotel["Seaside Lodge"]
    assert seaside["website"] is None and seaside["enrichment_status"] == "partial"

    rossi = by_hotel["Hotel Bellavista"]
    assert rossi["email"] == "m.rossi@bellavista-hotel.example" and rossi["email_source"] in (None, "import")
    assert (rossi["email_check"], rossi["email_status"]) == ("valid", "valid")

    status = (await http.get("/api/enrich/status", headers=AUTH)).json()
    assert status["prospects"]["total"] == 6
    assert status["prospects"]["done"] + status["prospects"]["partial"] == 6 and status["progress_pct"] == 100.0
    assert status["coverage"]["with_website"] == 5 and status["coverage"]["with_email"] == 4
    assert status["coverage"]["website_pct"] == round(100 * 5 / 6, 1)
    providers = {p["name"]: p for p in status["providers"]}
    brave = providers["brave"]
    assert brave["configured"] and brave["today"]["calls"] == len(fakes.search.requests["brave"])
    assert brave["today"]["credits"] == brave["today"]["calls"]
    assert brave["today"]["cost_usd"] == pytest.approx(0.005 * brave["today"]["calls"])
    assert brave["quota"]["monthly"] == 1000 and brave["quota"]["monthly_used"] == brave["today"]["calls"]
    mv = providers["millionverifier"]
    verifications = [r for r in fakes.verifiers.requests if r.vendor == "millionverifier"]
    assert mv["today"]["calls"] == len(verifications) > 0
    assert status["cost_usd"]["today"] == pytest.approx(sum(p["today"]["cost_usd"] for p in providers.values()))
    assert not providers["llm"]["configured"]


async def test_duplicate_delivery_pays_nothing_twice(enriched_world: Any) -> None:
    runtime, http, fakes = enriched_world
    by_hotel = await _import(http, runtime)
    searches = sum(len(v) for v in fakes.search.requests.values())
    checks = len(fakes.verifiers.requests)
    sonnenhof = by_hotel["Seaside Lodge"]  # partial: a second run asks again, from the caches
    runtime.env.ENRICH_QUEUE  # noqa: B018 - the binding exists
    await runtime.env.ENRICH_QUEUE.send(json.loads(json.dumps({
        "id": "dup-1", "type": "enrich.requested", "version": 1, "trace_id": "t", "created_at": "2026-01-05T00:00:00Z",
        "payload": {"prospect_id": sonnenhof["id"], "reason": "api"},
    })))  # fmt: skip
    await runtime.drain()
    assert sum(len(v) for v in fakes.search.requests.values()) == searches  # cached answers, no second search
    assert len(fakes.verifiers.requests) == checks
    trails = await rows(runtime, "SELECT id FROM activities WHERE prospect_id = ? AND type = 'enrichment'",
                        sonnenhof["id"])  # fmt: skip
    assert len(trails) == 2  # the second run is on the timeline too, and it cost nothing
    done = by_hotel["Hotel Sonnenhof"]
    again = await http.post("/api/enrich", headers=AUTH, json={"ids": [done["id"]]})
    assert again.status_code == 202 and again.json()["queued"] == 1
    await runtime.drain()
    assert len(await rows(runtime, "SELECT id FROM activities WHERE prospect_id = ? AND type = 'enrichment'",
                          done["id"])) == 1  # nothing missing any more: nothing done, nothing written  # fmt: skip


async def test_a_used_up_quota_moves_to_the_next_finder_and_stays_stopped(enriched_world: Any) -> None:
    runtime, http, fakes = enriched_world
    fakes.search.script(["quota_exhausted"], protocol="brave")
    by_hotel = await _import(http, runtime)
    assert by_hotel["Hotel Sonnenhof"]["website"] == "https://sonnenhof-hotel.example"
    assert len(fakes.search.requests["brave"]) == 1  # after the provider said so, nobody asked it again
    assert len(fakes.search.requests["google"]) >= 1
    status = (await http.get("/api/enrich/status", headers=AUTH)).json()
    brave = next(p for p in status["providers"] if p["name"] == "brave")
    assert brave["quota"]["exhausted_until"] is not None and brave["today"]["failures"] == 1
    assert any(f["provider"] == "brave" for f in status["recent_failures"])


async def test_a_prospect_created_through_the_api_is_enriched_and_the_view_shows_why(enriched_world: Any) -> None:
    runtime, http, _ = enriched_world
    created = await http.post("/api/prospects", headers=AUTH, json={
        "first_name": "Lars", "last_name": "Jensen", "company_name": "Nordlys Hotel", "city": "Bergen", "country": "NO",
    })  # fmt: skip
    assert created.status_code == 201, created.text
    await runtime.drain()
    prospect = (await http.get(f"/api/prospects/{created.json()['id']}", headers=AUTH)).json()
    assert prospect["website"] == "https://nordlys.example" and prospect["email"] == "lars@nordlys.example"
    view = (await http.get(f"/api/prospects/{prospect['id']}/enrichment", headers=AUTH)).json()
    facts = {f["name"]: f for f in view["facts"]}
    assert facts["rooms"]["value"] == 88 and facts["rooms"]["source_url"].startswith("https://")
    ranked = [c["address"] for c in view["email_candidates"]]
    assert ranked[0] == "lars.jensen@nordlys.example" and "lars@nordlys.example" in ranked
    statuses = {c["address"]: c["status"] for c in view["email_candidates"]}
    assert statuses["lars.jensen@nordlys.example"] == "invalid" and statuses["lars@nordlys.example"] == "valid"
    assert view["trails"][0]["data"]["cost_usd"] > 0
    missing = await http.get("/api/prospects/nope/enrichment", headers=AUTH)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = await http.post("/api/enrich", headers=AUTH, json={"ids": []})
    assert bad.status_code == 422
    both = await http.post("/api/enrich", headers=AUTH, json={"ids": ["a"], "filter": {}})
    assert both.status_code == 422
    by_filter = await http.post("/api/enrich", headers=AUTH, json={"filter": {"country": ["NO"]}})
    assert by_filter.status_code == 202 and by_filter.json()["selection_id"]
