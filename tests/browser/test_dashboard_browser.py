"""Browser journeys through the dashboard as a person would take them: Chromium (Playwright) over real HTTP."""

from __future__ import annotations

import json

from playwright.async_api import Page, expect

from local.runtime import LocalRuntime


async def test_the_harness_serves_the_worker_over_real_http(page: Page, runtime: LocalRuntime) -> None:
    response = await page.goto("/health")
    assert response is not None and response.status == 200
    body = json.loads(await page.locator("body").inner_text())
    assert body["status"] == "ok"
    await expect(page.locator("body")).to_contain_text("ok")
