"""The dashboard's pages through the local runtime, signed in as a person is: after a small campaign (three emails to
the SMTP sink, an interested reply, an out-of-office, a hard bounce) the overview, campaigns, inboxes, replies and
settings pages show what happened; reclassifying a reply, resuming an inbox and the emergency stop act through the
same services as the API; unknown ids and bad inputs are HTML error pages, and a POST without the CSRF token is 403."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from typing import Any

import httpx

from local.email.smtp_sink import SmtpSink
from tests.e2e.helpers import rows
from tests.e2e.test_dashboard_metrics import campaign_with_answers
from tests.e2e.test_dashboard_session import as_session, signed_in
from tests.e2e.test_sending_flow import AUTH, sink, world

__all__ = ["sink", "world"]  # the fixtures this module uses
NS = "{http://www.w3.org/2000/svg}"


class Person:
    """A signed-in browser: the session cookie and the CSRF token its forms carry."""

    def __init__(self, http: httpx.AsyncClient, token: str, csrf: str) -> None:
        self.http, self.token, self.csrf = http, token, csrf

    async def get(self, path: str, **headers: str) -> httpx.Response:
        return await self.http.get(path, headers=as_session(self.token, **headers))

    async def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True) -> httpx.Response:
        form = {**({"csrf": self.csrf} if csrf else {}), **(data or {})}
        return await self.http.post(path, data=form, headers=as_session(self.token))


async def person(http: httpx.AsyncClient) -> Person:
    return Person(http, *await signed_in(http))


def cells(html: str, row_id: str) -> list[str]:
    """The text of each cell of the table row `id=row_id` (or `data-...=row_id`)."""
    match = re.search(rf'<tr[^>]*(?:id|data-[a-z]+)="{re.escape(row_id)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in found]


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", html, re.S)]


async def test_the_overview_shows_the_funnel_sends_rates_and_queues(world: Any, sink: SmtpSink) -> None:
    runtime, http, _ = world
    await campaign_with_answers(runtime, http, sink)
    [inbox] = await rows(runtime, "SELECT id, daily_cap FROM inboxes")
    me = await person(http)

    page = await me.get("/app/")

    assert page.status_code == 200 and "<h1>Overview</h1>" in page.text
    charts = {svg.get("id"): svg for svg in svgs(page.text)}  # every chart parses as XML
    assert {"overview-funnel", "overview-sends", f"spark-{inbox['id']}"} <= set(charts)
    assert "engaged: 1 (9%)" in (charts["overview-funnel"].findtext(f"{NS}desc") or "")
    bar_titles = [e.findtext(f"{NS}title") for e in charts["overview-sends"].iter(f"{NS}rect")]
    assert any(t and t.endswith(f": 3 of {inbox['daily_cap']}") for t in bar_titles)
    assert cells(page.text, inbox["id"])[:4] == ["Maya Ødegård", "active", "3", str(inbox["daily_cap"])]
    rates = re.search(r'<table id="rates">(.*?)</table>', page.text, re.S)
    assert rates is not None
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", rates.group(1))).split())
    assert "Reply rate 33.3% (1 of 3) 33.3% (1 of 3)" in text and "Bounce rate 33.3% (1 of 3)" in text
    assert "Complaint rate 0.0% (0 of 3)" in text
    assert cells(page.text, "send") == ["send", "0", "—"] and cells(page.text, "dlq")[1] == "0"
    assert 'hx-get="/app/" hx-trigger="every 30s"' in page.text

    live = await me.get("/app/", **{"HX-Request": "true"})  # the 30 s refresh: the figures without the layout
    assert live.status_code == 200 and live.text.lstrip().startswith('<div id="overview"')
    assert "<html" not in live.text and "overview-funnel" in live.text


async def test_campaign_pages_judge_variants_by_positive_replies(world: Any, sink: SmtpSink) -> None:
    runtime, http, _ = world
    await campaign_with_answers(runtime, http, sink)
    [campaign] = await rows(runtime, "SELECT id FROM campaigns")
    me = await person(http)

    listing = await me.get("/app/campaigns")
    assert listing.status_code == 200
    assert cells(listing.text, campaign["id"]) == ["Winter", "active", "2", "3", "3", "1", "1"]  # a bounce was sent

    detail = await me.get(f"/app/campaigns/{campaign['id']}")
    assert detail.status_code == 200 and "Positive replies" in detail.text
    assert cells(detail.text, "1-A")[:5] == ["A best", "A question for {{ hotel or 'your hotel' }}", "3", "1", "33.3%"]
    assert cells(detail.text, "2-A")[2:5] == ["0", "0", "—"]
    assert "maya@jengu-demo.test" in detail.text  # the inbox by its address, not its id
    assert 'action="/app/campaigns/' + campaign["id"] + '/pause"' in detail.text

    paused = await me.post(f"/app/campaigns/{campaign['id']}/pause")
    assert paused.status_code == 200 and "The campaign is paused." in paused.text
    api = await http.get(f"/api/campaigns/{campaign['id']}", headers=AUTH)
    assert api.json()["status"] == "paused"
    again = await me.post(f"/app/campaigns/{campaign['id']}/pause")  # repeating an action changes nothing
    assert again.status_code == 200 and "The campaign is paused." in again.text
    draft = (await http.post("/api/campaigns", headers=AUTH, json={"name": "Spring"})).json()
    refused = await me.post(f"/app/campaigns/{draft['id']}/pause")  # a draft cannot be paused: the page says so
    assert refused.status_code == 409 and "Not allowed now" in refused.text and 'id="page-message"' in refused.text
    assert "<h1>Spring" in refused.text
    cannot = await me.post(f"/app/campaigns/{draft['id']}/activate")  # no steps, no inbox: it cannot send
    assert cannot.status_code == 422 and "This campaign cannot start" in cannot.text
    resumed = await me.post(f"/app/campaigns/{campaign['id']}/activate")
    assert resumed.status_code == 200 and (await http.get(f"/api/campaigns/{campaign['id']}", headers=AUTH)).json()[
        "status"] == "active"  # fmt: skip


async def test_inboxes_show_health_warmup_and_caps_and_resume(world: Any, sink: SmtpSink) -> None:
    runtime, http, _ = world
    await campaign_with_answers(runtime, http, sink)
    [inbox] = await rows(runtime, "SELECT id, daily_cap, hourly_cap FROM inboxes")
    me = await person(http)
    paused = await http.post(f"/api/inboxes/{inbox['id']}/pause", headers=AUTH, json={"reason": "new domain"})
    assert paused.status_code == 200

    page = await me.get("/app/inboxes")

    row = cells(page.text, f"inbox-{inbox['id']}")
    assert page.status_code == 200 and row[1] == "paused new domain"
    assert row[2].startswith("ok score")
    assert row[4] == "3" and row[6] == f"{inbox['daily_cap']} / {inbox['hourly_cap']}"
    resumed = await me.post(f"/app/inboxes/{inbox['id']}/resume")
    assert resumed.status_code == 200 and "resumed" in resumed.text
    assert cells(resumed.text, f"inbox-{inbox['id']}")[1] == "active"
    assert (await http.get(f"/api/inboxes/{inbox['id']}", headers=AUTH)).json()["status"] == "active"
    nothing = await me.post(f"/app/inboxes/{inbox['id']}/resume")
    assert nothing.status_code == 409 and "nothing to resume" in nothing.text


async def test_a_reply_is_reclassified_in_one_click(world: Any, sink: SmtpSink) -> None:
    runtime, http, _ = world
    await campaign_with_answers(runtime, http, sink)
    [reply] = await rows(runtime, "SELECT id FROM inbound_messages WHERE intent = 'interested'")
    me = await person(http)

    page = await me.get("/app/replies")

    assert page.status_code == 200 and f'id="reply-{reply["id"]}"' in page.text
    assert page.text.count('class="reply card"') == 1  # the out-of-office and the bounce need nobody
    item = page.text.split(f'id="reply-{reply["id"]}"', 1)[1].split("</li>", 1)[0]
    assert "Olivia" in item and "reply / interested" in item and "confidence" in item
    assert '<blockquote class="snippet">' in item

    changed = await me.post(f"/app/replies/{reply['id']}/reclassify", {"verdict": "reply:question"})

    assert changed.status_code == 200 and "is now “Question” (was reply / interested)" in unescape(changed.text)
    assert 'data-intent="question"' in changed.text
    [stored] = await rows(runtime, "SELECT intent, corrections FROM inbound_messages WHERE id = ?", reply["id"])
    assert stored["intent"] == "question" and json.loads(stored["corrections"])[-1]["previous_intent"] == "interested"
    detail = (await http.get(f"/api/inbound/{reply['id']}", headers=AUTH)).json()
    assert detail["corrected"] and detail["corrections"][-1]["by"] == "bootstrap"
    gone = await me.post(f"/app/replies/{reply['id']}/reclassify", {"verdict": "reply:not_interested"})
    assert gone.status_code == 200 and f'id="reply-{reply["id"]}"' not in gone.text  # nobody needs to answer it


async def test_the_emergency_stop_toggles_and_the_api_sees_it(world: Any, sink: SmtpSink) -> None:
    _, http, _ = world
    me = await person(http)
    page = await me.get("/app/settings")
    assert page.status_code == 200 and '<strong class="ok">Off</strong>' in page.text

    unconfirmed = await me.post("/app/settings/emergency-stop", {"enabled": "on", "confirm": "yes"})
    assert unconfirmed.status_code == 422 and "Type STOP" in unconfirmed.text
    assert (await http.get("/api/admin/emergency-stop", headers=AUTH)).json()["enabled"] is False

    on = await me.post("/app/settings/emergency-stop", {"enabled": "on", "confirm": "stop"})
    assert on.status_code == 200 and "Emergency stop is on" in on.text and "banner-danger" in on.text
    assert (await http.get("/api/admin/emergency-stop", headers=AUTH)).json()["enabled"] is True
    off = await me.post("/app/settings/emergency-stop", {"enabled": "off", "confirm": "START"})
    assert off.status_code == 200 and "sending resumes" in off.text
    assert (await http.get("/api/admin/emergency-stop", headers=AUTH)).json()["enabled"] is False


async def test_webhook_endpoints_are_replaced_by_the_form(world: Any, sink: SmtpSink) -> None:
    _, http, _ = world
    me = await person(http)
    url = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
    saved = await me.post("/app/settings/webhooks", {"name-0": "sales", "channel-0": "slack", "url-0": url,
                                                     "kinds-0": ["reply_interested"]})  # fmt: skip
    assert saved.status_code == 200 and "Saved 1 webhook endpoint." in saved.text
    assert url not in saved.text  # shown masked
    api = (await http.get("/api/admin/webhooks", headers=AUTH)).json()["endpoints"]
    assert [(e["name"], e["kinds"]) for e in api] == [("sales", ["reply_interested"])]
    masked = api[0]["url"]
    kept = await me.post(
        "/app/settings/webhooks",
        {
            "name-0": "sales",
            "channel-0": "slack",
            "url-0": masked,
            "kinds-0": ["*"],
            "name-1": "ops",
            "channel-1": "webhook",
            "url-1": "https://ops.example/hook",
            "secret_name-1": "OPS_SECRET",
        },
    )
    assert kept.status_code == 200 and "Saved 2 webhook endpoints." in kept.text and "OPS_SECRET (not set)" in kept.text
    bad = await me.post("/app/settings/webhooks", {"name-0": "x", "channel-0": "slack", "url-0": "http://evil.example"})
    assert bad.status_code == 422 and "row 1, url" in bad.text
    twice = await me.post("/app/settings/webhooks", {"name-0": "a", "channel-0": "slack", "url-0": url,
                                                     "name-1": "A", "channel-1": "slack", "url-1": url})  # fmt: skip
    assert twice.status_code == 409 and "used twice" in twice.text
    assert len((await http.get("/api/admin/webhooks", headers=AUTH)).json()["endpoints"]) == 2


async def test_unknown_ids_bad_inputs_and_missing_csrf_are_error_pages(world: Any, sink: SmtpSink) -> None:
    _, http, _ = world
    me = await person(http)
    for path in ("/app/campaigns/nope", "/app/campaigns/" + "x" * 65):
        missing = await me.get(path)
        assert missing.status_code in (404, 422) and missing.headers["content-type"].startswith("text/html")
    assert (await me.get("/app/campaigns/nope")).status_code == 404
    assert (await me.post("/app/campaigns/nope/pause")).status_code == 404
    assert (await me.post("/app/inboxes/nope/resume")).status_code == 404
    assert (await me.post("/app/replies/nope/reclassify", {"verdict": "reply:question"})).status_code == 404
    for bad in (await me.get("/app/campaigns?status=sleeping"), await me.get("/app/replies?cursor=%%%"),
                await me.post("/app/replies/nope/reclassify", {"verdict": "reply:weird"}),
                await me.post("/app/settings/emergency-stop", {"enabled": "maybe"})):  # fmt: skip
        assert 400 <= bad.status_code < 500 and bad.headers["content-type"].startswith("text/html"), bad.status_code
        assert "Traceback" not in bad.text and "Error" in bad.text
    for path, data in (("/app/settings/emergency-stop", {"enabled": "on", "confirm": "STOP"}),
                       ("/app/campaigns/nope/pause", {}), ("/app/settings/webhooks", {})):  # fmt: skip
        refused = await me.post(path, data, csrf=False)
        assert refused.status_code == 403 and "Not allowed" in refused.text
    assert (await http.get("/api/admin/emergency-stop", headers=AUTH)).json()["enabled"] is False
