"""What a person's review of the dashboard found, pinned: the campaigns filter's own "Any" choice lists every
campaign (it sent `status=` and got a 422), a bad status or cursor is a 400 page naming it, an unknown campaign's
page says which id was not found, and a bad replies cursor is a 400 page, not a generic 422."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx

from local.email.smtp_sink import SmtpSink
from tests.e2e.test_dashboard_pages import person
from tests.e2e.test_sending_flow import AUTH, sink, world

__all__ = ["sink", "world"]  # the fixtures this module uses


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def test_the_campaign_filters_any_choice_lists_every_campaign(world: Any, sink: SmtpSink) -> None:
    _, http, _ = world
    names = ("Spring 春のキャンペーン", "Winter " + "w" * 150)
    ids = [(await http.post("/api/campaigns", headers=AUTH, json={"name": n})).json()["id"] for n in names]
    me = await person(http)
    listing = await me.get("/app/campaigns")
    assert '<option value=""' in listing.text  # the form's "Any"

    anything = await me.get("/app/campaigns?status=")  # what submitting the form with "Any" sends

    assert anything.status_code == 200, anything.text[:300]
    assert all(f"/app/campaigns/{i}" in anything.text for i in ids)
    assert all(n in unescape(anything.text) for n in names)
    drafts = await me.get("/app/campaigns?status=draft")
    assert drafts.status_code == 200 and all(f"/app/campaigns/{i}" in drafts.text for i in ids)
    active = await me.get("/app/campaigns?status=active")
    assert active.status_code == 200 and not any(f"/app/campaigns/{i}" in active.text for i in ids)


async def test_bad_filters_and_unknown_ids_are_pages_that_name_them(world: Any, sink: SmtpSink) -> None:
    _, http, _ = world
    me = await person(http)

    sleeping = await me.get("/app/campaigns?status=sleeping")
    assert sleeping.status_code == 400 and "unknown status 'sleeping'" in text_of(sleeping.text)
    assert "draft, active, paused, completed" in text_of(sleeping.text)
    cursor = await me.get("/app/campaigns?cursor=nonsense")
    assert cursor.status_code == 400 and "invalid cursor" in text_of(cursor.text)
    replies = await me.get("/app/replies?cursor=nonsense")
    assert replies.status_code == 400 and "This page of replies does not exist" in text_of(replies.text)
    missing = await me.get("/app/campaigns/nope")
    assert missing.status_code == 404 and "There is no campaign with the id 'nope'." in text_of(missing.text)
    acted = await me.post("/app/campaigns/nope/activate")
    assert acted.status_code == 404 and "There is no campaign with the id 'nope'." in text_of(acted.text)
    for page in (sleeping, cursor, replies, missing, acted):
        assert page.headers["content-type"].startswith("text/html") and "Traceback" not in page.text


async def test_an_unknown_dashboard_page_keeps_the_signed_in_layout(http: httpx.AsyncClient) -> None:
    from tests.e2e.test_dashboard_session import as_session, signed_in

    token, _ = await signed_in(http)
    missing = await http.get("/app/no-such-page", headers=as_session(token))
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert 'href="/app/prospects"' in missing.text and "Sign out" in missing.text  # the nav and the sign-out button
    signed_out = await http.get("/app/no-such-page")
    assert signed_out.status_code in (303, 404) and "Sign out" not in signed_out.text
