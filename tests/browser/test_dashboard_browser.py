"""Browser journeys through the dashboard as a person takes them: Chromium (Playwright) over real HTTP against the
local runtime; what is on screen is checked through roles and labels, and each journey leaves a screenshot."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from playwright.async_api import BrowserContext, Locator, Page, Request, Route, expect

from local.email.smtp_sink import SmtpSink
from local.runtime import LocalRuntime
from tests.browser.conftest import API_KEY, seed_outreach
from tests.samples import CSV_SAMPLES

Shoot = Callable[[str], Awaitable[Path]]
API_KEY_FIELD = re.compile(r"api key", re.I)
SIGN_IN = re.compile(r"sign in|log in", re.I)
LOG_OUT = re.compile(r"log ?out|sign out", re.I)
NAV = ["Overview", "Prospects", "Imports", "Campaigns", "Inboxes", "Replies", "Suppressions", "Settings"]


async def tab_to(page: Page, target: Locator, *, max_tabs: int = 20) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would (fails if it is not reachable)."""
    for _ in range(max_tabs):
        await page.keyboard.press("Tab")
        if await target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} not reachable with {max_tabs} presses of Tab")


async def sign_in(page: Page, key: str = API_KEY) -> None:
    await page.goto("/login")
    await page.get_by_label(API_KEY_FIELD).fill(key)
    await page.get_by_role("button", name=SIGN_IN).click()


async def test_the_harness_serves_the_worker_over_real_http(page: Page) -> None:
    response = await page.goto("/health")
    assert response is not None and response.status == 200
    assert json.loads(await page.locator("body").inner_text())["status"] == "ok"


async def test_login_with_the_keyboard_lands_on_the_overview(page: Page, shoot: Shoot) -> None:
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/login"))  # `/` leads to the dashboard, which asks for a key
    field = page.get_by_label(API_KEY_FIELD)
    await expect(field).to_be_visible()
    await tab_to(page, field)
    await expect(field).to_be_focused()
    await page.keyboard.type(API_KEY)
    await shoot("form")
    await page.keyboard.press("Enter")

    await expect(page).to_have_url(re.compile(r"/app/$"))
    await expect(page.get_by_role("heading", name="Overview", exact=False).first).to_be_visible()
    nav = page.get_by_role("navigation").filter(has=page.get_by_role("link", name="Prospects"))
    for name in NAV:
        await expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    await expect(nav.get_by_role("link", name="Overview", exact=True)).to_have_attribute("aria-current", "page")
    await expect(page.get_by_role("button", name=LOG_OUT)).to_be_visible()
    assert API_KEY not in await page.content()  # the key is exchanged for a session, never echoed


async def test_a_wrong_key_shows_the_form_again_with_a_clear_message(page: Page) -> None:
    await page.goto("/login")
    await page.get_by_label(API_KEY_FIELD).fill("jengu_not_a_key_at_all_0000000000")
    async with page.expect_response(lambda r: r.request.method == "POST" and "/login" in r.url) as answer:
        await page.get_by_role("button", name=SIGN_IN).click()
    assert (await answer.value).status == 401
    await expect(page.get_by_label(API_KEY_FIELD)).to_be_visible()
    await expect(page.get_by_label(API_KEY_FIELD)).to_have_value("")  # the wrong key is not kept in the page
    await expect(page.get_by_role("alert")).to_contain_text("not accepted")
    await expect(page.get_by_label(API_KEY_FIELD)).to_have_attribute("aria-invalid", "true")
    assert "Traceback" not in await page.content()


async def test_a_page_asked_for_before_login_is_shown_after_it(page: Page) -> None:
    await page.goto("/app/?window=30")
    await expect(page).to_have_url(re.compile(r"/login\?next=/app/%3Fwindow%3D30$"))
    await page.get_by_label(API_KEY_FIELD).fill(API_KEY)
    await page.get_by_role("button", name=SIGN_IN).click()
    await expect(page).to_have_url(re.compile(r"/app/\?window=30$"))


async def test_logout_ends_the_session_on_the_server(
    page: Page, context: BrowserContext, base_url: str, shoot: Shoot
) -> None:
    await sign_in(page)
    await expect(page).to_have_url(re.compile(r"/app/$"))
    cookies = await context.cookies()
    session = next(c for c in cookies if c["name"] == "jengu_session")
    assert session["httpOnly"] is True and session["sameSite"] in ("Lax", "Strict")

    await page.get_by_role("button", name=LOG_OUT).click()
    await expect(page).to_have_url(re.compile(r"/login"))
    await shoot("logged-out")
    await page.goto("/app/")
    await expect(page).to_have_url(re.compile(r"/login"))

    await context.add_cookies(
        [{"name": session["name"], "value": session["value"], "url": base_url}]
    )  # the old cookie, replayed: revoked on the server, not just forgotten
    await page.goto("/app/")
    await expect(page).to_have_url(re.compile(r"/login"))
    await expect(page.get_by_label(API_KEY_FIELD)).to_be_visible()


async def test_docs_work_offline_from_the_assets_directory(page: Page, base_url: str) -> None:
    outside: list[str] = []

    async def only_local(route: Route, request: Request) -> None:
        if request.url.startswith(base_url):
            await route.continue_()
        else:
            outside.append(request.url)
            await route.abort()

    await page.route("**/*", only_local)
    await page.goto("/docs")
    await expect(page.locator(".swagger-ui")).to_be_visible()
    await expect(page.get_by_role("heading", name=re.compile("Jengu", re.I)).first).to_be_visible()
    await expect(page.get_by_text("/api/prospects").first).to_be_visible()
    assert outside == [], f"/docs reached outside the local runtime: {outside}"


async def test_search_prospects_and_open_one(page: Page, api: httpx.AsyncClient, shoot: Shoot) -> None:
    imported = await api.post("/api/prospects/import", content=(CSV_SAMPLES / "prospects_sample.csv").read_bytes(),
                              headers={"Content-Type": "text/csv"})  # fmt: skip
    assert imported.status_code == 200, imported.text
    await sign_in(page)
    await page.get_by_role("navigation").get_by_role("link", name="Prospects", exact=True).click()
    await expect(page.get_by_role("heading", name="Prospects", level=1)).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    assert await rows.count() > 2  # the header and several prospects

    await page.get_by_label("Search").fill("Sonnenhof")
    await page.get_by_label("Search").press("Enter")
    await expect(page).to_have_url(re.compile(r"q=Sonnenhof"))
    await expect(rows).to_have_count(2)  # the header and Hannah Fischer only
    await expect(page.get_by_role("link", name="Hannah Fischer")).to_be_visible()
    await shoot("search")

    await page.get_by_role("link", name="Hannah Fischer").click()
    await expect(page.get_by_role("heading", name="Hannah Fischer", level=1)).to_be_visible()
    for section in ("Details", "Emails", "Timeline"):
        await expect(page.get_by_role("heading", name=section, level=2)).to_be_visible()
    await expect(page.get_by_text("hannah.fischer@sonnenhof-hotel.example").first).to_be_visible()


async def test_an_uploaded_csv_becomes_an_import_job(page: Page, runtime: LocalRuntime, shoot: Shoot) -> None:
    await sign_in(page)
    await page.get_by_role("navigation").get_by_role("link", name="Imports", exact=True).click()
    await page.get_by_role("button", name=re.compile(r"^CSV file")).set_input_files(
        str(CSV_SAMPLES / "prospects_sample.csv")
    )
    await page.get_by_role("button", name="Upload and import").click()
    await expect(page).to_have_url(re.compile(r"/app/imports/[0-9a-f]+$"))
    await expect(page.get_by_role("heading", name=re.compile(r"^Import prospects_sample\.csv"))).to_be_visible()

    await runtime.drain()  # the imports queue processes the job
    await page.reload()
    await expect(page.locator("#import-job")).to_contain_text("done")
    created = page.locator("dt", has_text="Prospects created").locator("xpath=following-sibling::dd[1]")
    assert int(await created.inner_text()) > 0
    await shoot("done")


async def test_a_campaign_page_shows_steps_and_results(
    page: Page, api: httpx.AsyncClient, runtime: LocalRuntime, sink: SmtpSink
) -> None:
    seeded = await seed_outreach(api, runtime, sink)
    await sign_in(page)
    await page.goto(f"/app/campaigns/{seeded['campaign_id']}")
    await expect(page.get_by_role("heading", name=re.compile(r"^Winter"), level=1)).to_be_visible()
    await expect(page.locator("#campaign-status")).to_have_text("active")
    summary = page.get_by_role("region", name="Results")
    await expect(summary).to_contain_text("Positive replies")
    sent = summary.locator("dt", has_text=re.compile(r"^Sent$")).locator("xpath=following-sibling::dd[1]")
    await expect(sent).to_have_text("3")
    steps = page.get_by_role("region", name="Steps and variants")
    await expect(steps.get_by_text("Step 1")).to_be_visible()
    await expect(steps.get_by_text("Step 2")).to_be_visible()
    await expect(page.get_by_role("button", name="Pause")).to_be_visible()


async def test_a_reply_is_reclassified_with_one_click(
    page: Page, api: httpx.AsyncClient, runtime: LocalRuntime, sink: SmtpSink, shoot: Shoot
) -> None:
    seeded = await seed_outreach(api, runtime, sink)
    await sign_in(page)
    await page.get_by_role("navigation").get_by_role("link", name="Replies", exact=True).click()
    await expect(page.get_by_role("heading", name="Replies needing a person", level=1)).to_be_visible()
    reply = page.locator("li.reply").filter(has_text=seeded["replier"].split("@")[0].split(".")[0].title())
    await expect(reply).to_have_count(1)
    await expect(reply.get_by_role("button", name="Interested", exact=True)).to_have_attribute("aria-pressed", "true")
    await shoot("before")

    await reply.get_by_role("button", name="Question", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Question")
    inbound = (await api.get("/api/inbound")).json()["items"]
    [message] = [m for m in inbound if m["mail_from"] == seeded["replier"]]
    assert (message["intent"], message["corrected"]) == ("question", True)
