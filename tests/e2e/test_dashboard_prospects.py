"""The dashboard's prospects and suppressions pages through the local runtime, signed in as a person is: the list
shows the imported sample, search and filters narrow it exactly as the API's list does, keyset pages cover it once,
a prospect's page shows its fields, enrichment, emails and timeline; bad inputs are 4xx pages, never a 5xx; who is
never mailed is listed, searched and added to with the session's CSRF token."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import httpx
from markupsafe import escape

from local.email.smtp_sink import SmtpSink
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.helpers import rows
from tests.e2e.test_dashboard_session import as_session, signed_in
from tests.e2e.test_sending_flow import sink, start_campaign, world
from tests.samples import CSV_SAMPLES

__all__ = ["sink", "world"]  # the fixtures this module uses
AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
SAMPLE = (CSV_SAMPLES / "prospects_sample.csv").read_bytes()
ROW_LINK = re.compile(r'<td><a href="/app/prospects/([^"]+)">')


async def import_sample(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/prospects/import", content=SAMPLE, headers={**AUTH, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text


async def api_ids(http: httpx.AsyncClient, **params: str) -> list[str]:
    response = await http.get("/api/prospects", params={"limit": "500", **params}, headers=AUTH)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


async def listed(http: httpx.AsyncClient, token: str, query: str = "") -> tuple[list[str], str]:
    response = await http.get(f"/app/prospects{query}", headers=as_session(token))
    assert response.status_code == 200, response.text
    return ROW_LINK.findall(response.text), response.text


async def change(http: httpx.AsyncClient, prospect_id: str, **fields: Any) -> None:
    response = await http.patch(f"/api/prospects/{prospect_id}", json=fields, headers={**AUTH, "If-Match": "*"})
    assert response.status_code == 200, response.text


async def test_the_list_shows_the_imported_prospects_with_labelled_filters(http: httpx.AsyncClient) -> None:
    token, _ = await signed_in(http)
    await import_sample(http)
    everyone = (await http.get("/api/prospects", params={"limit": "500"}, headers=AUTH)).json()["items"]
    ids, page = await listed(http, token)
    assert ids == [p["id"] for p in everyone]  # the API's order: score, then name
    assert f"{len(everyone)} prospects on this page" in page
    hannah = next(p for p in everyone if p["first_name"] == "Hannah")
    assert "Hannah Fischer" in page and hannah["company_name"] in page and hannah["email"] in page
    assert f"{hannah['city']}, {hannah['country']}" in page
    for name in ("q", "stage", "tier", "country", "has_email", "email_status"):
        assert f'<label for="{name}">' in page and f'id="{name}" name="{name}"' in page
    assert '<a href="/app/prospects" aria-current="page">Prospects</a>' in page


async def test_search_and_filters_narrow_the_table_as_the_api_does(http: httpx.AsyncClient) -> None:
    token, _ = await signed_in(http)
    await import_sample(http)
    everyone = (await http.get("/api/prospects", params={"limit": "500"}, headers=AUTH)).json()["items"]
    marco = next(p for p in everyone if p["first_name"] == "Marco")
    await change(http, marco["id"], stage="enriched")
    tiered = await http.post("/api/prospects/bulk", headers=AUTH, json={"action": "set_tier", "ids": [marco["id"]],
                                                                        "value": "hot"})  # fmt: skip
    assert tiered.status_code == 200, tiered.text
    cases = [
        {"q": "sonnenhof"},
        {"stage": "enriched"},
        {"tier": "hot"},
        {"country": marco["country"]},
        {"has_email": "no"},
        {"has_email": "yes", "email_status": "unknown"},
        {"q": "hotel", "tier": "cold"},
    ]
    for filters in cases:
        api = {k: ("false" if v == "no" else "true" if v == "yes" else v) for k, v in filters.items()}
        expected = await api_ids(http, **api)
        ids, page = await listed(http, token, "?" + urlencode(filters))
        assert ids == expected, filters
        assert 0 < len(ids) < len(everyone), filters  # each one narrows
        for value in filters.values():
            assert f'value="{escape(value)}"' in page  # the form keeps its values
    assert (await listed(http, token, "?stage=enriched"))[0] == [marco["id"]]
    ids, page = await listed(http, token, "?q=nowhere-at-all")
    assert ids == [] and "No prospects match these filters" in page


async def test_keyset_pages_cover_the_list_once(http: httpx.AsyncClient) -> None:
    token, _ = await signed_in(http)
    await import_sample(http)
    seen: list[str] = []
    query = "?limit=5"
    while True:
        ids, page = await listed(http, token, query)
        assert 0 < len(ids) <= 5
        seen += ids
        link = re.search(r'<a href="/app/prospects(\?[^"]+)" rel="next">Next page</a>', page)
        if link is None:
            break
        query = link.group(1).replace("&amp;", "&")
        assert "cursor=" in query and "limit=5" in query
    assert seen == await api_ids(http)
    assert "First page" in page


async def test_bad_inputs_are_4xx_pages_that_say_why(http: httpx.AsyncClient) -> None:
    token, _ = await signed_in(http)
    await import_sample(http)
    cases = {
        "?" + urlencode({"q": "x" * 2048}): "q is at most 200 characters",
        "?stage=bogus": "unknown stage &#39;bogus&#39;",
        "?tier=lukewarm": "unknown tier",
        "?email_status=great": "unknown email_status",
        "?country=Atlantis": "unknown country",
        "?has_email=maybe": "has_email is yes or no",
        "?cursor=not-a-cursor": "invalid cursor",
        "?" + urlencode({"cursor": "x" * 600}): "cursor is at most 512 characters",
        "?q=%21%21%21": "q has no searchable words",
        "?limit=0": "limit is a whole number",
        "?stage=new&stage=ready": "give stage once",
    }
    for query, reason in cases.items():
        response = await http.get(f"/app/prospects{query}", headers=as_session(token))
        assert response.status_code == 400, (query, response.text)
        assert response.headers["content-type"].startswith("text/html")
        assert "Error 400" in response.text and reason in response.text, (query, response.text)
    for path in ("/app/prospects/no-such-prospect", "/app/prospects/" + "x" * 300):
        missing = await http.get(path, headers=as_session(token))
        assert missing.status_code == 404 and "There is no prospect with the id" in missing.text
    anonymous = await http.get("/app/prospects?q=hotel")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/app/prospects%3Fq%3Dhotel"


async def test_what_a_prospect_holds_is_escaped(http: httpx.AsyncClient) -> None:
    token, _ = await signed_in(http)
    created = await http.post("/api/prospects", headers=AUTH, json={
        "first_name": "<script>alert(1)</script>", "email": "x@evil.example", "notes": '"><img src=x onerror=1>',
    })  # fmt: skip
    assert created.status_code == 201, created.text
    for path in ("/app/prospects", f"/app/prospects/{created.json()['id']}"):
        page = (await http.get(path, headers=as_session(token))).text
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img src=x" not in page


async def test_a_prospects_page_shows_fields_enrichment_emails_and_timeline(world: Any, sink: SmtpSink) -> None:
    runtime, http, _ = world
    campaign_id = await start_campaign(http)
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] > 0
    await runtime.drain()
    [email] = await rows(runtime, "SELECT prospect_id, subject, status FROM emails ORDER BY created_at LIMIT 1")
    prospect = (await http.get(f"/api/prospects/{email['prospect_id']}", headers=AUTH)).json()
    source = f"https://{prospect['domain']}/about"
    seen = "2026-03-04T09:00:00+00:00"
    for name, value in (("rooms", 42), ("features", ["spa", "lake view"])):  # as enrichment stores them
        await rows(runtime, "INSERT INTO prospect_facts (prospect_id, name, value, source_url, observed_at) "
                   "VALUES (?, ?, ?, ?, ?)", prospect["id"], name, json.dumps(value), source, seen)  # fmt: skip
    await rows(
        runtime,
        "INSERT INTO email_candidates (prospect_id, address, pattern, rank, status, verifier) "
        "VALUES (?, ?, 'first.last', 1, 'valid', 'fake')",
        prospect["id"],
        f"guess@{prospect['domain']}",
    )
    token, _ = await signed_in(http)
    response = await http.get(f"/app/prospects/{prospect['id']}", headers=as_session(token))
    assert response.status_code == 200, response.text
    page = response.text
    assert f"<h1>{escape(prospect['first_name'] + ' ' + prospect['last_name'])}</h1>" in page
    assert escape(prospect["email"]) in page and escape(prospect["job_title"]) in page
    assert f'<a href="{source}" rel="noopener noreferrer nofollow">{source}</a>' in page
    assert "<td>rooms</td><td>42</td>" in page and "<td>features</td><td>spa, lake view</td>" in page
    assert f"guess@{prospect['domain']}" in page and "first.last" in page
    assert escape(email["subject"]) in page and f'href="/app/campaigns/{campaign_id}"' in page
    assert f'pill-send-{email["status"]}">{email["status"]}<' in page
    timeline = (await http.get(f"/api/prospects/{prospect['id']}/activities", headers=AUTH)).json()["items"]
    shown = re.findall(r'<span class="timeline-type">([^<]+)</span>', page)
    assert shown == [a["type"] for a in timeline] and len(shown) >= 2  # created, then what the send did
    stamps = re.findall(r'<li><time datetime="([^"]+)">', page)
    assert stamps == sorted(stamps, reverse=True)  # newest first


async def test_suppressions_are_listed_searched_and_added_with_the_csrf_token(http: httpx.AsyncClient) -> None:
    token, csrf = await signed_in(http)
    for kind, value in (("email", "anna@hotel-a.example"), ("domain", "competitor.example"), ("email", "bo@b.example")):
        added = await http.post("/api/suppressions", headers=AUTH, json={"kind": kind, "value": value})
        assert added.status_code == 201, added.text
    page = (await http.get("/app/suppressions", headers=as_session(token))).text
    assert "3 suppressions on this page" in page and "competitor.example" in page and "manual" in page
    narrowed = (await http.get("/app/suppressions?q=anna", headers=as_session(token))).text
    assert "1 suppression on this page" in narrowed and "anna@hotel-a.example" in narrowed
    assert "competitor.example</td>" not in narrowed
    by_kind = (await http.get("/app/suppressions?kind=domain", headers=as_session(token))).text
    assert "1 suppression on this page" in by_kind and "competitor.example" in by_kind

    form = {"kind": "domain", "value": "Spam-Hotel.EXAMPLE", "reason": "policy", "note": "asked by legal"}
    refused = await http.post("/app/suppressions", data=form, headers=as_session(token))
    assert refused.status_code == 403 and "Error 403" in refused.text
    added = await http.post("/app/suppressions", data={**form, "csrf": csrf}, headers=as_session(token))
    assert added.status_code == 303 and added.headers["location"] == "/app/suppressions?q=spam-hotel.example"
    shown = (await http.get(added.headers["location"], headers=as_session(token))).text
    assert "spam-hotel.example" in shown and "asked by legal" in shown and "dashboard (bootstrap" in shown
    stored = (await http.get("/api/suppressions", params={"q": "spam"}, headers=AUTH)).json()["items"]
    assert [(s["kind"], s["value"], s["reason"]) for s in stored] == [("domain", "spam-hotel.example", "policy")]

    again = await http.post("/app/suppressions", data={**form, "csrf": csrf}, headers=as_session(token))
    assert again.status_code == 409 and "is already suppressed" in again.text
    bad = await http.post("/app/suppressions", data={"kind": "email", "value": "not an address", "csrf": csrf},
                          headers=as_session(token))  # fmt: skip
    assert bad.status_code == 400 and "Not added:" in bad.text and 'value="not an address"' in bad.text
    for data in ({"kind": "person", "value": "p1"}, {"kind": "email", "value": "a@b.example", "reason": "unsubscribe"}):
        refused = await http.post("/app/suppressions", data={**data, "csrf": csrf}, headers=as_session(token))
        assert refused.status_code == 400, refused.text
    for query in ("?kind=bogus", "?cursor=nope", "?" + urlencode({"q": "x" * 2048})):
        response = await http.get(f"/app/suppressions{query}", headers=as_session(token))
        assert response.status_code == 400 and "Error 400" in response.text, query
