"""Fetching a hotel's site in real Pyodide: `WorkersFetch` passes `redirect: "manual"` into the JS fetch and the 3xx
comes back as an answer with its Location; `HttpPageFetcher` follows the hops itself (mocks.mjs `hotelSite`)."""

from __future__ import annotations

from typing import Any

SITE = "https://alpenhof-hotel.mock/"
UA = "JenguBot/1.0 (+https://jengu.example/bot)"


async def page_fetch() -> dict[str, Any]:
    from runtime.workerd import calls

    from shared.adapters.http import WorkersFetch
    from shared.adapters.web_pages import HttpPageFetcher

    client = WorkersFetch()
    manual = await client.request("GET", SITE, timeout_s=5, redirect="manual")
    followed = await client.request("GET", SITE, timeout_s=5)  # fetch's own following: only the last answer
    page = await HttpPageFetcher(client, user_agent=UA).get(SITE, max_bytes=64_000, timeout_s=5)
    fetches = [c for c in calls() if c["binding"] == "fetch"]
    return {
        "manual": {"status": manual.status, "location": manual.header("location"), "body": list(manual.body)},
        "followed": {"status": followed.status, "title": followed.text().split("<title>")[1].split("</title>")[0]},
        "page": {
            "url": page.url,
            "status": page.status,
            "content_type": page.content_type,
            "redirects": list(page.redirects),
            "text": page.text,
        },
        "calls": [{"url": c["url"], "redirect": c["redirect"], "headers": c["args"][0]} for c in fetches],
    }
