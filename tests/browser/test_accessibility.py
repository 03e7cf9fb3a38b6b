"""Accessibility of the dashboard in Chromium. axe-core (WCAG 2.0/2.1 A and AA plus best practice) runs on every page
with real data, at 1280 and at 320 CSS px (where the page must also not scroll sideways, WCAG 1.4.10); a serious or
critical violation fails the test with its rule, target and help, lesser ones warn. The keyboard: the skip link comes
first and moves focus to the content; every control on the prospects filter and every reclassify button is reached by
Tab in document order with a visible focus outline (3:1 against what surrounds it, unlike its resting look); Tab is
never trapped; the overview's htmx refresh gives the focus back.

axe is evaluated through Playwright (DevTools), so the pages keep their real CSP (`script-src 'self'`, which refuses
the inline `<script>` that `add_script_tag` would add): nothing is bypassed for the test."""

from __future__ import annotations

import re
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, ViewportSize, expect

from local.email.smtp_sink import SmtpSink
from local.runtime import LocalRuntime
from tests.browser.conftest import ROOT, seed_outreach
from tests.browser.test_dashboard_browser import sign_in, tab_to
from tests.samples import CSV_SAMPLES

Shoot = Callable[[str], Awaitable[Path]]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
WIDE, NARROW = ViewportSize(width=1280, height=900), ViewportSize(width=320, height=640)
BAD_ROWS = b"first_name,last_name,email\nAnna,Berg,anna.berg@fjord-hotel.example\nNo,Address,not-an-email\n"

RUN_AXE = """async tags => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), impact: n.impact, summary: n.failureSummary}))}));
}"""

# Every element Tab can reach, in document order (no page uses a positive tabindex), each tagged with its index.
MARK_TABBABLE = """() => {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, [tabindex]';
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const all = [...document.querySelectorAll(selector)].filter(el => !el.disabled && el.tabIndex >= 0 && shown(el));
  all.forEach((el, i) => el.setAttribute("data-tab-index", String(i)));
  return all.map(el => el.id || el.textContent.trim().slice(0, 40) || el.getAttribute("name") || el.tagName);
}"""

# The focused element's outline and the colour behind it (the outline is drawn outside the element, on its parent's
# background), and its outline when it has no focus, so the focus state is told apart from the resting state.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const behind = node => {
    for (let n = node; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const s = getComputedStyle(el);
  return {index: el.getAttribute("data-tab-index"), outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
          style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: rgb(s.outlineColor).slice(0, 3),
          background: behind(parseFloat(s.outlineOffset) > 0 ? el.parentElement : el),
          label: el.id || el.textContent.trim().slice(0, 40) || el.getAttribute("name")};
}"""

RESTING_OUTLINE = (
    "el => { el.blur(); const s = getComputedStyle(el); "
    "return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`; }"
)

# null when the page fits its viewport, else the elements in main wider than it (outside a scrolling table wrapper).
OVERFLOWING = """() => document.documentElement.scrollWidth <= window.innerWidth + 1 ? null
  : [...document.querySelectorAll("main *")]
    .filter(e => e.scrollWidth > window.innerWidth && !e.closest(".table-scroll"))
    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : ""))"""


def luminance(rgb: list[float]) -> float:
    r, g, b = (v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in (c / 255 for c in rgb))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = await page.evaluate(RUN_AXE, AXE_TAGS)
    return violations


def serious(violations: list[dict[str, Any]]) -> list[str]:
    """Each serious or critical violation as a line (rule id, target, help); lesser ones only warn."""
    lines = [(node["impact"] or v["impact"],
              f"{v['id']} ({node['impact']}) at {node['target']}: {v['help']} <{v['url']}>\n      {node['summary']}")
             for v in violations for node in v["nodes"]]  # fmt: skip
    for line in (line for impact, line in lines if impact not in FAILING_IMPACTS):
        warnings.warn(f"axe: {line}", stacklevel=2)
    return [line for impact, line in lines if impact in FAILING_IMPACTS]


async def overflow(page: Page) -> list[str]:
    """A line if the page scrolls sideways (content wider than the viewport), naming the widest elements."""
    wide: list[str] | None = await page.evaluate(OVERFLOWING)
    return (
        []
        if wide is None
        else [f"reflow: the page scrolls sideways at {NARROW['width']}px ({', '.join(wide[:3]) or 'main'})"]
    )


async def seed_pages(api: httpx.AsyncClient, runtime: LocalRuntime, sink: SmtpSink) -> dict[str, str]:
    """Every page with something on it: the outreach world, an import job with a refused row, a suppression."""
    seeded = await seed_outreach(api, runtime, sink)
    job = await api.post("/api/imports", content=BAD_ROWS, headers={"Content-Type": "text/csv"})
    assert job.status_code == 202, job.text
    await runtime.drain()
    suppressed = await api.post("/api/suppressions", json={"kind": "domain", "value": "closed-hotel.example",
                                                           "reason": "manual", "note": "closed for good"})  # fmt: skip
    assert suppressed.status_code in (200, 201), suppressed.text
    found = (await api.get("/api/prospects", params={"q": "Sonnenhof"})).json()["items"]
    return {**seeded, "job_id": job.json()["id"], "prospect_id": found[0]["id"]}


async def test_every_page_has_no_serious_axe_violation(
    page: Page, api: httpx.AsyncClient, runtime: LocalRuntime, sink: SmtpSink, shoot: Shoot
) -> None:
    assert AXE.is_file(), f"{AXE} is missing: run npm ci (axe-core is a dev dependency)"
    seeded, found = await seed_pages(api, runtime, sink), dict[str, list[str]]()

    await page.goto("/login")
    found["login"] = serious(await axe_violations(page))
    await page.get_by_label("API key").fill("jengu_not_a_key_at_all_0000000000")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    found["login, wrong key"] = serious(await axe_violations(page))

    await sign_in(page)
    await expect(page).to_have_url(re.compile(r"/app/$"))
    pages = {
        "overview": "/app/",
        "prospects, searched": "/app/prospects?q=hotel&tier=",
        "prospect": f"/app/prospects/{seeded['prospect_id']}",
        "imports": "/app/imports",
        "import job": f"/app/imports/{seeded['job_id']}",
        "campaigns": "/app/campaigns",
        "campaign": f"/app/campaigns/{seeded['campaign_id']}",
        "inboxes": "/app/inboxes",
        "replies": "/app/replies",
        "suppressions": "/app/suppressions",
        "settings": "/app/settings",
        "error 404": "/app/no-such-page",
        "error 404, unknown prospect": "/app/prospects/no-such-prospect",
    }
    for name, path in pages.items():
        response = await page.goto(path)
        assert response is not None and response.status == (404 if name.startswith("error") else 200), (name, path)
        await expect(page.locator("main h1")).to_be_visible()
        if name in ("prospects, searched", "imports", "import job", "campaigns", "campaign", "inboxes"):
            await expect(page.locator("main table").first).to_be_visible()  # axe sees the data, not an empty state
        found[name] = serious(await axe_violations(page))
        await shoot(re.sub(r"\W+", "-", name))
        await page.set_viewport_size(NARROW)  # WCAG 1.4.10: content reflows at 320 CSS px (wide tables scroll inside)
        found[f"{name} at 320px"] = serious(await axe_violations(page)) + await overflow(page)
        await page.set_viewport_size(WIDE)

    stopped = await api.post("/api/admin/emergency-stop", json={"enabled": True})  # the red banner on every page
    assert stopped.status_code == 200, stopped.text
    for name, path in (("overview, emergency stop on", "/app/"), ("settings, emergency stop on", "/app/settings")):
        await page.goto(path)
        await expect(page.get_by_role("alert").filter(has_text="Emergency stop is on")).to_be_visible()
        found[name] = serious(await axe_violations(page))

    failures = {name: lines for name, lines in found.items() if lines}
    report = "\n".join(
        f"  {name}:\n" + "\n".join(f"    - {line}" for line in lines) for name, lines in failures.items()
    )
    assert not failures, f"axe found serious or critical violations:\n{report}"


async def test_axe_is_really_run_and_reports_what_it_finds(page: Page) -> None:
    """The check above is not vacuous: the same helper reports a field without a label and unreadable grey text."""
    await page.goto("/login")
    await page.evaluate("""() => {
      const field = document.createElement("input");
      field.id = "nameless";
      const faint = document.createElement("p");
      faint.id = "faint";
      faint.textContent = "Hard to read";
      faint.style.color = "#c8c8c8";  // CSSOM, which the CSP allows (it refuses style="" in markup)
      document.querySelector("main").append(field, faint);
    }""")
    lines = serious(await axe_violations(page))
    assert any(line.startswith("label (critical) at #nameless") for line in lines), lines
    assert any(line.startswith("color-contrast (serious) at #faint") for line in lines), lines


async def tab_through(page: Page) -> list[dict[str, Any]]:
    """From the top of the page, Tab once per tabbable element (and once more); each stop's focus style."""
    expected = await page.evaluate(MARK_TABBABLE)
    await page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops = []
    for _ in range(len(expected) + 1):
        await page.keyboard.press("Tab")
        stops.append(await page.evaluate(FOCUS_STYLE))
    order = [s["index"] for s in stops[: len(expected)]]
    assert order == [str(i) for i in range(len(expected))], f"Tab order {order} is not the page's order {expected}"
    assert stops[-1]["index"] in (None, "0"), f"Tab from the last control went to {stops[-1]} (a trap)"
    return stops[: len(expected)]


def assert_focus_visible(stop: dict[str, Any]) -> None:
    assert stop["style"] not in ("none", "hidden") and stop["width"] >= 2, f"no visible focus outline on {stop}"
    ratio = contrast(stop["color"], stop["background"])
    assert ratio >= 3, f"the focus outline of {stop['label']!r} has {ratio:.2f}:1 against its background (< 3:1)"


async def import_sample(api: httpx.AsyncClient) -> None:
    sample = (CSV_SAMPLES / "prospects_sample.csv").read_bytes()
    imported = await api.post("/api/prospects/import", content=sample, headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.text


async def test_the_skip_link_comes_first_and_moves_focus_to_the_content(page: Page, api: httpx.AsyncClient) -> None:
    await import_sample(api)
    await sign_in(page)
    await page.goto("/app/prospects")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    box = await skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    assert_focus_visible(await page.evaluate(FOCUS_STYLE))

    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Search")).to_be_focused()  # the next stop is the page's first control


async def test_the_prospects_filter_is_reachable_by_keyboard_with_a_visible_focus(
    page: Page, api: httpx.AsyncClient
) -> None:
    await import_sample(api)
    await sign_in(page)
    await page.goto("/app/prospects?q=hotel")  # a search, so the Clear link is there too
    stops = await tab_through(page)
    for stop in stops:
        assert_focus_visible(stop)
    reached = {s["label"] for s in stops}
    for control in ("q", "stage", "tier", "country", "has_email", "email_status", "Search", "Clear"):
        assert control in reached, f"{control} was not reached by Tab ({sorted(reached)})"
    for stop in stops:
        resting = await page.locator(f'[data-tab-index="{stop["index"]}"]').evaluate(RESTING_OUTLINE)
        assert resting != stop["outline"], f"{stop['label']}: its focus looks like its resting state"


async def test_the_reclassify_buttons_are_reachable_by_keyboard_with_a_visible_focus(
    page: Page, api: httpx.AsyncClient, runtime: LocalRuntime, sink: SmtpSink
) -> None:
    await seed_outreach(api, runtime, sink)
    await sign_in(page)
    await page.goto("/app/replies")
    buttons = page.locator("form.reclassify button")
    labels = await buttons.all_inner_texts()
    assert len(labels) >= 2, labels
    stops = await tab_through(page)
    for stop in stops:
        assert_focus_visible(stop)
    reached = [s for s in stops if s["label"] in labels]
    assert [s["label"] for s in reached] == labels, f"reclassify buttons reached: {[s['label'] for s in reached]}"
    for stop in reached:  # the pressed one too: its focus must look different from its pressed state
        resting = await page.locator(f'[data-tab-index="{stop["index"]}"]').evaluate(RESTING_OUTLINE)
        assert resting != stop["outline"], f"{stop['label']}: its focus looks like its resting state"


async def test_the_overview_refresh_keeps_the_keyboard_focus(
    page: Page, api: httpx.AsyncClient, runtime: LocalRuntime, sink: SmtpSink
) -> None:
    await seed_outreach(api, runtime, sink)
    await page.clock.install()  # the page's own timers, so htmx's 30 s poll runs without waiting 30 s
    await sign_in(page)
    await expect(page).to_have_url(re.compile(r"/app/$"))
    link = page.locator("#sends-today th a").first
    await tab_to(page, link, max_tabs=40)
    focused_id = await link.get_attribute("id")
    assert focused_id, "the focused link has no id: htmx cannot give the focus back after a refresh"
    async with page.expect_response(
        lambda r: r.url.endswith("/app/") and r.request.headers.get("hx-request") == "true"
    ):
        await page.clock.run_for(31_000)
    await expect(page.locator(f"#{focused_id}")).to_be_focused()  # a new element, given the focus back by htmx
    assert await page.evaluate("() => document.activeElement.id") == focused_id
