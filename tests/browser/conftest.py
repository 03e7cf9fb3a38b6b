"""Browser fixtures: the local runtime served over real HTTP (uvicorn on a free port), Debian's Chromium driven by
Playwright, a logged-in page, and a screenshot of every test under `.local/artifacts/screenshots/<test>.png`.

Chromium comes from `scripts/install_chromium.sh` (Playwright's own browser download is not used); without it every
test here is skipped with that hint. Every test in this folder is marked `browser` (`-m "not browser"` leaves them
out).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from local.clock import ManualClock
from local.email.smtp_sink import SmtpSink
from local.runtime import LocalRuntime
from local.server import create_dev_app
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.test_sending_flow import SECRET, WEDNESDAY, parsed, start_campaign
from tests.samples import inbound_sample

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("JENGU_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / ".local" / "artifacts" / "screenshots"
API_KEY = TEST_API_KEY  # the e2e key, so the e2e helpers that seed data work unchanged
INBOX = "maya@jengu-demo.test"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"]
TIMEOUT_MS = 10_000  # a page that does not show what a test expects within 10 s is broken, not slow


def _skip_reason() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM}: run scripts/install_chromium.sh (or set JENGU_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def vendored_assets() -> None:
    """htmx and Swagger UI copied into public/static/vendor/ (build output, as `make dev` does; idempotent)."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_assets.py")], check=True, capture_output=True)


# -- the local runtime over HTTP -----------------------------------------------------------------------------------
@pytest.fixture
def clock() -> ManualClock:
    """A Wednesday afternoon in London: inside the seeded campaign's send window."""
    return ManualClock(WEDNESDAY)


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    server = SmtpSink(tmp_path / "outbox", port=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def runtime(tmp_path: Path, clock: ManualClock, sink: SmtpSink) -> AsyncIterator[LocalRuntime]:
    dev_vars = tmp_path / ".dev.vars"
    dev_vars.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=warning\nAPI_KEY={API_KEY}\n"
        f"UNSUBSCRIBE_SECRET={SECRET}\nPUBLIC_BASE_URL=https://jengu.test\n"
    )
    rt = LocalRuntime(ROOT, state_dir=tmp_path / "state", clock=clock, dev_vars=dev_vars, smtp_sink_port=sink.port)
    await rt.start(migrate=True)
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture
async def base_url(runtime: LocalRuntime) -> AsyncIterator[str]:
    """The dev server (wrangler's local endpoints + the Worker) on a free port of 127.0.0.1, in this event loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_dev_app(runtime), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises whatever stopped it
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)  # yields to uvicorn's startup; not a wait for time to pass
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
async def api(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The JSON API over the same real HTTP the browser uses, authorised with the known key (to seed data)."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as client:
        yield client


async def seed_outreach(api: httpx.AsyncClient, runtime: LocalRuntime, sink: SmtpSink) -> dict[str, str]:
    """The sample prospects, an inbox and the two-step "Winter" campaign, its first emails sent to the sink, and an
    interested reply from one recipient delivered through Email Routing's endpoint. Returns the campaign id and
    the replying address."""
    campaign_id = await start_campaign(api)
    sent = await api.post("/api/admin/trigger-send")
    assert sent.status_code == 200, sent.text
    await runtime.drain()
    messages = {m["To"].addresses[0].addr_spec: m for m in parsed(sink.written)}
    replier = next(a for a in messages if a.startswith("olivia"))
    original = messages[replier]
    raw = inbound_sample("reply_interested.eml", TO=INBOX, FROM=replier, MSGID=original["Message-ID"],
                         SUBJECT=str(original["Subject"]), DATE=str(original["Date"]))  # fmt: skip
    delivered = await api.post("/cdn-cgi/handler/email", params={"from": replier, "to": INBOX}, content=raw)
    assert delivered.status_code == 200, delivered.text
    await runtime.drain()
    return {"campaign_id": campaign_id, "replier": replier}


# -- the browser ----------------------------------------------------------------------------------------------------
@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def context(browser: Browser, base_url: str) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        await ctx.close()


def screenshot_path(request: pytest.FixtureRequest, suffix: str = "") -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    return SCREENSHOTS / f"{name}{'-' + suffix if suffix else ''}.png"


@pytest.fixture
async def page(context: BrowserContext, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A fresh page; whatever it shows when the test ends (passed or failed) is saved as the test's screenshot."""
    tab = await context.new_page()
    try:
        yield tab
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):  # a crashed page must not hide the test's own failure
            await tab.screenshot(path=str(screenshot_path(request)), full_page=True)


@pytest.fixture
def shoot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Awaitable[Path]]:
    """`await shoot("step")` saves `.local/artifacts/screenshots/<test>-step.png` mid-journey."""

    async def take(suffix: str) -> Path:
        path = screenshot_path(request, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(path), full_page=True)
        return path

    return take
