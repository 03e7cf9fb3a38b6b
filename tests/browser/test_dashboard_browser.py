"""Browser journeys through the dashboard as a person takes them: Chromium (Playwright) over real HTTP against the
local runtime; what is on screen is checked through roles and labels, and each journey leaves a screenshot."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import BrowserContext, Locator, Page, Request, Route, expect

from tests.browser.conftest import API_KEY

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


async def test_logout_ends_the_session_on_the_server(page: Page, context: BrowserContext, shoot: Shoot) -> None:
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

    await context.add_cookies([session])  # the old cookie, replayed: revoked on the server, not just forgotten
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
