"""Reading a hotel's own site politely: robots.txt first, an identifying user agent, a byte and time budget per page.

`verify_home` decides whether a candidate domain is the hotel's site (its home page, after redirects, must not be a
portal, a chain page or a parked page, must answer 2xx, and its title must name the hotel); `facts` reads the home
page and up to two about/rooms pages and keeps what they state (shared/domain/enrichment/facts.py). Pages fetched to
verify are kept for the facts step, so the home page is fetched once per run. robots.txt is read once per host per
run: a missing one allows everything, an unreachable one (5xx, no answer) forbids everything (RFC 9309).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.domain.enrichment.domains import registrable_domain
from shared.domain.enrichment.facts import SiteFacts, extract_facts, merge_facts, pages_worth_reading
from shared.domain.enrichment.html_text import HtmlDoc, read_html
from shared.domain.enrichment.plan import Fact
from shared.domain.enrichment.portals import is_chain_landing, site_kind
from shared.domain.enrichment.robots import RobotsPolicy
from shared.domain.enrichment.site_match import ACCEPT_AT, looks_parked, score_candidate
from shared.domain.enrichment.trail import Trail
from shared.ports.http import HttpError
from shared.ports.search import SiteQuery
from shared.ports.web import PageFetcher, WebPage

PAGE_BYTES = 512 * 1024
ROBOTS_BYTES = 64 * 1024
EXTRA_PAGES = 2  # about/rooms pages read after the home page
ROBOTS_AGENT = "JenguBot"


@dataclass(frozen=True, slots=True)
class HomeVerdict:
    accepted: bool
    url: str
    reason: str = ""


def origin(url: str) -> str:
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return f"{parts.scheme or 'https'}://{parts.netloc}/"


class SiteReader:
    def __init__(self, fetcher: PageFetcher, *, timeout_s: float) -> None:
        self._fetcher = fetcher
        self._timeout_s = timeout_s
        self._robots: dict[str, RobotsPolicy] = {}
        self._pages: dict[str, tuple[WebPage, HtmlDoc]] = {}

    async def verify_home(self, domain: str, url: str, query: SiteQuery, trail: Trail) -> HomeVerdict:
        home = origin(url)
        if not await self._allowed(home, trail):
            return self._verdict(trail, False, home, f"{domain}: robots.txt forbids the home page")
        fetched = await self._page(home, trail)
        if fetched is None:
            return HomeVerdict(False, home, "no answer")
        page, doc = fetched
        final_domain = registrable_domain(page.url) or domain
        kind = site_kind(page.url)
        if kind is not None or is_chain_landing(page.url):
            what = kind.value if kind is not None else "a chain page"
            return self._verdict(trail, False, page.url, f"{domain}: redirects to {final_domain} ({what})")
        if page.status >= 400:
            return self._verdict(trail, False, page.url, f"{domain}: answers {page.status}")
        if looks_parked(doc.title or "", doc.text[:4000]):
            return self._verdict(trail, False, page.url, f"{domain}: a parked or for-sale page")
        title = " ".join(t for t in (doc.title, doc.og_site_name, *doc.h1s[:1]) if t)
        match = score_candidate(final_domain, title=title, hotel_name=query.name, city=query.city,
                                snippet=doc.description or doc.og_description)  # fmt: skip
        names_it = any(reason.startswith("title:") for reason in match.reasons)
        if match.score < ACCEPT_AT or not (names_it or extract_facts(doc, page.url).property_type is not None):
            return self._verdict(trail, False, page.url, f"{final_domain}: the page does not name the hotel "
                                 f"({match.score:.2f})")  # fmt: skip
        trail.add("website", "site", "found", f"{final_domain}: verified ({match.score:.2f})")
        return HomeVerdict(True, origin(page.url))

    async def facts(self, site_url: str, trail: Trail) -> list[Fact]:
        home = origin(site_url)
        if not await self._allowed(home, trail):
            return []
        fetched = await self._page(home, trail)
        if fetched is None or fetched[0].status >= 400:
            return []
        page, doc = fetched
        found = [extract_facts(doc, page.url)]
        for extra in pages_worth_reading(doc, page.url, limit=EXTRA_PAGES):
            if not await self._allowed(extra, trail):
                continue
            more = await self._page(extra, trail)
            if more is not None and more[0].status < 400:
                found.append(extract_facts(more[1], more[0].url))
        facts = to_facts(merge_facts(found), page.url)
        trail.add("facts", "site", "found" if facts else "nothing", ", ".join(f.name for f in facts) or "none stated")
        return facts

    async def _allowed(self, url: str, trail: Trail) -> bool:
        host = urlsplit(url).netloc.lower()
        policy = self._robots.get(host)
        if policy is None:
            robots_url = f"{urlsplit(url).scheme or 'https'}://{host}/robots.txt"
            try:
                page = await self._fetcher.get(robots_url, max_bytes=ROBOTS_BYTES, timeout_s=self._timeout_s)
                policy = RobotsPolicy.for_status(page.status, page.text)
            except HttpError as exc:
                trail.add("robots", "site", "failed", f"{host}: {exc}")
                policy = RobotsPolicy.for_status(503, "")
            self._robots[host] = policy
        if policy.allows(url, ROBOTS_AGENT):
            return True
        trail.add("page", "site", "skipped", f"robots.txt forbids {urlsplit(url).path or '/'}")
        return False

    async def _page(self, url: str, trail: Trail) -> tuple[WebPage, HtmlDoc] | None:
        if url in self._pages:
            return self._pages[url]
        try:
            page = await self._fetcher.get(url, max_bytes=PAGE_BYTES, timeout_s=self._timeout_s)
        except HttpError as exc:
            trail.add("page", "site", "failed", f"{url}: {exc}")
            return None
        is_html = not page.content_type or "html" in page.content_type
        doc = read_html(page.text if is_html else "")
        self._pages[url] = (page, doc)
        return page, doc

    @staticmethod
    def _verdict(trail: Trail, accepted: bool, url: str, reason: str) -> HomeVerdict:
        trail.add("website", "site", "found" if accepted else "rejected", reason)
        return HomeVerdict(accepted, url, reason)


def to_facts(facts: SiteFacts, page_url: str) -> list[Fact]:
    """The stated facts as rows, each with the page it came from."""
    return [Fact(name, value, source or page_url) for name, value, source in facts.rows()]
